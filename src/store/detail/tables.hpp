#pragma once
// The named LMDB databases of a ledger (SPEC §3) and the byte layout of their keys and values.

#include "detail/log_values.hpp"

#include "ledger/sha256.hpp"
#include "ledger/store/lmdb.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store::detail {

/// Bumped when the stored layout changes incompatibly; checked at open.
/// 1: one stream-index entry per event. 2: the stream index holds runs (below). A version-1
/// index is a version-2 index whose runs are all one event long, so this build reads both and
/// raises a ledger it opens for writing to 2 (older builds then refuse it instead of misreading).
/// 3: a stream's head sits right after its runs in one table, `streams`, keyed by stream
/// number (detail/stream_table.hpp), so an append dirties one leaf page per stream, not two;
/// `stream_names` maps a name to its number. New ledgers are written as 3; a ledger of version
/// 1 or 2 keeps its two tables (the "separate" layout), is read and written as it is, and is
/// never rewritten.
/// 4: format 3's tables, and the log's values are tagged and mostly zstd-compressed with a
/// dictionary kept in meta (detail/log_values.hpp); the stored bytes they decode to (canonical
/// ‖ chain hash) are what they always were. A ledger of format 1-3 keeps plain values and its
/// format for good.
/// 5: format 4's tables and dictionaries; the log's values keep the fields the writer assigns
/// (version, event id, recorded_at) outside the compressed frame and the position not at all
/// (it is the key), so the frame is made before the writer, on the appending thread
/// (detail/log_values.hpp "split"). A format-4 ledger keeps format-4 values for good.
/// 6: format 5's tables and values; the event-id index is `event_id_keys` (a short key made
/// from the id -> sorted 6-byte positions, detail/event_id_index.hpp) instead of `event_ids`
/// (the whole id -> 8-byte position), and a head in `streams` is packed (below). New ledgers
/// are written as 6; a ledger of format 1-5 keeps `event_ids` and cereal heads for good.
/// 7: format 6's values and id index; a stream's runs are `stream_runs`, keyed by their first
/// position (so they append) and linked back to the stream's previous run, a head holds its
/// newest run, heads alone are in `streams` keyed by number, and `stream_marks` holds every
/// 64th version's run (detail/stream_table.hpp "linked"). New ledgers are written as 7; a
/// ledger of format 3-6 keeps its combined `streams` table for good.
/// 8: format 7's tables and records; the writer may leave a head whose rule state a request did
/// not change unwritten for a few commits (detail/pending_heads.hpp): meta's
/// "heads_pending_from" then names the first position whose head change `streams` may lack, and
/// a reader brings a head up to date from the run records from there to the log's end
/// (read_stream_head). New ledgers are written as 8; a ledger of format 1-7 writes heads at once
/// for good (docs/storage.md "Format 8").
inline constexpr std::uint32_t format_version = 8;
inline constexpr std::uint32_t newest_eager_heads_format_version = 7;
inline constexpr std::uint32_t newest_combined_format_version = 6;
inline constexpr std::uint32_t newest_full_id_index_format_version = 5;
inline constexpr std::uint32_t newest_tagged_log_format_version = 4;
inline constexpr std::uint32_t oldest_readable_format_version = 1;
inline constexpr std::uint32_t newest_separate_format_version = 2;
inline constexpr std::uint32_t newest_plain_log_format_version = 3;

/// Where a ledger keeps its streams' heads and stream-index runs.
enum class stream_layout {
    separate,  // formats 1 and 2: stream_heads (by name) and stream_index (by number)
    combined,  // formats 3-6: `streams` (runs and heads by number) and `stream_names`
    linked,    // format 7: `stream_runs` (by position), `streams` (heads by number), `stream_marks`,
               // `stream_names`
};

/// Where a ledger keeps its event-id index (detail/event_id_index.hpp).
enum class id_index_layout {
    full,   // formats 1-5: event_ids, the whole id -> position
    keyed,  // format 6: event_id_keys, a short key -> the positions of the ids that have it
};

/// How a stream's head record is encoded (encode_stream_head).
enum class head_encoding {
    cereal,  // formats 1-5: number (u64) ‖ last version (u64) ‖ rule state (u64 size ‖ bytes)
    packed,  // format 6: LEB128 last version ‖ rule state (the rest); the number is the key's
    linked,  // format 7: LEB128 last version ‖ LEB128 last run (a position) ‖ rule state (the rest)
};

