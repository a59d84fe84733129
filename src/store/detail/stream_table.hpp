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

/// A stream's head record as `txn` sees it, or nullopt for a stream without events.
/// Throws codec_error when the record is damaged.
std::optional<stream_head> read_stream_head(lmdb::txn const& txn, tables const& db, std::string_view stream);

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

/// How many streams the ledger has.
std::uint64_t stream_count(lmdb::txn const& txn, tables const& db);

}  // namespace ledger::store::detail
