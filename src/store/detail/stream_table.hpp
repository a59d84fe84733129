#pragma once
// A stream's own records, in either layout of tables.hpp: its head (number, last version, rule
// state) and its stream-index runs (one entry per run of the stream's consecutive events in the
// log: first version -> first position).
//
// Format 3 ("combined") keeps both in one table, `streams`, keyed by the stream's number:
//   number (u64 BE) ‖ first version (u64 BE)  -> first position (u64 BE)   a run
//   number (u64 BE) ‖ 2^64-1                   -> stream_head               the head
// and `stream_names`: name -> number, written once, when the stream is created. A stream's
// newest run sits right before its head, so an append to an existing stream dirties one leaf
// page of `streams`, where the separate layout (formats 1 and 2: stream_heads by name,
// stream_index by number) dirties one in each of two B-trees. Numbers are handed out in
// creation order, so streams created about the same time (often the busy ones) share pages,
// and a new stream's run and head go to the table's end (MDB_APPEND).
//
// Format 7 ("linked") keeps a stream's records where commits of scattered streams dirty few
// pages: the runs are keyed by their first position, so every run appends (MDB_APPEND) to one
// table whatever its stream, and each links back to its stream's previous run:
//   stream_runs:  first position (u64 BE)      -> LEB128 number ‖ LEB128 first version ‖ LEB128 back
//   streams:      number (u64 BE)              -> head: LEB128 last version ‖ LEB128 last run ‖ rule state
//   stream_marks: number ‖ version (u64 BE)    -> LEB128 first position of the run holding version
//                 (every version that is a positive multiple of mark_interval)
// A head record is ~4 bytes plus its rule state, so heads alone pack ~100 to a page (created
// with MDB_APPEND); an append dirties its stream's head page and the runs' last page. A version
// is found from the first mark at or above it (or the head's last run) by following back links:
// at most mark_interval runs.
//
// Threading: whoever owns the transaction. Errors: lmdb::error from LMDB, codec_error for a
// damaged head record, std::logic_error when a created stream's name is already taken (a bug
// upstream: heads are read before they are created).

#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::store::detail {

/// The version part of a head's key in the combined table: after every run of its stream.
inline constexpr std::uint64_t head_key_version = std::numeric_limits<std::uint64_t>::max();

/// Linked layout: every version that is a positive multiple of this has a mark.
inline constexpr std::uint64_t mark_interval = 64;

/// One record of `stream_runs` (linked layout).
struct run_record {
    std::uint64_t stream_number = 0;
    std::uint64_t first_version = 0;
    std::uint64_t back = 0;  // first position - the stream's previous run's; 0: its first run
};
void encode_run_record(run_record const& run, std::string& out);
/// Throws codec_error for a damaged record.
run_record decode_run_record(std::string_view bytes);

/// What one key of the combined `streams` table is: a head, a run (with its first version), or
/// neither.
struct stream_key_parts {
    enum class kind { head, run, malformed } what = kind::malformed;
    std::uint64_t stream_number = 0;
    std::uint64_t first_version = 0;  // runs
};
stream_key_parts parse_stream_key(std::string_view key) noexcept;

/// A stream's head as `txn` sees it, or nullopt for a stream without events: its record, and
/// in format 8 brought up to date (last version, last run) from the run records written since
/// meta's heads_pending_from (apply_pending_runs). Throws codec_error when a record is damaged.
std::optional<stream_head> read_stream_head(lmdb::txn const& txn, tables const& db, std::string_view stream);

/// A stream's head record alone, as `streams` holds it (format 8: possibly behind the log). The
/// writer's own reads (it knows its pending heads, pending_heads.hpp) and verify's first look.
std::optional<stream_head> read_stored_head(lmdb::txn const& txn, tables const& db, std::string_view stream);

/// Format 8: meta's heads_pending_from, or nullopt when every head record is current (and in
/// formats 1-7). Throws codec_error when it is malformed.
std::optional<std::uint64_t> heads_pending_from(lmdb::txn const& txn, tables const& db);

/// What the run records since heads_pending_from say of a stream: its newest run and last version.
struct pending_run {
    std::uint64_t last_run = 0;
    std::uint64_t last_version = 0;
};

/// Format 8: calls visit(stream number, pending_run) for each run record from the one holding
/// `from` to the log's end, in log order (a stream's newest last); a run ends where the next
/// record starts, the last one at the log's last entry. Runs partition the log, so the last
/// visit of a stream says where its head is. Throws codec_error for a damaged record.
template <typename Visit>
void visit_pending_runs(lmdb::txn const& txn, tables const& db, std::uint64_t from, Visit&& visit);

/// Format 8: `head` (a record read from `streams`) brought up to date with the runs since meta's
/// heads_pending_from, if any. One scan of those runs (the writer bounds them, pending_heads.hpp).
void apply_pending_runs(lmdb::txn const& txn, tables const& db, stream_head& head);

