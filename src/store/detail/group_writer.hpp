#pragma once
// Group commit: one thread owns every write transaction. Callers queue requests; the writer
// takes everything queued (up to a bound) and appends each request in one LMDB transaction.
// While the callers it expects (those answered by the last commit) are still to come, it
// writes what it took and then the late requests into the same open transaction ("writing
// while gathering", docs/performance.md), commits it durably once when the group is complete
// or its patience ends, and then answers each caller with its own result.
//
// Fail-stop: when LMDB marks the environment failed (MDB_PANIC after a meta page write failed)
// or a commit fails in a way that leaves its outcome unknown, the writer enters a failed state
// for good: the group is told its outcome is unknown, every later request is refused
// `unavailable` naming the cause, and `on_failure` runs once. Only reopening the environment
// (a restart) recovers. Failures whose outcome is known (a full disk, a failed data page write
// or fdatasync before the meta page) refuse the group and go on.
//
// Errors: the writer thread never ends on an exception. Commit observers and completion
// callbacks that throw are logged and skipped; anything else answers the group and continues.

#include "detail/append_one.hpp"
#include "detail/data_file_ahead.hpp"
#include "detail/tables.hpp"

#include "ledger/store/append.hpp"
#include "ledger/store/append_policy.hpp"
#include "ledger/store/lmdb.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <span>
#include <thread>
#include <vector>

namespace ledger::store::detail {

struct group_writer_options {
    std::size_t max_map_size = 0;  // 0: no limit
    std::size_t max_group_events = 50'000;
    /// Runs inside each group's transaction that wrote events (or was asked to by
    /// submit_records_only), just before its commit.
    std::function<void(lmdb::write_txn&)> before_commit;
    /// Seals personal data of admitted events; none when null.
    personal_data_seal const* seal = nullptr;
    /// Requests that may wait in the queue; more are refused `unavailable` at once (with
    /// details.reason "queue_full"). 0: no bound.
    std::size_t max_queued_requests = 0;
    /// Runs once, on the writer thread, when the writer enters the failed state.
    std::function<void(std::string const& cause)> on_failure;
    /// Runs after each durable commit that wrote events, with those events in log order,
    /// before its callers are answered and before the commit observers (replication's `sync`
    /// publish, TEAM seam step 5). An error answers every caller whose events were written
    /// with it instead (they stay committed); exceptions count as `unavailable`.
    std::function<std::optional<error>(std::span<recorded_event const>)> after_commit;
    /// Bytes of written zeros kept past the data file's last used page (data_file_ahead.hpp);
    /// 0: the file grows only as commits use it.
    std::uint64_t data_file_ahead = std::uint64_t{1} << 20;
};

/// Counters of the writer, for metrics and tests.
struct group_writer_stats {
    std::uint64_t commits = 0;            // durable commits that wrote events
    std::uint64_t requests_committed = 0;  // requests answered by those commits
    std::uint64_t largest_group = 0;       // most requests one such commit answered
    std::uint64_t queue_full = 0;          // requests refused because the queue was full
    // Where the writer's time went, summed over those commits (steady clock): waiting idle for
    // the group's late requests after its first arrived (the writer writes the early ones
    // meanwhile); appending it (checks, encoding, chain hashes, puts, Merkle, the before-commit
    // hook; the idle waits between are not counted); mdb_txn_commit (pwrite and fdatasync);
    // after the commit until every caller was answered (after-commit hook, observers, answers).
    std::uint64_t events_committed = 0;
    std::uint64_t events_spliced = 0;  // of those, values spliced from a template made before the writer
    std::uint64_t gathering_ns = 0;
    std::uint64_t writing_ns = 0;
    std::uint64_t committing_ns = 0;
    std::uint64_t answering_ns = 0;
};

class group_writer {
public:
    /// Called on the writer thread after each durable commit, before callers are answered.
    using commit_callback = std::function<void(std::span<recorded_event const>, log_tip const&)>;

    group_writer(lmdb::env& env, tables const& db, append_policy const& policy, log_tip committed,
                 group_writer_options options, commit_callback on_commit);
    ~group_writer();  // processes everything queued (unless stopped), then joins the thread
    group_writer(group_writer const&) = delete;
    group_writer& operator=(group_writer const&) = delete;

    /// Queues a request; `done` runs on the writer thread (or on the caller's, at once, when the
    /// request is refused without queueing: stopped, failed, queue full) and must not block.
    void submit(append_request request, std::function<void(append_result)> done);

    /// Queues a transaction with no events that only runs `before_commit` and commits it
    /// durably (when the hook put anything): read-model records taken while no appends come
    /// are made durable without waiting for one. `done` as for submit; its success carries no
    /// positions.
    void submit_records_only(std::function<void(append_result)> done);

