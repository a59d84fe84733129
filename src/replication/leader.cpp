#include "detail/leader.hpp"

#include "detail/message.hpp"

#include "ledger/app/personal_data.hpp"
#include "ledger/envelope_codec.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ledger::replication::detail {
namespace {

constexpr std::uint64_t batch_events = 2000;

std::string fenced_message() {
    return "this server is fenced: the replication stream has events it did not publish (another "
           "leader took over); it takes no appends. Re-seed it from a backup of the leader and "
           "start it as a follower (docs/replication.md)";
}

}  // namespace

leader::leader(store::event_store& store, replication_options options)
    : store_(store), options_(std::move(options)), link_(options_.urls, options_.stream, &leader::on_ack, this) {
    link_.ensure_stream(options_.replicas);
    auto const local = store_.head().events;
    reconcile(local);
    if (!fenced_) {
        auto const missing = local - published_;
        if (missing > 0) spdlog::info("replication: publishing {} events the stream lacks", missing);
        if (publish_up_to(local, {}, clock::now() + std::chrono::seconds(60)) != outcome::published && !fenced_) {
            spdlog::warn("replication: the stream still lacks {} events; publishing goes on in the background",
                         local - published_);
        }
    }
    if (options_.sync) {
        store_.set_after_commit_hook([this](std::span<recorded_event const> events) { return after_commit(events); });
    }
    observer_ = store_.add_observer([this](std::span<recorded_event const> events) { on_commit(events); });
    thread_ = std::thread([this] { run(); });
    spdlog::info("replication: leading stream {} on {} ({}), {} events published", link_.stream(),
                 options_.urls, options_.sync ? "sync" : "async", published_.load());
}

leader::~leader() {
    store_.set_after_commit_hook({});
    store_.remove_observer(observer_);
    {
        std::lock_guard const lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void leader::on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* failure, void* closure) {
    auto* self = static_cast<leader*>(closure);
    {
        std::lock_guard const lock(self->acks_mutex_);
        if (failure != nullptr) {
            if (!self->ack_failure_) {
                self->ack_failure_ = std::string(failure->ErrText != nullptr ? failure->ErrText : natsStatus_GetText(failure->Err)) +
                                     " [JetStream error " + std::to_string(static_cast<int>(failure->ErrCode)) + "]";
            }
        } else if (ack != nullptr && ack->Duplicate) {
            // Already in the stream under this id: whose bytes, reconcile decides.
            if (!self->ack_failure_) self->ack_failure_ = "the stream already held this position";
        } else {
            ++self->acked_;
        }
    }
    natsMsg_Destroy(msg);
}

store::replicated_event leader::outgoing(recorded_event const& event, std::string stored) const {
    store::replicated_event out{.position = event.position, .stored = std::move(stored), .subject_key = {}, .erased_subject = {}};
    if (auto const subject = app::subject_of(event.stream)) {
        if (event.type == "SubjectErased") {
            out.erased_subject = std::string(*subject);
        } else if (auto key = store_.stored_subject_key(*subject)) {
            out.subject_key.emplace(std::string(*subject), std::move(*key));
        }
    }
    return out;
}

leader::outcome leader::publish_batch(std::vector<store::replicated_event> const& batch) {
    {
        std::lock_guard const lock(acks_mutex_);
        acked_ = 0;
        ack_failure_.reset();
    }
    std::optional<std::string> failure;
    for (auto const& event : batch) {
        natsMsg* msg = nullptr;
        try {
            msg = encode_message(link_.subject(), event, options_.advertise);
        } catch (nats_failure const& e) {
            failure = e.what();
            break;
        }
        auto const id = std::to_string(event.position);
        jsPubOptions publish;
        jsPubOptions_Init(&publish);
        publish.MsgId = id.c_str();
        publish.ExpectLastSeq = event.position;  // 0 (for position 0) means "no expectation"
        auto const status = js_PublishMsgAsync(link_.js(), &msg, &publish);
        if (status != NATS_OK) {
            if (msg != nullptr) natsMsg_Destroy(msg);
            failure = std::string("publishing: ") + natsStatus_GetText(status);
            break;
        }
    }
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = std::max<std::int64_t>(options_.publish_timeout.count(), 100);
    if (auto const status = js_PublishAsyncComplete(link_.js(), &wait); status != NATS_OK) {
        natsMsgList pending{};
        if (js_PublishAsyncGetPendingList(&pending, link_.js()) == NATS_OK) natsMsgList_Destroy(&pending);
        if (!failure) failure = std::string("waiting for JetStream's acks: ") + natsStatus_GetText(status);
    }
    std::lock_guard const lock(acks_mutex_);
    if (!failure && ack_failure_) failure = ack_failure_;
    if (!failure && acked_ != batch.size()) failure = "JetStream acknowledged " + std::to_string(acked_) + " of " + std::to_string(batch.size());
    if (!failure) return outcome::published;
    spdlog::warn("replication: publishing positions {}..{} failed: {}", batch.front().position,
                 batch.back().position, *failure);
    return outcome::failed;
}

void leader::fence(std::string cause) {
    {
        std::lock_guard const lock(state_mutex_);
        if (fenced_) return;
        fence_cause_ = cause;
    }
    fenced_ = true;
    spdlog::error("replication: {}; {}", cause, fenced_message());
}

void leader::reconcile(std::uint64_t local_events) {
    auto const state = link_.state();
    if (!state) throw nats_failure("the stream " + link_.stream() + " does not exist", NATS_NOT_FOUND, {});
    auto const last = state->last_seq;
    if (last > local_events) {
        std::string cause = "the stream holds " + std::to_string(last) + " events, this ledger only " +
                            std::to_string(local_events);
        if (local_events > 0) {
            message_ptr const theirs(link_.message(local_events));
            auto const ours = store_.stored_event(local_events - 1);
            if (theirs.msg != nullptr && ours &&
                std::string_view(natsMsg_GetData(theirs.msg), static_cast<std::size_t>(natsMsg_GetDataLength(theirs.msg))) == *ours) {
                cause += " (all of them in the stream: restarted with --follow it catches up)";
            }
        }
        fence(std::move(cause));
        return;
    }
    if (last > 0) {
        message_ptr const msg(link_.message(last));
        auto const ours = store_.stored_event(last - 1);
        bool const same = msg.msg != nullptr && ours &&
                          std::string_view(natsMsg_GetData(msg.msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg.msg))) == *ours;
        if (!same) {
            fence("the stream's event at position " + std::to_string(last - 1) + " is not this ledger's");
            return;
        }
    }
    note_published(last);
}

