#pragma once
// As-of checkpoints of the read models (issue 14): each read model's state at fixed points of
// the log, so that `as_of_position`/`as_of` folds from the nearest checkpoint at or before the
// position asked for, not from position 0.
//
// Where: a checkpoint covers the positions [0, P) and is taken where
//  - P is a multiple of `every` (500,000 by default), or
//  - event P is the first recorded in a new calendar month (UTC) of recorded time: the state
//    of everything recorded before that month began.
// So an as-of query folds at most min(one interval, one month) of events.
//
// Stored in the store's `projections` table (beside the snapshots) through the writer's
// before-commit hook, like snapshots: `checkpoint/<name>/<P, 20 digits>` holds one read
// model's state in a record like a snapshot's (its own format tag "RMC1", the code version,
// P, SHA-256 of the state, the state: read_model::save(), or for the three models sharing the
// application table save_without_table(), the table being saved once under
// `checkpoint-table/applications/<P>`), and `checkpoint-month/<YYYY-MM>` holds P of that
// month's first event (one small record per month, shared by every model).
//
// A record is used only when it decodes, its checksum matches, its code version is the read
// model's, it covers P and P is within the log; otherwise the query folds from an earlier
// checkpoint (or 0) and captures the boundary again on its way, so a damaged or stale
// checkpoint is rebuilt (checkpoint_keeper). It is never served.
//
// Chunked (issue 14/18, branch rm-checkpoints): a record of `chunk_threshold` bytes or more is
// not stored whole. It is cut at content-defined boundaries (a gear rolling hash, ~2^chunk_bits
// bytes per chunk) and each chunk is stored once under `checkpoint-chunk/<SHA-256 of the chunk,
// hex>`; the checkpoint's own key holds a manifest (tag "RMK1", the record's size, each chunk's
// digest and length). Chunks are shared by every checkpoint (and every read model) whose record
// holds the same bytes, so a checkpoint stores only the chunks its state changed since any
// earlier one: total bytes grow with what changed, not with (checkpoints x state). The record a
// manifest reassembles is the same "RMC1" record (code version, position, SHA-256 of the
// state), checked as before; a whole "RMC1" record under the key (a ledger from before, or
// chunk_bits = 0) is read as it is.
//
// Compressed chunks (issue 18, branch bytes-served2): with `compression_level` > 0 a chunked
// record's manifest has the tag "RMK2" (otherwise the same list) and its chunks are stored under
// `checkpoint-zchunk/<SHA-256 of the plain chunk>` as zstd frames (checkpoint_chunk_codec.hpp),
// decompressed into the record's place as it is put together; a frame that does not decompress
// to its listed length makes the record unusable, like a missing chunk, and changed bytes are
// found by the state's SHA-256 as before. "RMK1" manifests and their plain chunks (ledgers
// from before) are read as they are. The application table's record is compressed too unless
// `compress_table` is off (issue 18, branch served-z: ~12 B/event fewer on a served 10,000,000
// demo-event ledger); an as-of load decompresses its chunks one at a time, each into its own
// place, and decodes the table from those pieces (decompressed_pieces.hpp) as it decodes plain
// chunks where they lie in the map — no contiguous copy of the ~145 MB record.
//
// The codec and key functions are pure; checkpoint_boundaries reads the log.

#include "ledger/app/projection_snapshot.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/time.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::app {

