#pragma once
// Keeps the as-of checkpoints of the read models (projection_checkpoint.hpp): captures a read
// model's state at a boundary (its save()), holds the records until the writer's next group
// commit puts them into the `projections` table (write_pending, from the before-commit hook),
// and finds the nearest usable checkpoint at or before a position for an as-of query.
//
// Captures come from every fold that crosses a boundary: the runner's live and catch-up folds,
// and as-of folds that had to start further back because a checkpoint was missing, damaged or
// stale (so such a checkpoint is rebuilt by the next query that needs it). A boundary whose
// checkpoint is already stored and usable is not captured again.
//
// A record put by write_pending is forgotten only once a commit is known to hold it: the
// writer's transaction may still fail after its hook (the map filling at the commit: the
// group is retried, with the hook run again), and until the commit a reader of the store does
// not find it. Each write_pending puts a marker record numbered above the last; what it put
// waits (counted in `waiting`, load() reads it from memory, the next write_pending puts it
// again) until confirm_written finds that number committed.
//
// Threading: every member is safe from any thread (one mutex guards the pending records and
// what is known to be stored), but write_pending is for the before-commit hook only and no
// other member may be called inside a write transaction of the same thread (they read the
// store). Errors: lmdb::error from reads of the store propagates; save() failures propagate
// from capture (the caller decides; the runner logs them).

#include "ledger/app/decompressed_pieces.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/read_model.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ledger::app {

struct checkpoint_stats {
    std::uint64_t captured = 0;  // checkpoints taken (waiting or written)
    std::uint64_t written = 0;   // records put by write_pending and committed
    std::uint64_t dropped = 0;   // captures dropped: too many bytes waiting
    std::uint64_t used = 0;      // as-of folds that started from a checkpoint
    std::uint64_t unusable = 0;  // checkpoints found damaged or stale (rebuilt when crossed)
    std::uint64_t waiting = 0;   // records captured and not committed yet
};

/// A read transaction of the store in which a loaded model views a checkpoint's record in place
/// (checkpoint_keeper::load with a lease). The transaction ends at end() or with the lease,
/// whichever comes first; afterwards the model's undecoded entries must not be read (freeing
/// the model reads none). A map growth of the writer waits while it lasts (as for any read
/// transaction): an as-of answer's fold and render. Threading: end() from the thread using it.
class record_lease {
public:
    explicit record_lease(std::unique_ptr<store::projection_reader> reader) : reader_(std::move(reader)) {}
    store::projection_reader const* reader() const noexcept { return reader_.get(); }
    void end() noexcept { reader_.reset(); }

private:
    std::unique_ptr<store::projection_reader> reader_;
};

class checkpoint_keeper {
public:
    /// `store` must outlive the keeper.
    checkpoint_keeper(store::event_store const& store, checkpoint_options options);

    checkpoint_options const& options() const noexcept { return options_; }

    /// `model`, about to fold the event at `next_position` (a boundary), has folded exactly
    /// [0, next_position): keeps its state unless that checkpoint is stored and usable. For a
    /// month start, also the month's record. The caller keeps `model` unchanged meanwhile.
    void capture(projections::read_model const& model, std::uint64_t next_position,
                 checkpoint_boundary boundary, timestamp recorded_at);

    /// Puts the records waiting, with those put before that no commit is known to hold yet;
    /// from the store's before-commit hook (writer thread).
    void write_pending(store::projection_records& records);

    /// Forgets the records put by write_pending once the store's committed state holds them
    /// (their marker). After a commit, on any thread outside a write transaction; stats() and
    /// wait_written call it too.
    void confirm_written();

    /// A read model like `prototype` loaded from the usable checkpoint with the largest
    /// position P <= `limit`, and P; or a fresh one and 0. `limit` must be at most the events
    /// in the log.
    std::pair<std::unique_ptr<projections::read_model>, std::uint64_t> nearest(
        projections::read_model const& prototype, std::uint64_t limit);

    /// The position nearest() tries first for `limit` (the largest interval multiple or month
    /// start <= `limit`; 0 when none), without reading any checkpoint: an as-of fold starts
    /// scanning from it while load() reads it (projection_as_of.cpp).
    std::uint64_t first_candidate(std::uint64_t limit);

    /// A read model like `prototype` loaded from its checkpoint at `next_position`, or nullptr
    /// when that one is not stored or is unusable (logged, counted, taken again when crossed).
    /// With `lease`: an application-table record stored (not waiting), whole or in plain chunks,
    /// is read in place, in the map, instead of copied or put together (~145 MB at 10,000,000
    /// events; compressed chunks are decompressed each into its own place, with or without a
    /// lease, and need none: decompressed_pieces.hpp), inside a read transaction
    /// that *lease holds (null when nothing was read in place). The caller must end() it once
    /// the model reads no more of its checkpoint (after its fold and render, before the model
    /// is handed to another thread or the store goes) and must not wait for the writer before.
    std::unique_ptr<projections::read_model> load(projections::read_model const& prototype,
                                                  std::uint64_t next_position,
                                                  std::shared_ptr<record_lease>* lease = nullptr);

    /// (Confirms what was written first: waiting counts what no commit is known to hold.)
    checkpoint_stats stats();

    /// Whether the checkpoint index (record `checkpoint-index`, written with the checkpoints)
    /// lists `key` as written by `code_version`. Cheap: the index is small and read once.
    bool indexed(std::string const& key, std::uint32_t code_version);

