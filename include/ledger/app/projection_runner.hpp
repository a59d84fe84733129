#pragma once
// Keeps every read model of SPEC §7 up to date with the log and answers queries about them.
//
// Start-up: each read model resumes from its snapshot in the store's `projections` table (the
// state and the position it covers, written together) and folds only the tail of the log; a
// read model whose snapshot is missing, unreadable or of another code version is rebuilt from
// the log. Catching up runs on a background thread, so appends and reads go on meanwhile (a
// query with min_position waits for it).
//
// Live: once caught up, the runner folds each commit as a store observer on the writer thread,
// right after the commit. Every `snapshot_every` events a read model has folded, the store's
// before-commit hook writes its snapshot inside the next group's write transaction: what it
// covers was committed earlier, so a snapshot never runs ahead of the log.
//
// Threading: list(), query() and query_json() are safe from any thread. Each read model is guarded by its own
// shared_mutex: folds take it exclusively, rendering and snapshots share it.

#include "ledger/app/projection_service.hpp"
#include "ledger/store/event_store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace ledger::app {

struct projection_runner_options {
    /// Events a read model folds between two snapshots of it. Smaller: less to fold at
    /// start-up; larger: fewer snapshot writes on the writer thread.
    std::uint64_t snapshot_every = 50'000;
};

class projection_runner final : public projection_service {
public:
    /// Loads the snapshots and starts catching up. `store` must outlive the runner.
    /// Throws lmdb::error when the snapshots cannot be read.
    explicit projection_runner(store::event_store& store, projection_runner_options options = {});
    /// Detaches from the store and stops catching up.
    ~projection_runner() override;
    projection_runner(projection_runner const&) = delete;
    projection_runner& operator=(projection_runner const&) = delete;

    std::vector<projection_summary> list() const override;
    result<projection_table> query(projection_query const& query) const override;
    result<std::string> query_json(projection_query const& query) const override;

    /// Blocks until every read model has folded the event at `position`, or `timeout` passes.
    /// Returns whether they all have.
    bool wait_until_folded(std::uint64_t position, std::chrono::milliseconds timeout) const;

    /// Blocks until every read model has folded the whole log as committed when called.
    bool wait_until_caught_up(std::chrono::milliseconds timeout) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ledger::app