struct checkpoint_options {
    /// A checkpoint every this many events (0: none at intervals).
    std::uint64_t every = 500'000;
    /// A checkpoint where recorded time enters a new calendar month (UTC).
    bool month_starts = true;
    /// Captured checkpoints wait in memory until the next group commit writes them; beyond
    /// this many bytes waiting, a new capture is dropped (taken again by a later fold).
    std::size_t max_pending_bytes = std::size_t{256} << 20;
    /// Records of at least this many bytes are stored in content-defined chunks shared between
    /// checkpoints (~2^chunk_bits bytes each); 0 bits: every record whole (the form before).
    unsigned chunk_bits = 15;
    std::size_t chunk_threshold = std::size_t{64} << 10;
    /// zstd level of chunked records' chunks (manifest "RMK2"); 0: plain chunks ("RMK1", the
    /// form before). Level 1: at 10,000,000 demo events 0.19 of the pages at ~4 ms of CPU per
    /// MB compressed (only chunks not stored yet are), ~1 ms per MB decompressed.
    int compression_level = 1;
    /// Whether the application table's records are compressed too (see the top of this file;
    /// false: plain chunks, "RMK1", read in place in the map by an as-of load).
    bool compress_table = true;
    /// A record of at least this many bytes that a load copies or puts together from its chunks
    /// (the application table's: ~137 MB at 10,000,000 demo events) goes into huge pages, not a
    /// string (huge_page_bytes.hpp: a tenth of the page faults' cost where they are dear); the
    /// small ones are not worth a 2 MiB page each. Tests set 0 to put every record there.
    std::size_t huge_page_record_bytes = std::size_t{1} << 20;
};

