#pragma once
// The event store: an append-only, hash-chained log on one LMDB environment (SPEC §3).
//
// Appends from any number of threads are queued to one writer thread that commits them in
// groups, one durable (fsync'd) LMDB transaction per group, and then completes every caller
// with its own result: one request's conflict never fails another of the same group.
// Reads run on the caller's thread in their own read transaction and never block the writer.
//
// Threading: every member function is safe to call from any thread. The destructor drains the
// queue (every request already accepted is answered) and stops the writer.

#include "ledger/envelope.hpp"
#include "ledger/error.hpp"
#include "ledger/store/append.hpp"
#include "ledger/store/append_policy.hpp"
#include "ledger/store/personal_data_seal.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::store {

namespace lmdb {
class env;
}

struct store_options {
    std::filesystem::path directory = "data";
    /// Initial LMDB map size; the map doubles whenever it fills.
    std::size_t initial_map_size = std::size_t{256} << 20;
    /// Largest map the store may grow to; 0 means no limit but the disk's. Appends that would
    /// need more fail with storage_full.
    std::size_t max_map_size = 0;
    /// Domain rules; accept_all_policy when null.
    std::shared_ptr<append_policy const> policy;
    /// Encrypts personal data at append (docs/privacy.md); data is stored as given when null.
    std::shared_ptr<personal_data_seal const> seal;
    /// Upper bound on events per group commit, which bounds one transaction's dirty pages.
    std::size_t max_group_events = 50'000;
    /// Appends that may wait for the writer; more are refused at once with `unavailable`
    /// (details.reason "queue_full"). 0: no bound.
    std::size_t max_queued_appends = 10'000;
    /// Whether this process writes: it then holds an exclusive lock (flock) on
    /// DIR/writer.lock for the store's life, so a second writer (a server, an import) cannot
    /// open the same directory. False opens for reading only (verify, export, backup while a
    /// server runs): no lock, and every append is refused `unavailable`.
    bool writer = true;
};

/// Thrown by event_store's constructor when another process holds the data directory's writer
/// lock.
class directory_locked : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Counters of the group-commit writer.
struct writer_stats {
    std::uint64_t commits = 0;             // durable commits that wrote events
    std::uint64_t requests_committed = 0;  // requests answered by those commits
    std::uint64_t largest_group = 0;       // most requests one commit answered (group commit)
    std::uint64_t queue_full = 0;          // appends refused because the queue was full
    std::uint64_t snapshot_failures = 0;   // before-commit hooks that threw (appends went on)
    // The writer's time over those commits, in nanoseconds (steady clock): idle, waiting for a
    // group's late requests after its first arrived (it writes the early ones meanwhile),
    // appending it, mdb_txn_commit (write and fsync), and from the commit until its callers
    // were answered. events_committed: events those commits wrote.
    std::uint64_t events_committed = 0;
    // Of those, the events whose log value the writer spliced from a template compressed before
    // it, on the appending thread (format 5, docs/storage.md); the others it compressed itself.
    std::uint64_t events_spliced = 0;
    std::uint64_t gathering_ns = 0;
    std::uint64_t writing_ns = 0;
    std::uint64_t committing_ns = 0;
    std::uint64_t answering_ns = 0;
};

enum class read_direction { forward, backward };

/// The tip of the hash chain: how many events the log holds and the last event's hash
/// (all zeros for an empty log).
struct chain_head {
    std::uint64_t events = 0;
    sha256_digest hash{};
    std::optional<std::uint64_t> position() const {
        return events == 0 ? std::nullopt : std::optional(events - 1);
    }
};

struct verify_report {
    bool ok = true;
    std::uint64_t events = 0;  // events checked
    chain_head head;           // as recomputed from the log
    std::optional<std::uint64_t> first_bad_position;
    std::string problem;  // empty when ok
};

/// Sizes of a ledger, cheap to read (no scan).
struct store_stats {
    std::uint64_t events = 0;
    std::uint64_t streams = 0;
    std::uint64_t projection_records = 0;
    std::uint64_t map_size = 0;    // bytes reserved for the memory map
    std::uint64_t file_size = 0;   // bytes of data.mdb on disk
};

/// Filters of a global log read; empty strings mean "no filter".
struct log_query {
    std::uint64_t from_position = 0;
    std::size_t limit = 100;
    std::string type;
    std::string category;
};

/// Puts records into the `projections` table from inside a group's write transaction.
class projection_records {
public:
    virtual ~projection_records() = default;
    /// Stores `value` under `key`, replacing what was there. Throws lmdb::error on failure.
    virtual void put(std::string_view key, std::string_view value) = 0;
    /// Deletes up to `limit` records whose keys start with `prefix` (the first in key order)
    /// and returns how many it deleted. Throws lmdb::error on failure.
    virtual std::size_t erase_prefix(std::string_view prefix, std::size_t limit) = 0;
};

