#include "detail/group_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>

#include <sys/statvfs.h>

namespace ledger::store::detail {
namespace {

error storage_full() {
    return {error_code::storage_full, "the ledger's storage is full; nothing was written", {}};
}

error unavailable(std::string message) { return {error_code::unavailable, std::move(message), {}}; }

/// Whether a failed write means the disk is full. LMDB reports a short write (the disk filled
/// up part-way through its pwritev) as EIO, not ENOSPC, so an EIO counts as "full" when the
/// ledger's filesystem has (almost) nothing left.
bool is_disk_full(int code, std::filesystem::path const& directory) {
    if (code == ENOSPC || code == EDQUOT || code == EFBIG) return true;
    struct statvfs space {};
    if (code != EIO || ::statvfs(directory.c_str(), &space) != 0) return false;
    constexpr std::uint64_t nearly_full = std::uint64_t{1} << 20;
    return std::uint64_t{space.f_bavail} * space.f_frsize < nearly_full;
}

}  // namespace

group_writer::group_writer(lmdb::env& env, tables const& db, append_policy const& policy,
                           log_tip committed, group_writer_options options,
                           commit_callback on_commit)
    : env_(env),
      db_(db),
      policy_(policy),
      options_(options),
      on_commit_(std::move(on_commit)),
      committed_(committed),
      thread_([this] { run(); }) {}

group_writer::~group_writer() {
    {
        std::lock_guard const lock(queue_mutex_);
        stopping_ = true;
    }
    queue_changed_.notify_all();
    thread_.join();
}

void group_writer::submit(append_request request, std::function<void(append_result)> done) {
    {
        std::lock_guard const lock(queue_mutex_);
        if (!stopping_) {
            queue_.push_back({std::move(request), std::move(done)});
            queue_changed_.notify_one();
            return;
        }
    }
    done(unavailable("the ledger is shutting down"));
}

void group_writer::run() {
    for (;;) {
        auto group = take_group();
        if (group.empty()) return;  // stopping and drained
        auto const started = std::chrono::steady_clock::now();
        process(group);
        std::lock_guard const lock(queue_mutex_);
        last_commit_ = std::chrono::steady_clock::now() - started;
        in_flight_ = group.size() + queue_.size();
    }
}

std::vector<group_writer::pending> group_writer::take_group() {
    std::unique_lock lock(queue_mutex_);
    queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    // Callers answered by the last commit usually come straight back (closed-loop clients).
    // Taking only what queued during that commit splits N callers into two groups that take
    // turns, each half the size (measured: 29 events per commit with 64 HTTP clients). Waiting
    // a little for them (at most half the last commit's time, 2 ms) keeps one group of N:
    // 51 events per commit, +20-50 % appends/s on the same disk (docs/performance.md).
    auto const wanted = in_flight_;
    if (queue_.size() < wanted) {
        auto const patience = std::min<std::chrono::steady_clock::duration>(last_commit_ / 2, std::chrono::milliseconds(2));
        queue_changed_.wait_for(lock, patience, [&] { return stopping_ || queue_.size() >= wanted; });
    }
    std::vector<pending> group;
    std::size_t events = 0;
    // Always take at least one request, however large, so nothing waits forever.
    while (!queue_.empty() && (group.empty() || events + queue_.front().request.events.size() <=
                                                    options_.max_group_events)) {
        events += queue_.front().request.events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
    return group;
}

void group_writer::process(std::vector<pending>& group) {
    for (;;) {
        log_tip tip = committed_;
        std::vector<recorded_event> written;
        std::vector<append_result> results;
        results.reserve(group.size());
        try {
            lmdb::write_txn txn(env_);
            append_context context{txn, db_, policy_, hasher_, tip, written, options_.seal};
            for (auto const& p : group) results.push_back(append_one(context, p.request));
            // A group of refusals and retries wrote nothing: its transaction just aborts.
            if (!written.empty()) {
                write_tip(txn, db_, tip);
                if (options_.before_commit) options_.before_commit(txn);
                txn.commit();
            }
        } catch (lmdb::map_full const&) {
            if (grow_map()) continue;  // retry the whole group in a bigger map
            answer_all(group, storage_full());
            return;
        } catch (lmdb::error const& e) {
            spdlog::error("group commit of {} requests failed: {}", group.size(), e.what());
            answer_all(group, is_disk_full(e.code(), env_.directory()) ? storage_full()
                                                     : unavailable("the ledger could not write"));
            return;
        } catch (std::exception const& e) {
            // A bug (a policy or codec throwing): refuse the group rather than guess.
            spdlog::error("group commit of {} requests failed unexpectedly: {}", group.size(),
                          e.what());
            answer_all(group, error{error_code::internal, "internal error", {}});
            return;
        }
        committed_ = tip;
        if (!written.empty()) on_commit_(written, committed_);
        for (std::size_t i = 0; i < group.size(); ++i) group[i].done(std::move(results[i]));
        return;
    }
}

bool group_writer::grow_map() {
    std::size_t const current = env_.map_size();
    std::size_t next = current * 2;
    if (options_.max_map_size != 0) next = std::min(next, options_.max_map_size);
    if (next <= current) {
        spdlog::warn("the LMDB map is full at its limit of {} bytes", current);
        return false;
    }
    spdlog::info("growing the LMDB map from {} to {} bytes", current, next);
    env_.set_map_size(next);
    return true;
}

void group_writer::answer_all(std::vector<pending>& group, error const& failure) {
    for (auto& p : group) p.done(failure);
}

}  // namespace ledger::store::detail