struct tables {
    lmdb::dbi log;           // position (u64 BE) -> stored envelope, as log_codec keeps it
    lmdb::dbi stream_index;  // stream number (u64 BE) ‖ first version (u64 BE) -> first position
                             // (u64 BE) of a run: versions v0, v0+1, … at positions p0, p0+1, …
    lmdb::dbi stream_heads;  // stream name -> stream_head
    lmdb::dbi streams;       // format 3: stream number ‖ first version -> first position of a run
                             // (as stream_index); stream number ‖ 2^64-1 -> stream_head
    lmdb::dbi stream_names;  // format 3: stream name -> stream number (u64 BE)
    lmdb::dbi stream_runs;   // format 7: a run's first position (u64 BE) -> LEB128 stream number
                             // ‖ LEB128 first version ‖ LEB128 back (first position - the
                             // stream's previous run's first position; 0: the stream's first run)
    lmdb::dbi stream_marks;  // format 7: stream number ‖ version (u64 BE each, version a positive
                             // multiple of 64) -> LEB128 first position of the run holding it
    lmdb::dbi event_ids;     // formats 1-5: uuid (16 bytes) -> position (u64 BE)
    lmdb::dbi event_id_keys;  // format 6: id key -> positions (u48 BE), MDB_DUPSORT|MDB_DUPFIXED
    lmdb::dbi projections;   // projection name -> checkpoint and snapshot
    lmdb::dbi subject_keys;  // candidate id -> key material (privacy)
    lmdb::dbi meta;          // "format_version", "chain_head", "next_stream_number",
                             // format 4: "log_dictionary/<id>" (detail/log_values.hpp)
    lmdb::dbi merkle;        // leaf count (u64 BE) -> completed subtree hashes (detail/merkle_tree.hpp)
    stream_layout layout = stream_layout::combined;
    id_index_layout id_layout = id_index_layout::keyed;
    head_encoding heads = head_encoding::packed;
    /// Format 8: heads may be pending (meta's heads_pending_from); readers derive them.
    bool lazy_heads = false;
    /// How log values hold the stored bytes: plain (formats 1-3, and a ledger without a
    /// version yet), tagged with meta's dictionaries (format 4) or split (format 5). Read every log value through
    /// it; shared, immutable.
    std::shared_ptr<log_values const> log_codec = log_values::plain();

    /// Opens every table, creating the missing ones (a ledger has the tables of both layouts;
    /// one pair stays empty). The layout follows meta's format_version: none (a new ledger,
    /// written as the newest format) or 3 to 6 combined, 1 and 2 separate; so do log_codec and
    /// id_layout (none and 6 keyed, 1 to 5 full).
    /// Throws codec_error when a format-4 ledger's dictionaries are malformed.
    static tables open(lmdb::write_txn& txn);
};

using u64_key = std::array<char, 8>;

/// LEB128 (7 bits a byte, low first) of `value`, appended to `out`; and read back from
/// `bytes` at `used`, which it advances. Throws codec_error when the bytes end or overflow.
void append_leb128(std::uint64_t value, std::string& out);
std::uint64_t read_leb128(std::string_view bytes, std::size_t& used);

/// Big-endian, so that LMDB's byte order is numeric order and appends go to the end.
u64_key encode_u64(std::uint64_t value) noexcept;
std::uint64_t decode_u64(std::string_view bytes);
inline std::string_view view(u64_key const& key) noexcept { return {key.data(), key.size()}; }

using stream_index_key = std::array<char, 16>;
stream_index_key encode_stream_index_key(std::uint64_t stream_number, std::uint64_t version) noexcept;
inline std::string_view view(stream_index_key const& key) noexcept {
    return {key.data(), key.size()};
}

/// Where a version is in the log (stream_table.hpp's locate_version). `run_start`: the version
/// starts its run.
struct version_location {
    std::uint64_t position = 0;
    bool run_start = false;
};

/// What the store keeps per stream. Streams are numbered densely as they are created so the
/// stream index stays compact and new streams append at its end.
struct stream_head {
    std::uint64_t stream_number = 0;
    std::uint64_t last_version = 0;
    std::string rule_state;  // owned by the append policy
    std::uint64_t last_run = 0;  // linked layout (format 7): first position of the stream's newest run
};

/// A head record's bytes in `encoding` (appended to `out`); and back. A packed or linked head
/// does not hold its number: decode takes it (the key's). Throws codec_error for a damaged record.
void encode_stream_head(stream_head const& head, head_encoding encoding, std::string& out);
stream_head decode_stream_head(std::string_view bytes, head_encoding encoding, std::uint64_t stream_number);

/// The meta record of the chain head: position of the last event and its hash.
struct stored_chain_head {
    std::uint64_t last_position = 0;
    sha256_digest hash{};
};
std::string encode_chain_head(stored_chain_head const& head);
stored_chain_head decode_chain_head(std::string_view bytes);

inline constexpr std::string_view meta_format_version = "format_version";
inline constexpr std::string_view meta_chain_head = "chain_head";
inline constexpr std::string_view meta_next_stream_number = "next_stream_number";
/// Format 8: the first log position (u64 BE) whose stream's head change may be missing from
/// `streams`; absent when every head record is current.
inline constexpr std::string_view meta_heads_pending_from = "heads_pending_from";

}  // namespace ledger::store::detail