/// Reads the `projections` table in one read transaction: every read sees the table as of the
/// reader's creation. Values point into the map and stay valid while the reader lives.
/// Threading: one thread at a time. Do not keep one while waiting for the writer: growing the
/// map waits until every transaction of the process has ended.
class projection_reader {
public:
    ~projection_reader();
    projection_reader(projection_reader const&) = delete;
    projection_reader& operator=(projection_reader const&) = delete;
    /// The record under `key`, or nullopt.
    std::optional<std::string_view> get(std::string_view key) const;
    /// Calls `visit(key, value)` for each record whose key starts with `prefix`, from the first
    /// key >= `from` (itself >= prefix), in key order, until `visit` returns false.
    void scan(std::string_view from, std::string_view prefix,
              std::function<bool(std::string_view, std::string_view)> const& visit) const;

private:
    friend class event_store;
    struct impl;
    explicit projection_reader(std::unique_ptr<impl> state);
    std::unique_ptr<impl> impl_;
};

/// Called on the writer thread inside each group's write transaction, after the group's events
/// are written and just before the commit, so what it puts is durable exactly when they are.
/// A projection runner uses it to persist a snapshot together with the position it covers.
using before_commit_hook = std::function<void(projection_records&)>;

/// Called on the writer thread right after each durable commit with the events it made
/// durable, in log order. Keep it short: appends wait while it runs.
using commit_observer = std::function<void(std::span<recorded_event const>)>;

/// Called on the writer thread after each durable commit that wrote events, before the
/// group's callers are answered (replication's `sync` publish). Returning an error answers
/// every caller whose events the commit wrote with it instead: the events stay committed.
using after_commit_hook = std::function<std::optional<error>(std::span<recorded_event const>)>;

/// An event as a replication follower receives it (docs/replication.md): already sealed, with
/// its position and its stored bytes (canonical bytes ‖ 32-byte chain hash), and the change
/// the leader's append made to its subject's key in `subject_keys`, if any.
struct replicated_event {
    std::uint64_t position = 0;
    std::string stored;
    /// The subject's key as the leader stores it (wrapped), to store here too.
    std::optional<std::pair<std::string, std::string>> subject_key;  // subject, stored key
    /// A subject whose key the event destroyed (crypto-shredding).
    std::optional<std::string> erased_subject;
};

class event_store {
public:
    /// Opens (or creates) the ledger in options.directory. Throws lmdb::error when the
    /// environment cannot be opened, directory_locked when another process writes it, and
    /// std::runtime_error for an unknown format version or a log that disagrees with the stored
    /// chain head (a truncated or emptied log, an edited head).
    explicit event_store(store_options options);
    ~event_store();
    event_store(event_store const&) = delete;
    event_store& operator=(event_store const&) = delete;

    // ---- appends ----------------------------------------------------------------------------

    /// Appends a batch atomically and durably; blocks until it is committed or refused.
    /// Expected refusals come back as errors: wrong_expected_version, duplicate_event_id,
    /// invalid_stream_name, bad_request (empty batch), the policy's errors, storage_full,
    /// unavailable (shutting down or an I/O failure).
    append_result append(append_request request);

    /// As `append`, but returns at once; `done` runs on the writer thread when the result is
    /// known and must not block.
    void append_async(append_request request, std::function<void(append_result)> done);

    /// A replication follower's entry point (src/store/replicated_append.cpp): stores events
    /// that arrive sealed, at their positions, in one durable transaction with their indexes,
    /// stream heads (rule state folded by the policy) and subject keys, then tells the commit
    /// observers. Each event must be the next position and its hash must chain onto the head:
    /// otherwise nothing of the batch is stored and the error (invalid_event, details
    /// `position` and `reason`) names the first event that does not. Storage failures are
    /// unavailable / storage_full. Call from one thread at a time, never while appends run
    /// (a follower takes none).
    result<chain_head> append_replicated(std::span<replicated_event const> events);

    // ---- reads ------------------------------------------------------------------------------

    /// The stored bytes (canonical ‖ chain hash) of the event at `position`, or nullopt.
    std::optional<std::string> stored_event(std::uint64_t position) const;

    /// The subject's key as stored (wrapped under the key-encryption key), or nullopt.
    std::optional<std::string> stored_subject_key(std::string_view subject) const;

    /// Up to `limit` events of `stream` starting at `from_version` (default: the first for
    /// forward, the last for backward). stream_not_found when the stream has no events.
    result<std::vector<recorded_event>> read_stream(std::string_view stream,
                                                    std::optional<std::uint64_t> from_version,
                                                    std::size_t limit,
                                                    read_direction direction) const;

    /// The stream's last version, or nullopt when it has no events.
    std::optional<std::uint64_t> last_version(std::string_view stream) const;

    /// Events of the global log from query.from_position that pass its filters.
    std::vector<recorded_event> read_log(log_query const& query) const;

