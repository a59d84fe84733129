#include "detail/follower.hpp"

#include "detail/message.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include <unistd.h>

namespace ledger::replication::detail {
namespace {

/// Messages per fetch, stored in one transaction: large, so catching up pays one fsync and one
/// round trip per this many events; a fetch returns early with what is there when live.
constexpr int fetch_batch = 16384;

std::string default_consumer(std::filesystem::path const& data) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    auto const where = std::string(host) + ":" + std::filesystem::absolute(data).lexically_normal().string();
    return fmt::format("follower-{:016x}", std::hash<std::string>{}(where));
}

std::string_view payload(natsMsg* msg) {
    return {natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))};
}

}  // namespace

follower::follower(store::event_store& store, replication_options options, std::filesystem::path const& data)
    : store_(store), options_([&] {
          if (options.consumer.empty()) options.consumer = default_consumer(data);
          return std::move(options);
      }()),
      link_(options_.urls, options_.stream) {
    storer_ = std::thread([this] { store_loop(); });
    thread_ = std::thread([this] { run(); });
    spdlog::info("replication: following stream {} on {} as consumer {}", link_.stream(), options_.urls, options_.consumer);
}

follower::~follower() {
    {
        std::lock_guard const lock(queue_mutex_);
        stopping_ = true;
    }
    queue_changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (storer_.joinable()) storer_.join();
    clear_queue();
    if (subscription_ != nullptr) natsSubscription_Destroy(subscription_);
}

void follower::stop(std::string cause) {
    spdlog::critical("replication: the follower stopped: {}", cause);
    std::lock_guard const lock(state_mutex_);
    stopped_ = std::move(cause);
}

bool follower::attach() {
    auto const state = link_.state();
    if (!state) return false;  // the leader has not created it yet
    stream_events_ = state->last_seq;
    auto const local = store_.head().events;
    if (local > state->last_seq) {
        stop(fmt::format("this ledger holds {} events but the stream only {}: it has events no leader "
                         "published (a former leader's?). Re-seed it from a backup of the leader",
                         local, state->last_seq));
        return false;
    }
    if (local < state->last_seq && state->first_seq > local + 1) {
        stop(fmt::format("the stream starts at position {} but this ledger needs position {} next: the "
                         "stream no longer reaches back far enough. Seed this follower from a backup of the "
                         "leader (recruit-ledger backup), then start it again",
                         state->first_seq - 1, local));
        return false;
    }
    if (local > 0) {
        message_ptr const msg(link_.message(local));
        auto const ours = store_.stored_event(local - 1);
        if (msg.msg != nullptr && (!ours || payload(msg.msg) != *ours)) {
            stop(fmt::format("the stream's event at position {} differs from this ledger's: the ledgers "
                             "diverged. Re-seed this follower from a backup of the leader", local - 1));
            return false;
        }
    }
    jsErrCode code{};
    js_DeleteConsumer(link_.js(), link_.stream().c_str(), options_.consumer.c_str(), nullptr, &code);
    jsSubOptions sub;
    jsSubOptions_Init(&sub);
    sub.Stream = link_.stream().c_str();
    sub.Config.DeliverPolicy = js_DeliverByStartSequence;
    sub.Config.OptStartSeq = local + 1;
    sub.Config.AckPolicy = js_AckAll;
    sub.Config.MaxAckPending = 1'000'000;
    sub.ManualAck = true;
    check(js_PullSubscribe(&subscription_, link_.js(), link_.subject().c_str(), options_.consumer.c_str(),
                           nullptr, &sub, &code),
          "subscribing to the stream", code);
    spdlog::info("replication: this ledger holds {} events, the stream {}; catching up", local, state->last_seq);
    return true;
}

std::optional<follower::fetched> follower::decode(natsMsgList& list) {
    fetched out;
    out.events.reserve(static_cast<std::size_t>(list.Count));
    for (int i = 0; i < list.Count; ++i) {
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, list.Msgs[i]) != NATS_OK) {
            stop("a message of the stream carries no JetStream metadata; nothing of it was stored");
            return std::nullopt;
        }
        auto const seq = meta->Sequence.Stream;
        stream_events_ = std::max(stream_events_.load(), seq + meta->NumPending);
        jsMsgMetaData_Destroy(meta);
        auto decoded = decode_message(list.Msgs[i], seq);
        if (!decoded) {
            stop(fmt::format("the stream's message {} (position {}) is not a ledger event; nothing of it was stored",
                             seq, seq - 1));
            return std::nullopt;
        }
        if (!decoded->leader.empty()) out.leader = std::move(decoded->leader);
        out.events.push_back(std::move(decoded->event));
    }
    if (list.Count > 0) std::swap(out.ack, list.Msgs[list.Count - 1]);  // kept past the list's end
    return out;
}