void leader::note_published(std::uint64_t published) {
    published_ = published;
    auto const now = clock::now();
    std::lock_guard const lock(state_mutex_);
    while (!unpublished_.empty() && unpublished_.front().first <= published) {
        double const lag = std::chrono::duration<double>(now - unpublished_.front().second).count();
        auto const bucket = static_cast<std::size_t>(
            std::lower_bound(lag_bounds.begin(), lag_bounds.end(), lag) - lag_bounds.begin());
        ++lag_counts_[bucket];
        lag_sum_ += lag;
        unpublished_.pop_front();
    }
}

leader::outcome leader::publish_up_to(std::uint64_t end, std::span<recorded_event const> fresh,
                                      clock::time_point deadline) {
    std::lock_guard const lock(publish_mutex_);
    while (published_ < end) {
        if (fenced_) return outcome::fenced;
        auto const from = published_.load();
        auto const to = std::min(end, from + batch_events);
        std::vector<store::replicated_event> batch;
        batch.reserve(to - from);
        for (auto p = from; p < to; ++p) {
            if (!fresh.empty() && p >= fresh.front().position) {
                auto const& e = fresh[p - fresh.front().position];
                batch.push_back(outgoing(e, with_hash(encode_canonical(e), e.hash)));
            } else if (auto stored = store_.stored_event(p)) {
                auto const e = decode_stored(*stored);
                batch.push_back(outgoing(e, std::move(*stored)));
            } else {
                return outcome::failed;  // not committed yet: the caller comes back
            }
        }
        if (publish_batch(batch) == outcome::published) {
            note_published(to);
            continue;
        }
        try {
            reconcile(end);
        } catch (std::exception const& e) {
            spdlog::warn("replication: cannot read the stream's state: {}", e.what());
        }
        if (fenced_) return outcome::fenced;
        if (published_ == from) {
            if (clock::now() >= deadline) return outcome::failed;
            std::unique_lock wait(wake_mutex_);
            if (wake_.wait_for(wait, std::chrono::milliseconds(100), [this] { return stopping_; })) return outcome::failed;
        }
    }
    return outcome::published;
}

