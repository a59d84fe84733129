#pragma once
// Format 8: heads written every few commits instead of once per request (docs/storage.md
// "Format 8"). The heads of a commit of scattered streams are its only records that are not
// near the end of their table (one `streams` leaf page each); the writer keeps such a head in
// memory instead and puts it later, together with every other pending one.
//
// A head is deferred only when its request left the stream's rule state as it was and the
// stream existed before (a new stream's head and name are put at once, at the table's end), so
// the record's rule state stays the stream's and only its last version and last run are behind;
// both follow from the run records, which are written as before. While anything is pending,
// meta's heads_pending_from names the first position whose head change may be missing, and
// readers bring a head up to date from the runs since then (stream_table.hpp's
// read_stream_head). Every `commits_per_write`-th commit with pending heads, or a group that
// ends more than `max_pending_events` past the marker, or at a clean stop, the writer puts every
// pending head and deletes the marker in the same transaction. After a kill -9 a writer's open
// puts them from the runs (recover_pending_heads) before the writer starts.
//
// Staging: a group's changes are kept apart until its transaction commits (commit); a group
// that aborts (refused, retried in a grown map) drops them (discard) and starts from the
// committed ones, as the log tip does.
//
// Threading: the writer thread only. Errors: lmdb::error from the puts.

#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace ledger::store::detail {

class pending_heads {
public:
    static constexpr std::uint64_t commits_per_write = 8;
    static constexpr std::uint64_t max_pending_events = 512;

    /// `enabled`: the ledger is format 8 (tables::lazy_heads); otherwise every call is a no-op
    /// and every head is put at once.
    explicit pending_heads(bool enabled) : enabled_(enabled) {}

    bool enabled() const noexcept { return enabled_; }

    /// The newest head of stream `stream_number` this writer knows and `streams` may lack, or
    /// null: the record is current.
    stream_head const* find(std::uint64_t stream_number) const;

    /// The head after a request of an existing stream whose rule state did not change: kept
    /// instead of put. `first_position`: the request's first event's.
    void defer(stream_head const& head, std::uint64_t first_position);

    /// The head after a request that put it at once: a pending copy is now behind it.
    void put_at_once(stream_head const& head);

    /// Once per group, before its commit: starts the marker when the group deferred the first
    /// pending head, or puts every pending head and deletes the marker when it is time
    /// (commits_per_write, or more than max_pending_events from the marker to `next_position`,
    /// the log's end after the group) or `write_all`.
    void before_commit(lmdb::write_txn& txn, tables const& db, bool write_all, std::uint64_t next_position);

    /// The group's transaction committed: its changes become the committed state.
    void commit();
    /// The group's transaction aborted: its changes are dropped.
    void discard();

    /// Whether any head is pending in the committed state (a clean stop writes them).
    bool any() const noexcept { return marker_.has_value(); }

private:
    struct entry {
        stream_head head;
        bool stored = false;  // put at once after it was deferred: nothing to write
    };
    void write_all(lmdb::write_txn& txn, tables const& db);

    bool enabled_;
    // Committed: the heads behind their records (or stored since), the marker and how many
    // commits had pending heads.
    std::unordered_map<std::uint64_t, entry> committed_;
    std::optional<std::uint64_t> marker_;
    std::uint64_t commits_pending_ = 0;
    // This group's changes.
    std::unordered_map<std::uint64_t, entry> staged_;
    std::optional<std::uint64_t> staged_marker_;
    bool wrote_all_ = false;
    std::string scratch_;
};

}  // namespace ledger::store::detail