namespace detail {

/// A checkpoint is a snapshot record under its own tag and key: it covers [0, next_position).
using projection_checkpoint = projection_snapshot;

/// "checkpoint/<name>/<next_position as 20 digits>".
std::string checkpoint_key(std::string_view name, std::uint64_t next_position);

/// "checkpoint-table/applications/<next_position as 20 digits>": the application table that
/// recruits-per-campaign, funnel and retention share, saved once per checkpoint; their own
/// records hold read_model::save_without_table() (as their snapshots do).
std::string checkpoint_table_key(std::uint64_t next_position);

/// "checkpoint-month/<YYYY-MM>" of the month `t` falls in (UTC).
std::string month_key(timestamp t);
/// The first instant of the month before the one `t` falls in.
timestamp previous_month_start(timestamp t);
/// Whether `a` and `b` fall in the same calendar month (UTC).
bool same_month(timestamp a, timestamp b);

/// The record: format tag "RMC1", code version, next position, SHA-256(state), state.
std::string encode_checkpoint(projection_checkpoint const& checkpoint);
/// nullopt for bytes that are not a checkpoint record of this format or whose state does not
/// match its checksum (`problem` then says which). With `verify == false` the checksum is not
/// computed (for a cheap look at what is stored).
std::optional<projection_checkpoint> decode_checkpoint(std::string_view bytes, std::string* problem = nullptr,
                                                       bool verify = true);

/// As decode_checkpoint, the state viewed in `bytes` rather than copied (an as-of load).
std::optional<projection_snapshot_view> decode_checkpoint_view(std::string_view bytes, std::string* problem = nullptr);
/// The same for a chunked record read where its chunks lie (the chunks' bytes in order), not
/// joined (decode_state_record_pieces).
std::optional<projection_snapshot_pieces> decode_checkpoint_pieces(std::span<std::string_view const> pieces,
                                                                   std::string* problem = nullptr);

/// The key of the checkpoint index: every checkpoint key written, with its code version, so
/// that finding the missing ones reads one small record instead of every checkpoint.
inline constexpr std::string_view checkpoint_index_key = "checkpoint-index";
std::string encode_index(std::map<std::string, std::uint32_t> const& index);
/// An empty index for bytes that are not one.
std::map<std::string, std::uint32_t> decode_index(std::string_view bytes);

/// A month record: tag "RMM1" and the position of the month's first event.
std::string encode_month(std::uint64_t first_position);
std::optional<std::uint64_t> decode_month(std::string_view bytes);

/// Chunked records (see the top of this file).
inline constexpr std::string_view chunk_prefix = "checkpoint-chunk/";
/// "checkpoint-chunk/<digest as 64 hex digits>".
std::string chunk_key(sha256_digest const& digest);
/// Compressed chunks (manifest "RMK2"): "checkpoint-zchunk/<digest of the plain chunk>".
inline constexpr std::string_view compressed_chunk_prefix = "checkpoint-zchunk/";
std::string compressed_chunk_key(sha256_digest const& digest);
/// Whether `key` names a chunk of either form.
bool is_chunk_key(std::string_view key);

struct checkpoint_chunk {
    std::string key;         // chunk_key of its bytes
    std::string_view bytes;  // within the record cut
};
struct chunked_checkpoint {
    std::string manifest;  // stored under the checkpoint's key
    std::vector<checkpoint_chunk> chunks;
};

/// `record` cut at content-defined boundaries: chunks of 2^(average_bits-2) to 2^(average_bits+2)
/// bytes (the last may be shorter), ~2^average_bits on average. Boundaries depend only on the
/// bytes near them, so bytes inserted or changed move only the chunks around them. Pure.
/// `compressed`: the manifest "RMK2" and compressed_chunk_key()s (the chunks' bytes stay plain
/// here: the caller compresses the ones it stores, compress_chunk).
chunked_checkpoint chunk_checkpoint(std::string_view record, unsigned average_bits, bool compressed = false);

/// Whether `bytes` is a manifest (tag "RMK1" or "RMK2"), not a whole record.
bool is_manifest(std::string_view bytes);
/// Whether `bytes` is a manifest of compressed chunks ("RMK2").
bool is_compressed_manifest(std::string_view bytes);

/// The chunks a manifest lists (key, length) and the record's size; nullopt when it does not
/// decode or the lengths do not add up.
struct manifest_entry {
    std::string key;
    std::uint32_t size = 0;
};
std::optional<std::vector<manifest_entry>> decode_manifest(std::string_view bytes, std::uint64_t* total = nullptr);

/// The record a manifest stands for, its chunks from `chunk` (nullopt: not stored; as stored,
/// so compressed for "RMK2"); nullopt and `problem` when the manifest does not decode or a chunk
/// is missing, of another length or (compressed) does not decompress to its length.
/// (A chunk whose bytes changed is found by the record's SHA-256 of the state.)
std::optional<std::string> assemble_checkpoint(
    std::string_view manifest, std::function<std::optional<std::string_view>(std::string_view)> const& chunk,
    std::string* problem = nullptr);

/// As assemble_checkpoint, into the bytes `allocate(size)` returns for the record's size (which
/// the manifest gives, before any chunk is read): the caller chooses the memory (an as-of load
/// puts the application table's record into huge pages: huge_page_bytes.hpp). false and
/// `problem` where assemble_checkpoint gives nullopt (the bytes allocated are then partly written).
bool assemble_checkpoint_into(std::string_view manifest,
                              std::function<std::optional<std::string_view>(std::string_view)> const& chunk,
                              std::function<char*(std::size_t)> const& allocate, std::string* problem = nullptr);

/// The checkpoint record stored under `key`: a whole record as stored, a manifest reassembled
/// from its chunks; nullopt when there is none or it cannot be reassembled. (Tests, benches.)
std::optional<std::string> read_checkpoint_record(store::event_store const& store, std::string_view key);

}  // namespace detail

/// Whether a position is a checkpoint boundary: checkpoint_boundaries::at(e) for the event
/// about to be folded says whether the state before it (covering [0, e.position)) is one.
struct checkpoint_boundary {
    bool interval = false;     // e.position is a multiple of `every`
    bool month_start = false;  // e is the first event recorded in its month
    explicit operator bool() const noexcept { return interval || month_start; }
};

/// Finds boundaries along a fold in log order. It remembers the recorded time of the last
/// event it saw; for an event whose predecessor it has not seen it reads that one from the log.
/// Threading: one object per fold (not thread-safe). Throws lmdb::error for storage failures.
class checkpoint_boundaries {
public:
    checkpoint_boundaries(store::event_store const& store, checkpoint_options const& options)
        : store_(store), options_(options) {}

    checkpoint_boundary at(recorded_event const& event);

private:
    store::event_store const& store_;
    checkpoint_options options_;
    std::optional<std::uint64_t> last_position_;
    timestamp last_recorded_{};
};

}  // namespace ledger::app
