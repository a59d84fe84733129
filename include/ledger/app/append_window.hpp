#pragma once
// Bulk appends (imports, demo ledgers) with many requests in flight, so the store's writer can
// group them into few durable commits, while requests still reach the log in submission order.

#include "ledger/store/event_store.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace ledger::app {

class append_window {
public:
    /// Keeps at most `limit` requests of `store` in flight.
    append_window(store::event_store& store, std::size_t limit = 256);

    /// Queues `request`, waiting while the window is full. `label` names it in a failure
    /// message (e.g. "lines 12-40"). Returns the first failure seen so far, if any; once a
    /// request has failed, nothing more is submitted.
    std::optional<error> submit(store::append_request request, std::string label);

    /// Waits until nothing is in flight; returns the first failure, if any.
    std::optional<error> drain();

    std::uint64_t appended() const;          // events newly written
    std::uint64_t already_recorded() const;  // events skipped as idempotent retries

private:
    store::event_store& store_;
    std::size_t const limit_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t in_flight_ = 0;
    std::uint64_t appended_ = 0;
    std::uint64_t already_recorded_ = 0;
    std::optional<error> failure_;
};

}  // namespace ledger::app