bool follower::apply(fetched& batch) {
    auto const next = store_.head().events;
    auto const first_new = std::find_if(batch.events.begin(), batch.events.end(),
                                        [&](auto const& e) { return e.position >= next; });
    std::span<store::replicated_event const> const fresh(first_new, batch.events.end());
    if (fresh.empty()) return true;  // redelivered: all stored already
    if (fresh.front().position > next) return false;  // an earlier batch was dropped: fetch again
    auto stored = store_.append_replicated(fresh);
    if (!stored && stored.error().code == error_code::invalid_event) {
        auto const bad = stored.error().details.at("position").as_uint64();
        auto const cause = stored.error().message;
        if (bad > fresh.front().position) {  // keep what chains before the bad one
            auto const good = static_cast<std::size_t>(bad - fresh.front().position);
            if (!store_.append_replicated(fresh.first(good))) {
                spdlog::error("replication: storing the events before position {} failed too", bad);
            }
        }
        stop(cause + "; nothing of it was stored. Check the stream's producer; re-seed this follower from a "
                     "backup of the leader if its ledger is the one that is wrong");
        return true;
    }
    if (!stored) {
        spdlog::error("replication: storing {} events failed: {}; retrying", fresh.size(), stored.error().message);
        return false;
    }
    ++applied_batches_;
    stream_events_ = std::max(stream_events_.load(), fresh.back().position + 1);
    if (!batch.leader.empty()) {
        std::lock_guard const lock(state_mutex_);
        leader_ = std::move(batch.leader);
    }
    return true;
}

bool follower::halted() const {
    std::lock_guard const lock(state_mutex_);
    return stopped_.has_value();
}

void follower::clear_queue() {
    for (auto& batch : queue_) natsMsg_Destroy(batch.ack);
    queue_.clear();
}

void follower::store_loop() {
    for (;;) {
        fetched batch;
        {
            std::unique_lock lock(queue_mutex_);
            queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            batch = std::move(queue_.front());
            queue_.pop_front();
        }
        queue_changed_.notify_all();
        bool const applied = !halted() && apply(batch);
        if (applied && !halted() && batch.ack != nullptr) natsMsg_Ack(batch.ack, nullptr);
        natsMsg_Destroy(batch.ack);
        if (!applied || halted()) {
            std::lock_guard const lock(queue_mutex_);
            clear_queue();
            reattach_ = !halted();
        }
        if (halted()) return;
    }
}

void follower::run() {
    bool attached = false;
    auto detach = [&] {
        if (subscription_ != nullptr) natsSubscription_Destroy(subscription_);
        subscription_ = nullptr;
        attached = false;
    };
    while (!stopping_ && !halted()) {
        {
            std::lock_guard const lock(queue_mutex_);
            if (std::exchange(reattach_, false)) detach();
        }
        if (!attached) {
            // A new consumer starts after the ledger's head: let the storer finish first.
            {
                std::unique_lock lock(queue_mutex_);
                queue_changed_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_ || queue_.empty(); });
                if (!queue_.empty()) continue;
            }
            try {
                attached = attach();
            } catch (std::exception const& e) {
                spdlog::warn("replication: cannot attach to the stream yet: {}", e.what());
            }
            if (!attached) std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        natsMsgList list{};
        jsErrCode code{};
        auto const status = natsSubscription_Fetch(&list, subscription_, fetch_batch, 250, &code);
        if (status == NATS_TIMEOUT) continue;
        if (status != NATS_OK) {
            spdlog::warn("replication: fetching from the stream failed: {} [{}]", natsStatus_GetText(status),
                         static_cast<int>(code));
            natsMsgList_Destroy(&list);
            // The consumer may be gone (a stream recreated): attach again from the head.
            detach();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        auto batch = decode(list);
        natsMsgList_Destroy(&list);
        if (!batch) break;  // stopped
        std::unique_lock lock(queue_mutex_);
        queue_changed_.wait(lock, [this] { return stopping_ || reattach_ || queue_.size() < 2; });
        if (stopping_ || reattach_) {
            natsMsg_Destroy(batch->ack);
            continue;
        }
        queue_.push_back(std::move(*batch));
        lock.unlock();
        queue_changed_.notify_all();
    }
}

std::optional<error> follower::append_refusal() const {
    std::lock_guard const lock(state_mutex_);
    error e{error_code::read_only,
            "this server is a replication follower and takes no appends; send them to the leader", {}};
    e.details["leader"] = leader_.empty() ? boost::json::value(nullptr) : boost::json::value(leader_);
    e.details["stream"] = link_.stream();
    return e;
}

std::optional<error> follower::not_ready() const {
    std::lock_guard const lock(state_mutex_);
    if (!stopped_) return std::nullopt;
    error e{error_code::unavailable, "replication stopped: " + *stopped_, {}};
    e.details["reason"] = "replication_stopped";
    return e;
}

boost::json::object follower::status() const {
    auto const applied = store_.head().events;
    auto const stream = std::max(stream_events_.load(), applied);
    std::lock_guard const lock(state_mutex_);
    boost::json::object out{{"role", "follower"},
                            {"stream", link_.stream()},
                            {"applied_events", applied},
                            {"lag_events", stream - applied},
                            {"leader", leader_.empty() ? boost::json::value(nullptr) : boost::json::value(leader_)}};
    if (stopped_) out["stopped"] = *stopped_;
    return out;
}

std::string follower::metrics() const {
    auto const s = status();
    return "# HELP ledger_replication_applied_events Events this follower stored from the stream.\n"
           "# TYPE ledger_replication_applied_events gauge\n"
           "ledger_replication_applied_events " + std::to_string(s.at("applied_events").as_uint64()) + "\n"
           "# HELP ledger_replication_lag_events Events the stream holds that this follower has not stored.\n"
           "# TYPE ledger_replication_lag_events gauge\n"
           "ledger_replication_lag_events " + std::to_string(s.at("lag_events").as_uint64()) + "\n"
           "# HELP ledger_replication_stopped 1 when the follower stopped on a message it cannot store.\n"
           "# TYPE ledger_replication_stopped gauge\n"
           "ledger_replication_stopped " + std::string(s.contains("stopped") ? "1" : "0") + "\n";
}

}  // namespace ledger::replication::detail
