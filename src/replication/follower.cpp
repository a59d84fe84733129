#include "detail/follower.hpp"

#include "detail/message.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <functional>
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
    thread_ = std::thread([this] { run(); });
    spdlog::info("replication: following stream {} on {} as consumer {}", link_.stream(), options_.urls, options_.consumer);
}

follower::~follower() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
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

bool follower::apply(natsMsgList const& list) {
    auto const next = store_.head().events;
    std::vector<store::replicated_event> batch;
    batch.reserve(static_cast<std::size_t>(list.Count));
    std::string leader;
    for (int i = 0; i < list.Count; ++i) {
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, list.Msgs[i]) != NATS_OK) {
            stop("a message of the stream carries no JetStream metadata; nothing of it was stored");
            return false;
        }
        auto const seq = meta->Sequence.Stream;
        stream_events_ = std::max(stream_events_.load(), seq + meta->NumPending);
        jsMsgMetaData_Destroy(meta);
        auto decoded = decode_message(list.Msgs[i], seq);
        if (!decoded) {
            stop(fmt::format("the stream's message {} (position {}) is not a ledger event; nothing of it was stored",
                             seq, seq - 1));
            return false;
        }
        if (decoded->event.position < next) continue;  // redelivered: already stored
        if (!decoded->leader.empty()) leader = decoded->leader;
        batch.push_back(std::move(decoded->event));
    }
    if (batch.empty()) {
        if (list.Count > 0) natsMsg_Ack(list.Msgs[list.Count - 1], nullptr);  // all stored already
        return true;
    }
    auto stored = store_.append_replicated(batch);
    if (!stored && stored.error().code == error_code::invalid_event) {
        auto const bad = stored.error().details.at("position").as_uint64();
        auto const cause = stored.error().message;
        if (bad > batch.front().position) {  // keep what chains before the bad one
            auto const good = static_cast<std::size_t>(bad - batch.front().position);
            auto const prefix = store_.append_replicated(std::span(batch).first(good));
            if (!prefix) spdlog::error("replication: storing the events before position {} failed too", bad);
        }
        stop(cause + "; nothing of it was stored. Check the stream's producer; re-seed this follower from a "
                     "backup of the leader if its ledger is the one that is wrong");
        return false;
    }
    if (!stored) {
        spdlog::error("replication: storing {} events failed: {}; retrying", batch.size(), stored.error().message);
        return false;
    }
    natsMsg_Ack(list.Msgs[list.Count - 1], nullptr);
    ++applied_batches_;
    stream_events_ = std::max(stream_events_.load(), batch.back().position + 1);
    if (!leader.empty()) {
        std::lock_guard const lock(state_mutex_);
        leader_ = std::move(leader);
    }
    return true;
}

void follower::run() {
    bool attached = false;
    while (!stopping_) {
        {
            std::lock_guard const lock(state_mutex_);
            if (stopped_) return;
        }
        if (!attached) {
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
            natsSubscription_Destroy(subscription_);
            subscription_ = nullptr;
            attached = false;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        bool const applied = apply(list);
        natsMsgList_Destroy(&list);
        if (!applied) {
            // A failed store is retried from the ledger's head with a fresh consumer.
            natsSubscription_Destroy(subscription_);
            subscription_ = nullptr;
            attached = false;
        }
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
