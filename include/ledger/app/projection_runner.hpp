#pragma once
// Keeps every read model of SPEC §7 up to date with the log and answers queries about them.
//
// Start-up: the constructor returns at once; a background thread loads each read model's
// snapshot from the store's `projections` table (the state and the position it covers, written
// together), then folds only the tail of the log, then goes live. A read model whose snapshot is
// missing, damaged (checksum), of another code version or past the head of the log is rebuilt
// from the log, with a log line saying why (projection_snapshot.hpp). Appends and log reads
// go on meanwhile. Until its snapshot is loaded a read model lists with position null (its lag
// is the whole log), a live query waits for the load up to min(wait, load_wait) and then
// answers `unavailable` ("read models are loading"), and loaded() is false (/readyz answers
// 503). A query never sees a half-loaded model: the snapshot is decoded aside and swapped in
// under the read model's lock. As-of queries read the log and checkpoints and work at once. A read model not
// yet loaded is never snapshotted, so a good snapshot is never overwritten by an empty state.
//
// Live: once caught up, the runner folds each commit as a store observer on the writer thread,
// right after the commit. An EventRetracted is folded with the event it names, read back from
// the log by position (app::read_retracted), so read models undo it without keeping facts.
// As-of checkpoints: whenever the runner's fold crosses a checkpoint boundary (every
// options.checkpoints.every events, and where recorded time enters a new month) it captures
// each read model's state before folding on; the before-commit hook writes the captured
// records with the next group (checkpoint_keeper.hpp). As-of queries fold from the nearest
// usable checkpoint (projection_as_of.hpp).
// Every `snapshot_every` events a read model has folded, the store's before-commit hook writes
// its snapshot inside the next group's write transaction: what it covers was committed
// earlier, so a snapshot never runs ahead of the log. When the catch-up thread goes live, and
// when it fills missing checkpoints, it asks the writer for such a transaction with no events
// (event_store::write_projection_records), so a server taking no appends still saves them. A snapshot that cannot be made (its
// state does not serialise) is logged, counted (stats().snapshot_failures) and tried again at
// the next group; it never fails the group's appends.
//
// Threading: list(), query(), query_json(), query_page() and loaded() are safe from any
// thread. Each read model is guarded by its own shared_mutex: folds and the swap-in of a loaded
// snapshot take it exclusively, rendering and snapshots share it.

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/projection_service.hpp"
#include "ledger/store/event_store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace ledger::app {

struct projection_runner_options {
    /// Events a read model folds between two snapshots of it. Smaller: less to fold at
    /// start-up; larger: fewer snapshot writes on the writer thread.
    std::uint64_t snapshot_every = 50'000;
    /// The application table's record (snapshot-table/applications, 33 MiB at 10,000,000
    /// events) is written whole, and each version is a little larger than the one before, so
    /// LMDB can never put it where the one before it was: written every `snapshot_every`
    /// events it left hundreds of MiB of free pages in a served ledger (issue 18,
    /// docs/performance.md "bytes-served"). The models sharing it are therefore saved every
    /// max(snapshot_every, its last record's bytes / this) events: at most this many bytes of
    /// that record per event folded, fewer than the events themselves take. 0: every
    /// `snapshot_every`. A clean stop still saves them at the head.
    std::uint64_t table_record_bytes_per_event = 256;
    /// Longest wait of a live query for its read model's snapshot to load (see above).
    std::chrono::milliseconds load_wait = std::chrono::seconds(2);
    /// For tests: called on the catch-up thread before it loads the snapshots (e.g. a latch).
    /// The runner's destructor joins that thread, so the callback must return by then.
    std::function<void()> before_loading;
    /// Where as-of checkpoints are taken (projection_checkpoint.hpp); tests use small intervals.
    checkpoint_options checkpoints;
    /// Whether vacancies, outreach, origin and hires-vs-target keep their entities in the
    /// store's `projections` table (store_entity_table.hpp) rather than in private memory;
    /// every `snapshot_every` events they flush what changed. With it, the application table
    /// that recruits-per-campaign, funnel and retention share keeps its candidates there too.
    bool entities_in_table = true;
};

/// What a runner has done since it started (tests, logs, metrics).
struct projection_runner_stats {
    std::uint64_t caught_up_events = 0;   // events folded by the catch-up thread (tails, rebuilds)
    std::uint64_t snapshots_used = 0;     // read models resumed from their snapshot
    std::uint64_t snapshots_rebuilt = 0;  // snapshots found unusable: rebuilt from the log
    std::uint64_t snapshot_failures = 0;  // snapshots that could not be made (retried later)
    checkpoint_stats checkpoints;         // as-of checkpoints taken, written, used
    std::uint64_t entity_reads = 0;       // entity records read from the table (the four, summed)
    std::uint64_t entity_rebuilds = 0;    // table-backed read models rebuilt for damaged entities
    std::uint64_t cached_entities = 0;    // entities in their write-back caches now
    // The application table's candidates in the store (entities_in_table): records read, the
    // times the three models sharing it were rebuilt for a damaged one, and cached now.
    std::uint64_t table_reads = 0;
    std::uint64_t table_rebuilds = 0;
    std::uint64_t table_cached = 0;
};

class projection_runner final : public projection_service {
public:
    /// Starts loading the snapshots and catching up on a background thread, and returns.
    /// `store` must outlive the runner. When the snapshots cannot be read (lmdb::error) the
    /// error is logged and the read models stay unloaded (loaded() false, queries unavailable).
    explicit projection_runner(store::event_store& store, projection_runner_options options = {});
    /// Detaches from the store and stops catching up; while loading, it stops after the read
    /// model being decoded (a decode is not interrupted).
    ~projection_runner() override;
    projection_runner(projection_runner const&) = delete;
    projection_runner& operator=(projection_runner const&) = delete;

    std::vector<projection_summary> list() const override;
    result<projection_table> query(projection_query const& query) const override;
    result<std::string> query_json(projection_query const& query) const override;
    /// A live page is selected from the cached rendered rows under the read model's lock, so
    /// only the page's rows are copied; other pages go through projection_service's default.
    result<projection_page> query_page(projection_query const& query) const override;
    /// A live page written from the cached rows' texts, picked through an index of the
    /// filterable fields (row_index.hpp): O(rows answered) once the index is built.
    result<projection_page_text> query_page_json(projection_query const& query) const override;
    bool loaded() const override;
    std::uint64_t snapshot_failures() const override;

    /// Blocks until every read model has folded the event at `position`, or `timeout` passes.
    /// Returns whether they all have.
    bool wait_until_folded(std::uint64_t position, std::chrono::milliseconds timeout) const;

    /// Blocks until every read model has folded the whole log as committed when called.
    bool wait_until_caught_up(std::chrono::milliseconds timeout) const;

    projection_runner_stats stats() const;

    /// Writes every read model's snapshot, entities and table records at the position it has
    /// folded (records-only commits through the writer), so that the next start folds nothing.
    /// Called before a clean stop, while the writer still takes commits. Returns whether every
    /// loaded read model is saved within `bound` (false while loading, when the writer refuses
    /// or is slower than `bound`, e.g. a stalled disk: the records then stay as they were, or
    /// are written later by the save still running, and the next start folds the tail). Any
    /// thread but the writer's; blocks for the commits, at most `bound`.
    bool save_records(std::chrono::milliseconds bound = std::chrono::minutes(1));

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ledger::app