std::optional<error> leader::after_commit(std::span<recorded_event const> events) {
    auto const end = events.back().position + 1;
    {
        std::lock_guard const lock(state_mutex_);
        unpublished_.emplace_back(end, clock::now());
    }
    auto const result = publish_up_to(end, events, clock::now() + options_.publish_timeout);
    if (result == outcome::published) return std::nullopt;
    if (result == outcome::fenced) {
        error e{error_code::read_only, "committed on this server, but it is fenced: " + fenced_message(), {}};
        e.details["reason"] = "fenced";
        return e;
    }
    error e{error_code::unavailable,
            "committed on this server, but JetStream did not confirm it in time; it is published "
            "when JetStream is back. Re-send with the same event ids to learn its position",
            {}};
    e.details["reason"] = "replication_timeout";
    return e;
}

void leader::on_commit(std::span<recorded_event const> events) {
    if (options_.sync) return;  // the hook published it already (or the thread will)
    {
        std::lock_guard const lock(state_mutex_);
        if (unpublished_.size() < 1'000'000) unpublished_.emplace_back(events.back().position + 1, clock::now());
    }
    wake_.notify_one();
}

void leader::run() {
    for (;;) {
        {
            std::unique_lock lock(wake_mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(200), [this] {
                return stopping_ || published_ < store_.head().events;
            });
            if (stopping_) return;
        }
        auto const target = store_.head().events;
        if (published_ >= target || fenced_) continue;
        try {
            publish_up_to(target, {}, clock::now() + options_.publish_timeout);
        } catch (std::exception const& e) {
            spdlog::error("replication: the publisher failed: {}", e.what());
        }
    }
}

std::optional<error> leader::append_refusal() const {
    if (fenced_) {
        std::lock_guard const lock(state_mutex_);
        error e{error_code::read_only, fenced_message(), {}};
        e.details["reason"] = "fenced";
        e.details["cause"] = fence_cause_;
        return e;
    }
    if (options_.sync && published_ < store_.head().events) {
        error e{error_code::unavailable, "the replication stream lags this ledger; appends resume once JetStream has caught up", {}};
        e.details["reason"] = "replication_behind";
        return e;
    }
    return std::nullopt;
}

boost::json::object leader::status() const {
    auto const head = store_.head().events;
    auto const published = std::min(published_.load(), head);
    double oldest = 0;
    {
        std::lock_guard const lock(state_mutex_);
        if (!unpublished_.empty()) oldest = std::chrono::duration<double>(clock::now() - unpublished_.front().second).count();
    }
    boost::json::object out{{"role", "leader"},
                            {"mode", options_.sync ? "sync" : "async"},
                            {"stream", link_.stream()},
                            {"published_events", published},
                            {"lag_events", head - published},
                            {"lag_seconds", oldest},
                            {"fenced", fenced_.load()}};
    return out;
}

std::string leader::metrics() const {
    auto const s = status();
    std::string out =
        "# HELP ledger_replication_published_events Events the replication stream holds.\n"
        "# TYPE ledger_replication_published_events gauge\n"
        "ledger_replication_published_events " + std::to_string(s.at("published_events").as_uint64()) + "\n"
        "# HELP ledger_replication_lag_events Committed events not yet stored by JetStream.\n"
        "# TYPE ledger_replication_lag_events gauge\n"
        "ledger_replication_lag_events " + std::to_string(s.at("lag_events").as_uint64()) + "\n"
        "# HELP ledger_replication_lag_seconds Age of the oldest commit not yet stored by JetStream.\n"
        "# TYPE ledger_replication_lag_seconds gauge\n"
        "ledger_replication_lag_seconds " + std::to_string(s.at("lag_seconds").as_double()) + "\n"
        "# HELP ledger_replication_fenced 1 when another leader took the stream over.\n"
        "# TYPE ledger_replication_fenced gauge\n"
        "ledger_replication_fenced " + std::string(fenced_ ? "1" : "0") + "\n"
        "# HELP ledger_replication_publish_seconds From a commit to JetStream's ack of it.\n"
        "# TYPE ledger_replication_publish_seconds histogram\n";
    std::lock_guard const lock(state_mutex_);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < lag_bounds.size(); ++i) {
        cumulative += lag_counts_[i];
        out += "ledger_replication_publish_seconds_bucket{le=\"" + std::to_string(lag_bounds[i]) + "\"} " +
               std::to_string(cumulative) + "\n";
    }
    cumulative += lag_counts_.back();
    out += "ledger_replication_publish_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n" +
           "ledger_replication_publish_seconds_sum " + std::to_string(lag_sum_) + "\n" +
           "ledger_replication_publish_seconds_count " + std::to_string(cumulative) + "\n";
    return out;
}

}  // namespace ledger::replication::detail
