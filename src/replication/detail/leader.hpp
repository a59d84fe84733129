#pragma once
// The leader's side (docs/replication.md): publishes every committed event, in position order,
// to the ledger's stream with message id = position and expected last sequence = position, so
// stream sequence = position + 1 and a second writer is refused (fenced).
//
// sync: the store's after-commit hook publishes each group and waits for JetStream's acks
// before its callers are answered (a group not confirmed within publish_timeout is answered
// 503 unavailable; it stays committed here and is published when JetStream is back). async:
// a commit observer wakes a publisher thread. Both: the thread publishes any backlog, so the
// stream catches up after an outage or at start.
//
// Threading: the hook runs on the store's writer thread, the publisher on its own; one
// mutex keeps one publisher at a time. The destructor removes the hook and observer and joins.

#include "detail/nats_link.hpp"

#include "ledger/replication/replication.hpp"
#include "ledger/store/event_store.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace ledger::replication::detail {

class leader final : public node {
public:
    leader(store::event_store& store, replication_options options);
    ~leader() override;

    std::optional<error> append_refusal() const override;
    std::optional<error> not_ready() const override { return std::nullopt; }
    boost::json::object status() const override;
    std::string metrics() const override;

private:
    enum class outcome { published, fenced, failed };
    using clock = std::chrono::steady_clock;

    outcome publish_up_to(std::uint64_t end, std::span<recorded_event const> fresh,
                          clock::time_point deadline);
    outcome publish_batch(std::vector<store::replicated_event> const& batch);
    void reconcile(std::uint64_t local_events);
    void fence(std::string cause);
    store::replicated_event outgoing(recorded_event const& event, std::string stored) const;
    std::optional<error> after_commit(std::span<recorded_event const> events);
    void on_commit(std::span<recorded_event const> events);
    void note_published(std::uint64_t published);
    void run();
    static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* failure, void* closure);

    store::event_store& store_;
    replication_options const options_;
    nats_link link_;

    std::mutex publish_mutex_;  // one publisher at a time
    std::atomic<std::uint64_t> published_{0};  // events the stream holds
    std::atomic<bool> fenced_{false};

    // Acks of the batch being published (guarded by acks_mutex_).
    std::mutex acks_mutex_;
    std::uint64_t acked_ = 0;
    std::optional<std::string> ack_failure_;

    mutable std::mutex state_mutex_;
    std::string fence_cause_;
    std::deque<std::pair<std::uint64_t, clock::time_point>> unpublished_;  // commit end, when
    static constexpr std::array<double, 13> lag_bounds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
    std::array<std::uint64_t, lag_bounds.size() + 1> lag_counts_{};
    double lag_sum_ = 0;

    std::uint64_t observer_ = 0;
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ledger::replication::detail