    /// Stops taking requests: answers everything queued `unavailable` (nothing of it was
    /// written), then waits up to `timeout` for a commit in progress to finish and be answered.
    /// Returns false when it is still running (a stalled disk). After stop, every callback of an
    /// accepted request has run or will run only on the writer thread before the destructor
    /// returns.
    bool stop(std::chrono::milliseconds timeout);

    /// The cause of the failed state, or nullopt while the writer works.
    std::optional<std::string> failure() const;

    group_writer_stats stats() const;

    /// Bumped, and every thread waiting on it woken with one futex wake, each time the writer
    /// (or stop) has answered a group or refused queued requests. A caller whose `done` only
    /// stores its answer waits on it (event_store::append): 64 such callers of one commit cost
    /// the writer one wake-up call instead of 64. Any thread may wait on it.
    std::atomic<std::uint32_t> const& answered() const noexcept { return answered_; }

private:
    struct pending {
        append_request request;
        std::function<void(append_result)> done;
        bool records_only = false;  // submit_records_only: no events, the hook and a commit
        prepared_templates prepared;  // made by submit on the caller's thread (format 5)
    };

    void enqueue(pending p);
    void run();
    std::vector<pending> take_group();
    void process(std::vector<pending>& group);
    /// Takes what queued (up to the group's bound) onto the end of `group`; queue_mutex_ held.
    void take_queued(std::vector<pending>& group);
    /// Writing while gathering: appends the requests that queue while the group's callers are
    /// still expected into the open transaction, until the group is complete or its patience
    /// ends. Throws what append_one throws (the caller answers the whole group).
    void write_late_requests(std::vector<pending>& group, std::vector<append_result>& results,
                             append_context& context, std::vector<append_chain*>& broken);
    std::optional<error> after_commit(std::span<recorded_event const> written);
    append_result append_in_chain(append_context& context, append_request const& request,
                                  std::vector<append_chain*>& broken);
    static void break_chains(std::vector<pending>& group);
    void answer_storage_failure(std::vector<pending>& group, lmdb::error const& failure, bool committing);
    void enter_failed_state(std::string cause);
    /// At a clean stop: puts the heads still pending (format 8) in a transaction of their own.
    void write_pending_heads() noexcept;
    /// When a group's phases ended (process, for group_writer_stats).
    struct commit_phases {
        std::chrono::steady_clock::time_point taken, written, committed;
    };
    void record_commit(std::size_t requests, std::size_t events, std::size_t spliced, commit_phases const& phases);
    void record_answering(std::chrono::steady_clock::duration took);
    void count_in_flight(std::size_t group_size);
    static void answer(pending& p, append_result result) noexcept;
    void wake_answered() noexcept;
    void answer_all(std::vector<pending>& group, error const& failure) noexcept;

    lmdb::env& env_;
    tables const db_;
    append_policy const& policy_;
    group_writer_options const options_;
    commit_callback const on_commit_;
    log_tip committed_;  // only the writer thread touches it
    group_events written_;  // the group being written (writer thread only)
    std::string scratch_;   // a reused encode buffer (writer thread only)
    data_file_ahead file_ahead_;  // writer thread only
    pending_heads heads_;         // format 8's heads not put yet (writer thread only)

    mutable std::mutex queue_mutex_;
    std::condition_variable queue_changed_;
    std::condition_variable idle_changed_;  // a group was answered (for stop)
    bool busy_ = false;                      // a group is being processed
    std::optional<std::string> failure_;     // the failed state's cause
    std::atomic<bool> failed_{false};        // failure_ is set (read without the lock)
    std::atomic<std::uint32_t> answered_{0};  // see answered()
    group_writer_stats stats_;
    std::deque<pending> queue_;
    // Guarded by queue_mutex_: the requests of the last group plus those queued when its commit
    // ended, before it was answered (the callers in flight), and how long its commit took. See
    // take_group.
    std::size_t in_flight_ = 0;
    // How many queued requests make a submit wake the writer: 1 while it waits for work, the
    // group it expects while it gathers one, never while it is busy (it looks at the queue
    // before it waits again). See enqueue and take_group.
    static constexpr std::size_t never_wake = SIZE_MAX;
    std::size_t wake_at_ = never_wake;
    std::chrono::steady_clock::duration last_commit_{};
    // The group being gathered (writer thread; set by take_group): how many requests it
    // expects, when its patience ends, how many events it holds, and how long the writer
    // waited idle for its late requests.
    std::size_t wanted_ = 0;
    std::chrono::steady_clock::time_point patience_ends_{};
    std::size_t group_events_ = 0;
    std::chrono::steady_clock::duration gathering_{};
    bool stopping_ = false;
    std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace ledger::store::detail