    /// Whether the checkpoint of `prototype`'s kind at `next_position` is usable (and, for a
    /// model sharing the application table, the table's record at that position): listed by
    /// the index, or stored (read and checked: then listed with the next commit).
    bool stored(projections::read_model const& prototype, std::uint64_t next_position);

    /// How wait_written makes the waiting records durable without waiting for an append
    /// (the runner's: store::event_store::write_projection_records). Set it before any
    /// thread uses the keeper; without it wait_written waits for the next group commit.
    void set_commit(std::function<void()> commit) { commit_ = std::move(commit); }

    /// Commits the captured records waiting (set_commit), then blocks until none waits (each
    /// committed), or `stopping`.
    void wait_written(std::atomic<bool> const& stopping);

    /// A record's bytes and what keeps them alive (checkpoint_keeper.cpp's reads).
    struct held_record {
        std::shared_ptr<void const> owner;
        std::string_view bytes;
    };

private:
    class candidates;
    void load_index();  // mutex_ held
    void forget_confirmed();  // mutex_ held: the unconfirmed records are committed
    bool stored_and_usable(std::string const& key, std::uint32_t code_version, std::uint64_t next_position);
    std::optional<std::uint64_t> month_position(timestamp in_month);
    /// The record under `key`: waiting for a commit, else stored; a manifest reassembled from
    /// its chunks (waiting or stored). When it is there but cannot be reassembled, the
    /// manifest's bytes and `problem` says why.
    std::optional<std::string> record(std::string const& key, std::string& problem);
    /// The record under `key` (as record()) in memory that `owner` keeps: a large one (the
    /// application table's) copied or put together into huge pages once, not into a string
    /// (huge_page_bytes.hpp). When it is there but cannot be put together, the manifest's bytes
    /// and `problem` says why.
    std::optional<held_record> record_held(std::string const& key, std::string& problem);
    /// The record under `key` waiting for a commit (newer than what is stored), if any.
    std::optional<std::string> waiting_record(std::string const& key) const;
    /// The chunks a manifest lists that wait for a commit, by key (copies).
    std::unordered_map<std::string, std::string> waiting_chunks(std::string_view manifest) const;
    /// The record under `key` viewed in the map, inside the returned lease's transaction, when
    /// it is stored whole and no newer one waits for a commit; else nullopt (read it by record()).
    std::optional<std::pair<std::shared_ptr<record_lease>, std::string_view>> whole_in_place(std::string const& key);
    /// The same for a record stored in plain chunks ("RMK1"), every chunk stored: the chunks'
    /// bytes in order, each where it lies in the map (decoded in place, no contiguous copy).
    /// nullopt otherwise (compressed chunks, a chunk waiting for a commit: record_held's).
    std::optional<std::pair<std::shared_ptr<record_lease>, std::vector<std::string_view>>> chunks_in_place(
        std::string const& key);
    /// The same for a record stored in compressed chunks ("RMK2"), every chunk stored and
    /// decompressing to its length: each chunk decompressed into a place of its own
    /// (decompressed_pieces.hpp), no read transaction kept. nullopt otherwise (record_held's).
    std::optional<detail::decompressed_pieces> chunks_decompressed(std::string const& key);
    /// Whether a newer record under `key` waits for a commit (then read from memory).
    bool waits(std::string const& key) const;
    /// A record to keep: itself, or (large) its manifest and the chunks not stored yet, as they
    /// are stored (compressed when `compress` and options().compression_level > 0).
    struct kept_record {
        std::string record;
        std::vector<std::pair<std::string, std::string>> chunks;  // key, bytes as stored
    };
    kept_record keep_chunked(std::string record, bool compress);
    /// The checkpoint `bytes` hold when it decodes, is of `code_version` and covers
    /// `next_position` within the log; else nullopt and `problem` says why.
    std::optional<detail::projection_snapshot_view> usable(std::string_view bytes, std::uint32_t code_version,
                                                           std::uint64_t next_position, std::string& problem) const;
    /// Whether a record of `stored_version` covering `stored_next` events is usable for a read
    /// model at `code_version` loading at `next_position`; else false and `problem` says why.
    bool covers(std::uint32_t stored_version, std::uint64_t stored_next, std::uint32_t code_version,
                std::uint64_t next_position, std::string& problem) const;

    store::event_store const& store_;
    checkpoint_options options_;
    std::function<void()> commit_;

    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, std::string>> pending_;  // key, record
    std::size_t pending_bytes_ = 0;
    std::set<std::string> known_;  // keys stored (or waiting) and usable
    // Chunk keys waiting, put by this keeper, or found stored with the bytes their key says.
    std::unordered_set<std::string> known_chunks_;
    bool index_loaded_ = false;
    std::map<std::string, std::uint32_t> index_;  // checkpoint keys written → code version
    std::vector<std::pair<std::string, std::uint32_t>> pending_index_;
    // Put by write_pending, no commit known to hold them yet (confirm_written).
    std::vector<std::pair<std::string, std::string>> unconfirmed_;
    std::vector<std::pair<std::string, std::uint32_t>> unconfirmed_index_;
    std::uint64_t marker_ = 0;  // the number of the last marker put (or stored before this keeper)
    std::condition_variable written_;
    checkpoint_stats stats_;
};

}  // namespace ledger::app