/// Writes a stream's head record (its number, last version and rule state); `created`: the
/// stream is new (its name is recorded too). `scratch` is a reused encode buffer. A follower
/// storing sealed events calls, per request it replays: read_stream_head (a new stream takes
/// the next stream number), put_stored_event for each event, then put_stream_head once,
/// exactly as append_one does.
void put_stream_head(lmdb::write_txn& txn, tables const& db, std::string_view stream,
                     stream_head const& head, bool created, std::string& scratch);

/// What puts may assume about the end of the stream index (`stream_index`, or `streams` in the
/// combined layout), so that a new stream's entries MDB_APPEND there.
struct stream_index_tail {
    bool any_stream = false;          // the index has entries
    std::uint64_t newest_stream = 0;  // then: the largest stream number in it
};
stream_index_tail read_stream_index_tail(lmdb::txn const& txn, tables const& db);

/// Puts the stream-index entry of the run of stream `stream_number` that starts at `version`,
/// at the position `position_key` (encoded). put_stored_event decides when a run starts.
/// Formats 1-6.
void put_run_start(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
                   std::string_view position_key, stream_index_tail& tail);

/// Linked layout (format 7): puts the run of stream `stream_number` starting at `version` at
/// `position` (the log's newest), linked back to `last_run` (the stream's newest run before it;
/// ignored for version 0), and sets `last_run` to `position`.
void put_linked_run(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
                    std::uint64_t position, std::uint64_t& last_run);

/// Linked layout: marks `version` (a positive multiple of mark_interval) as held by the run
/// starting at `run`.
void put_mark(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
              std::uint64_t run);

/// Where `version` of stream `stream_number` is in the log, through the run that holds it (the
/// stream's run with the largest first version <= version); nullopt when the stream has no run
/// at or below it. The caller bounds `version` by the stream's head: a run ends where the next
/// run starts or the stream ends.
std::optional<version_location> locate_version(lmdb::txn const& txn, tables const& db,
                                               std::uint64_t stream_number, std::uint64_t version);

/// The log positions of versions `first`..`last` (inclusive, first <= last <= the head's last
/// version) of stream `head`, in version order, appended to `out`. In the linked layout one
/// walk back over the runs, in the others locate_version per version. Returns false when the
/// index does not hold them all (a damaged ledger).
bool locate_versions(lmdb::txn const& txn, tables const& db, stream_head const& head, std::uint64_t first,
                     std::uint64_t last, std::vector<std::uint64_t>& out);

/// The stream records a ledger holds, for verify: heads, the versions they account for (sum of
/// last_version + 1), runs, and records that fit neither or disagree (combined layout: a key
/// that is neither a head's nor a run's, a head whose number is not its key's, a name without
/// a head or a head without a name).
struct stream_census {
    std::uint64_t heads = 0;
    std::uint64_t versions = 0;
    std::uint64_t runs = 0;
    std::uint64_t malformed = 0;
};
stream_census count_stream_records(lmdb::txn const& txn, tables const& db);

/// Format 8: the pending runs of every stream, by number (for verify's census and recovery).
std::vector<std::pair<std::uint64_t, pending_run>> collect_pending_runs(lmdb::txn const& txn, tables const& db,
                                                                       std::uint64_t from);

/// Format 8, at a writer's open (before the group writer starts): puts every pending head,
/// brought up to date from the run records, and deletes heads_pending_from, in `txn`. Returns
/// how many heads it put (0: nothing was pending). After a kill -9 this is what the writer had
/// kept in memory: an acknowledged event is in the log and its run, and a deferred head's rule
/// state is its record's (the writer defers only heads whose rule state did not change).
std::size_t recover_pending_heads(lmdb::write_txn& txn, tables const& db);

/// How many streams the ledger has.
std::uint64_t stream_count(lmdb::txn const& txn, tables const& db);

template <typename Visit>
void visit_pending_runs(lmdb::txn const& txn, tables const& db, std::uint64_t from, Visit&& visit) {
    lmdb::cursor log_end(txn, db.log);
    auto const last = log_end.last();
    if (!last) return;
    std::uint64_t const end = decode_u64(last->first) + 1;
    lmdb::cursor runs(txn, db.stream_runs);
    auto entry = runs.seek(view(encode_u64(from)));
    // The run holding `from` starts at or before it: the record before, unless one starts there.
    if (!entry || decode_u64(entry->first) != from) entry = entry ? runs.prev() : runs.last();
    if (!entry) entry = runs.first();
    while (entry) {
        auto const position = decode_u64(entry->first);
        auto const record = decode_run_record(entry->second);
        entry = runs.next();
        std::uint64_t const run_end = entry ? decode_u64(entry->first) : end;
        if (run_end <= position) throw codec_error("a stream run ends before it starts");
        visit(record.stream_number,
              pending_run{.last_run = position, .last_version = record.first_version + (run_end - position - 1)});
    }
}

}  // namespace ledger::store::detail
