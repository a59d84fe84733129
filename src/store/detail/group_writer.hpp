#pragma once
// Group commit: one thread owns every write transaction. Callers queue requests; the writer
// takes everything queued (up to a bound), appends each request in one LMDB transaction,
// commits it durably once, and then answers each caller with its own result.

#include "detail/append_one.hpp"
#include "detail/tables.hpp"

#include "ledger/store/append.hpp"
#include "ledger/store/append_policy.hpp"
#include "ledger/store/lmdb.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace ledger::store::detail {

struct group_writer_options {
    std::size_t max_map_size = 0;  // 0: no limit
    std::size_t max_group_events = 50'000;
    /// Runs inside each group's transaction that wrote events, just before its commit.
    std::function<void(lmdb::write_txn&)> before_commit;
    /// Seals personal data of admitted events; none when null.
    personal_data_seal const* seal = nullptr;
};

class group_writer {
public:
    /// Called on the writer thread after each durable commit, before callers are answered.
    using commit_callback = std::function<void(std::span<recorded_event const>, log_tip const&)>;

    group_writer(lmdb::env& env, tables const& db, append_policy const& policy, log_tip committed,
                 group_writer_options options, commit_callback on_commit);
    ~group_writer();  // answers everything queued, then joins the thread
    group_writer(group_writer const&) = delete;
    group_writer& operator=(group_writer const&) = delete;

    /// Queues a request; `done` runs on the writer thread. After stop(), answers `unavailable`.
    void submit(append_request request, std::function<void(append_result)> done);

private:
    struct pending {
        append_request request;
        std::function<void(append_result)> done;
    };

    void run();
    std::vector<pending> take_group();
    void process(std::vector<pending>& group);
    bool grow_map();
    static void answer_all(std::vector<pending>& group, error const& failure);

    lmdb::env& env_;
    tables const db_;
    append_policy const& policy_;
    group_writer_options const options_;
    commit_callback const on_commit_;
    log_tip committed_;  // only the writer thread touches it
    sha256_hasher hasher_;

    std::mutex queue_mutex_;
    std::condition_variable queue_changed_;
    std::deque<pending> queue_;
    // Guarded by queue_mutex_: the requests of the last group plus those queued when it was
    // answered (the callers in flight), and how long its commit took. See take_group.
    std::size_t in_flight_ = 0;
    std::chrono::steady_clock::duration last_commit_{};
    bool stopping_ = false;
    std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace ledger::store::detail