    /// The event at `position`, or nullopt.
    std::optional<recorded_event> read_event(std::uint64_t position) const;

    /// Where the event with this id landed, or nullopt.
    std::optional<std::uint64_t> position_of(uuid const& id) const;

    /// Calls `visit` with each stored event from `from_position` in log order, until it returns
    /// false. For replays and exports. One event object is reused for the whole scan: copy
    /// what must outlive the call.
    void scan(std::uint64_t from_position,
              std::function<bool(recorded_event const&)> const& visit) const;

    /// The committed chain head.
    chain_head head() const;

    /// Entry counts and sizes.
    store_stats stats() const;

    /// Walks the whole log and recomputes the hash chain; reports the first broken position.
    /// With `check_indexes` it also proves the indexes agree with the log: every event is found
    /// by its id and by its stream and version, and the indexes hold nothing else.
    verify_report verify(bool check_indexes = false) const;

    // ---- verifiable audit (SPEC §11, docs/audit.md) -------------------------------------------

    /// Leaves of the stored RFC 9162 Merkle tree: every committed event (a read-only open of a
    /// ledger last written by a build without the tree may hold fewer until a writer opens it).
    std::uint64_t tree_size() const;
    /// The root of the tree of the first `size` events. Throws std::out_of_range past tree_size().
    sha256_digest tree_root(std::uint64_t size) const;
    /// RFC 9162 §2.1.3 audit path of the event at `position` in the tree of `size` events, and
    /// §2.1.4 proof that the tree of `first` events is a prefix of that of `second`. Read from
    /// stored nodes, never recomputed. Throw std::out_of_range for positions or sizes out of range.
    std::vector<sha256_digest> inclusion_proof(std::uint64_t position, std::uint64_t size) const;
    std::vector<sha256_digest> consistency_proof(std::uint64_t first, std::uint64_t second) const;
    // (An event's leaf input is canonical_part() of stored_event(position).)
    /// Recomputes the whole tree from the log and compares it with the stored one: the first
    /// position where they disagree and why, or nullopt.
    std::optional<std::pair<std::uint64_t, std::string>> verify_tree() const;

    // ---- waiting for news ---------------------------------------------------------------------

    /// Blocks until the log holds more than `position` events' worth, i.e. the event at
    /// `position` is committed, or `timeout` passes. Returns whether it is committed.
    bool wait_for_position(std::uint64_t position, std::chrono::milliseconds timeout) const;

    /// Registers an observer of commits; returns a handle for remove_observer.
    std::uint64_t add_observer(commit_observer observer);
    void remove_observer(std::uint64_t handle);

    /// Installs the hook run inside every group's transaction (replacing any earlier one; an
    /// empty function removes it). Takes effect from the next group.
    void set_before_commit_hook(before_commit_hook hook);

    /// Installs the after-commit hook (replacing any earlier one; empty removes it). Takes
    /// effect from the next group.
    void set_after_commit_hook(after_commit_hook hook);

    /// The key the personal data seal stored for `subject`, opened by the seal (unwrapped with
    /// the key-encryption key), or nullopt (never created, destroyed by an erasure, or not
    /// openable). Without a seal, the stored bytes as they are.
    std::optional<std::string> subject_key(std::string_view subject) const;

    /// Makes durable what the before-commit hook has to put now, in a write transaction of
    /// the writer's own with no events (queued like an append, committed with fsync), and
    /// waits for it: read models that caught up, or took as-of checkpoints, while no appends
    /// come need not wait for one. nullopt once committed (or when the hook put nothing);
    /// otherwise the writer's refusal (read-only, shutting down, queue full, a storage error).
    std::optional<error> write_projection_records();

    /// A record of the `projections` table, or nullopt.
    std::optional<std::string> read_projection_record(std::string_view key) const;

    /// A reader of the `projections` table in a read transaction of its own (see above).
    /// Throws lmdb::error when no transaction can begin.
    std::unique_ptr<projection_reader> read_projections() const;

    // ---- health ------------------------------------------------------------------------------

    /// The cause of a fatal storage failure (fail-stop: see detail/group_writer.hpp), or
    /// nullopt while the store works. After one, every append is refused until a restart.
    std::optional<std::string> failure() const;

    /// Installs `handler`, run once on the writer thread when a fatal storage failure happens
    /// (replacing any earlier one; empty removes it). Must not block.
    void set_failure_handler(std::function<void(std::string const& cause)> handler);

    /// Stops taking appends: queued ones are answered `unavailable` (unwritten), then waits up
    /// to `timeout` for a commit in progress. Returns false when one is still running (a stalled
    /// disk). For a server's shutdown, before what the callbacks reference is destroyed.
    bool stop_appends(std::chrono::milliseconds timeout);

    writer_stats writer_statistics() const;

    /// The underlying environment, for backups and statistics.
    lmdb::env& environment();

private:
    void check_index_sizes(verify_report& report, std::uint64_t run_starts) const;

    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ledger::store
