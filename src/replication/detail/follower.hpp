#pragma once
// The follower's side (docs/replication.md): a durable pull consumer of the ledger's stream,
// recreated at every start to begin right after this ledger's head (the ledger, not the
// consumer, is the record of what was applied, so a kill -9 between commit and ack neither
// duplicates nor skips). Each fetched batch is checked (positions dense, hashes chain onto the
// head) and stored in one durable transaction through event_store::append_replicated; then the
// batch is acked. A message that does not chain stops the follower with one clear log line:
// nothing of it is stored, the server goes on serving reads and /readyz says why.
//
// Threading: one thread fetches and decodes, another stores (so the next batch arrives while
// one is fsync'd), with at most two batches between them; the destructor stops and joins both.

#include "detail/nats_link.hpp"

#include "ledger/replication/replication.hpp"
#include "ledger/store/event_store.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace ledger::replication::detail {

class follower final : public node {
public:
    follower(store::event_store& store, replication_options options, std::filesystem::path const& data);
    ~follower() override;

    std::optional<error> append_refusal() const override;
    std::optional<error> not_ready() const override;
    boost::json::object status() const override;
    std::string metrics() const override;

private:
    /// A fetched batch on its way to the store; `ack` (the last message) is acked once stored.
    struct fetched {
        std::vector<store::replicated_event> events;
        std::string leader;
        natsMsg* ack = nullptr;
    };

    bool attach();  // false: not yet (no stream) or stopped
    void run();     // the fetching thread
    void store_loop();  // the storing thread
    std::optional<fetched> decode(natsMsgList& list);
    bool apply(fetched& batch);  // false: the fetcher must attach again from the ledger's head
    void stop(std::string cause);
    bool halted() const;
    void clear_queue();

    store::event_store& store_;
    replication_options const options_;
    nats_link link_;
    natsSubscription* subscription_ = nullptr;

    mutable std::mutex state_mutex_;
    std::string leader_;                 // from the last message's Ledger-Leader header
    std::optional<std::string> stopped_; // why the follower stopped
    std::atomic<std::uint64_t> stream_events_{0};
    std::atomic<std::uint64_t> applied_batches_{0};

    std::mutex queue_mutex_;
    std::condition_variable queue_changed_;
    std::deque<fetched> queue_;  // at most two
    bool reattach_ = false;      // guarded by queue_mutex_: the storing side asks for a new consumer

    std::atomic<bool> stopping_{false};
    std::thread storer_;
    std::thread thread_;
};

}  // namespace ledger::replication::detail
