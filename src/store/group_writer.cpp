#include "detail/group_writer.hpp"

#include "detail/map_growth.hpp"
#include "detail/merkle_tree.hpp"

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

error unavailable(std::string message, std::string_view reason) {
    error e{error_code::unavailable, std::move(message), {}};
    e.details["reason"] = reason;
    return e;
}

/// The refusal of everything after the writer failed: nothing of these requests was written.
error failed_refusal(std::string const& cause) {
    return unavailable("the ledger stopped after a fatal storage failure (" + cause +
                           "); nothing of this request was written; it restarts to recover",
                       "storage_failed");
}

/// The answer to the group whose commit failed fatally: it may or may not be durable.
error outcome_unknown(std::string const& cause) {
    return unavailable("the ledger stopped after a fatal storage failure (" + cause +
                           ") while committing this request, which may or may not be recorded; "
                           "re-send it with the same event ids once the ledger is back",
                       "outcome_unknown");
}

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
      options_(std::move(options)),
      on_commit_(std::move(on_commit)),
      committed_(committed),
      file_ahead_(options_.data_file_ahead),
      heads_(db.lazy_heads),
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
    pending p{std::move(request), std::move(done)};
    // Compression runs here, on the caller's thread (an HTTP I/O thread, an in-process
    // appender), not on the writer's: the writer only splices its fields into the frame
    // (docs/storage.md "Format 5"). Personal data is sealed only inside the writer's
    // transaction: the writer uses a template only when it matches the event it seals (the data
    // a seal changed does not), and compresses the others itself.
    p.prepared.prepare(*db_.log_codec, p.request);
    enqueue(std::move(p));
}

void group_writer::submit_records_only(std::function<void(append_result)> done) {
    enqueue({{}, std::move(done), true, {}});
}

void group_writer::enqueue(pending p) {
    std::optional<error> refusal;
    {
        std::unique_lock lock(queue_mutex_);
        if (stopping_) {
            refusal = unavailable("the ledger is shutting down; nothing of this request was written",
                                  "shutting_down");
        } else if (failure_) {
            refusal = failed_refusal(*failure_);
        } else if (options_.max_queued_requests != 0 && queue_.size() >= options_.max_queued_requests) {
            ++stats_.queue_full;
            refusal = unavailable("the ledger's write queue is full; nothing of this request was "
                                  "written; retry shortly", "queue_full");
        } else {
            queue_.push_back(std::move(p));
            // Only when the writer waits for this many: a writer woken by every submit of a
            // group it is still gathering (or while it is busy) costs a futex wake and a context
            // switch per request on two shared cores for nothing.
            bool const wake = queue_.size() >= wake_at_;
            if (wake) wake_at_ = never_wake;  // one wake-up is enough
            lock.unlock();
            if (wake) queue_changed_.notify_one();
            return;
        }
    }
    p.done(std::move(*refusal));
}

bool group_writer::stop(std::chrono::milliseconds timeout) {
    std::deque<pending> refused;
    {
        std::lock_guard const lock(queue_mutex_);
        stopping_ = true;
        refused.swap(queue_);
    }
    queue_changed_.notify_all();
    auto const why = unavailable("the ledger is shutting down; nothing of this request was written",
                                 "shutting_down");
    for (auto& p : refused) answer(p, why);
    wake_answered();
    std::unique_lock lock(queue_mutex_);
    return idle_changed_.wait_for(lock, timeout, [this] { return !busy_; });
}

std::optional<std::string> group_writer::failure() const {
    // Every API request asks (the router's fail-stop gate): no lock while all is well.
    if (!failed_.load(std::memory_order_acquire)) return std::nullopt;
    std::lock_guard const lock(queue_mutex_);
    return failure_;
}

group_writer_stats group_writer::stats() const {
    std::lock_guard const lock(queue_mutex_);
    return stats_;
}

void group_writer::run() {
    for (;;) {
        auto group = take_group();
        if (group.empty()) {  // stopping and drained
            write_pending_heads();
            return;
        }
        auto const started = std::chrono::steady_clock::now();
        if (auto const cause = failure()) {
            answer_all(group, failed_refusal(*cause));
        } else {
            try {
                process(group);
                // After the answers, while the callers make their next requests: the writer
                // would wait for them anyway. Not once the writer has failed (no transaction
                // may begin then).
                if (!failed_.load(std::memory_order_acquire)) file_ahead_.keep(env_);
            } catch (std::exception const& e) {
                // process() answers what it can; this is the last line, so the thread lives on.
                spdlog::error("the writer failed unexpectedly: {}", e.what());
                answer_all(group, outcome_unknown(e.what()));
            } catch (...) {
                spdlog::error("the writer failed with an unknown exception");
                answer_all(group, outcome_unknown("unknown exception"));
            }
        }
        wake_answered();  // every path above answered the whole group (a second wake costs nothing)
        std::lock_guard const lock(queue_mutex_);
        last_commit_ = std::chrono::steady_clock::now() - started;
        busy_ = false;
        idle_changed_.notify_all();
    }
}

std::vector<group_writer::pending> group_writer::take_group() {
    std::unique_lock lock(queue_mutex_);
    wake_at_ = 1;
    queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    wake_at_ = never_wake;  // busy from here: write_late_requests sets it while it waits
    // Callers answered by the last commit usually come straight back (closed-loop clients).
    // in_flight_ counts them: the last group's requests and those that queued while it was
    // written (counted before its callers were answered, see count_in_flight).
    // Taking only what queued during that commit splits N callers into two groups that take
    // turns, each half the size (measured: 29 events per commit with 64 HTTP clients). Waiting
    // a little for them (at most half the last commit's time, 2 ms) keeps one group of N:
    // 51 events per commit, +20-50 % appends/s on the same disk (docs/performance.md).
    // The writer does not idle meanwhile: process writes what is taken now, then the late
    // requests as they come (write_late_requests), until the group is complete or the patience
    // ends. Queued work that takes longer to write than the patience leaves no wait at all
    // (large batches: 1,000 events take milliseconds to write).
    wanted_ = in_flight_;
    // At least 0.5 ms: callers woken together (answered()) come back over a few hundred µs on
    // two cores, and a patience of half a short commit would split them into ever smaller
    // groups (measured: 8 events per commit instead of 64).
    using std::chrono::microseconds;
    patience_ends_ = std::chrono::steady_clock::now() +
                     std::clamp<std::chrono::steady_clock::duration>(last_commit_ / 2, microseconds(500), microseconds(2000));
    gathering_ = {};
    group_events_ = 0;
    std::vector<pending> group;
    take_queued(group);
    busy_ = !group.empty();
    return group;
}

void group_writer::take_queued(std::vector<pending>& group) {
    // Always take at least one request, however large, so nothing waits forever.
    while (!queue_.empty() && (group.empty() || group_events_ + queue_.front().request.events.size() <=
                                                    options_.max_group_events)) {
        group_events_ += queue_.front().request.events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
}

void group_writer::write_late_requests(std::vector<pending>& group, std::vector<append_result>& results,
                                       append_context& context, std::vector<append_chain*>& broken) {
    for (;;) {
        std::size_t const first_late = group.size();
        {
            std::unique_lock lock(queue_mutex_);
            if (queue_.empty() && !stopping_ && group.size() < wanted_) {
                // Woken when half of the requests still expected have queued: each wake-up writes
                // a share of them while the rest come, at a few wake-ups per group rather than one
                // futex wake and context switch per request (two shared cores).
                auto const enough = std::max<std::size_t>(1, (wanted_ - group.size()) / 2);
                wake_at_ = enough;
                auto const idle_from = std::chrono::steady_clock::now();
                queue_changed_.wait_until(lock, patience_ends_,
                                          [&] { return stopping_ || queue_.size() >= enough; });
                wake_at_ = never_wake;
                gathering_ += std::chrono::steady_clock::now() - idle_from;
            }
            if (group.size() < wanted_) take_queued(group);
        }
        // Nothing came: the group is complete, full, or its patience ended (or the writer stops).
        if (group.size() == first_late) return;
        for (std::size_t i = first_late; i < group.size(); ++i) {
            auto const& p = group[i];
            context.prepared = &p.prepared;
            results.push_back(p.records_only ? append_result{append_success{}}
                                             : append_in_chain(context, p.request, broken));
        }
    }
}

void group_writer::process(std::vector<pending>& group) {
    commit_phases phases{.taken = std::chrono::steady_clock::now()};
    bool first_attempt = true;
    for (;;) {
        log_tip tip = committed_;
        heads_.discard();  // an attempt before this one (a grown map) kept nothing
        auto& written = written_;  // reused from group to group: no allocation per event once warm
        written.clear();
        std::vector<append_result> results;
        results.reserve(group.size());
        std::vector<append_chain*> broken;  // chains this attempt refused a request of
        bool committing = false;
        std::size_t spliced = 0;  // values spliced from templates made before the writer
        try {
            lmdb::write_txn txn(env_);
            // The seam (TEAM.md "The writer's transaction"), in this order inside one txn:
            // 1. the group's events and their indexes (append_one -> put_stored_event);
            append_context context{txn, db_, policy_, tip, written, options_.seal, &scratch_};
            context.heads = &heads_;
            for (auto const& p : group) {
                context.prepared = &p.prepared;
                results.push_back(p.records_only ? append_result{append_success{}}
                                                 : append_in_chain(context, p.request, broken));
            }
            // Only the first attempt gathers: a group retried in a grown map is complete.
            if (first_attempt) write_late_requests(group, results, context, broken);
            first_attempt = false;
            bool const records_only =
                std::any_of(group.begin(), group.end(), [](pending const& p) { return p.records_only; });
            spliced = context.spliced;
            // A group of refusals and retries wrote nothing: its transaction just aborts.
            if (!written.empty()) {
                // 2. (audit) the Merkle tree's nodes for exactly these events, their leaves
                //    hashed from written.stored(i) (the bytes just put, uncompressed);
                //    (or, as the writer sealed them, the leaves hashed with the chain links);
                if (written.leaves().size() == written.size()) {
                    merkle_append(txn, db_, written.events().front().position, written.leaves());
                } else {
                    merkle_append(txn, db_, written.events().front().position, written.size(),
                                  [&written](std::uint64_t i) { return written.stored(i); });
                }
                write_tip(txn, db_, tip);
                heads_.before_commit(txn, db_, false, tip.next_position);
            }
            // 3. the before-commit hook; 4. commit with fsync. With no events written, only for
            // a records-only request (LMDB writes nothing if the hook put nothing).
            if (!written.empty() || records_only) {
                if (options_.before_commit) options_.before_commit(txn);
                committing = true;
                phases.written = std::chrono::steady_clock::now();
                txn.commit();
                phases.committed = std::chrono::steady_clock::now();
            }
        } catch (lmdb::map_full const&) {
            bool grown = false;
            try {
                grown = grow_map(env_, options_.max_map_size);
            } catch (lmdb::error const& growing) {
                answer_storage_failure(group, growing, false);
                return;
            }
            if (grown) continue;  // retry the whole group in a bigger map
            answer_all(group, storage_full());
            return;
        } catch (lmdb::error const& e) {
            answer_storage_failure(group, e, committing);
            return;
        } catch (std::exception const& e) {
            // A bug (a policy or codec throwing): refuse the group rather than guess.
            spdlog::error("group commit of {} requests failed unexpectedly: {}", group.size(),
                          e.what());
            answer_all(group, error{error_code::internal, "internal error", {}});
            return;
        }
        for (auto* chain : broken) chain->broken = true;
        if (!written.empty()) {
            committed_ = tip;
            try {
                heads_.commit();
            } catch (std::exception const& e) {
                // The commit is durable but the writer no longer knows which heads wait: a
                // stale one would hand out a version twice. Refuse appends until a restart,
                // whose open puts the heads from the run records.
                enter_failed_state(std::string("the pending stream heads were lost after a commit: ") + e.what());
            }
            // Counted before the hooks, observers and answers (as before the phases were
            // timed): whoever reads the statistics next sees this commit. Answering is added after.
            record_commit(group.size(), written.size(), spliced, phases);
            if (auto refusal = after_commit(written.events())) {
                for (auto& r : results) {
                    if (r && !r->already_recorded) r = *refusal;
                }
            }
            try {
                on_commit_(written.events(), committed_);
            } catch (std::exception const& e) {
                spdlog::error("a commit observer failed after a durable commit: {}", e.what());
            }
        }
        count_in_flight(group.size());
        for (std::size_t i = 0; i < group.size(); ++i) answer(group[i], std::move(results[i]));
        wake_answered();
        if (!written.empty()) record_answering(std::chrono::steady_clock::now() - phases.committed);
        return;
    }
}

std::optional<error> group_writer::after_commit(std::span<recorded_event const> written) {
    if (!options_.after_commit) return std::nullopt;
    try {
        return options_.after_commit(written);
    } catch (std::exception const& e) {
        spdlog::error("the after-commit hook failed: {}", e.what());
        return unavailable(std::string("committed here, but the after-commit step failed: ") + e.what(),
                           "after_commit_failed");
    }
}

append_result group_writer::append_in_chain(append_context& context, append_request const& request,
                                            std::vector<append_chain*>& broken) {
    auto* const chain = request.chain.get();
    if (chain != nullptr && (chain->broken || std::find(broken.begin(), broken.end(), chain) != broken.end())) {
        return unavailable("an earlier request of this sequence was refused; nothing of this one was written",
                           "sequence_stopped");
    }
    auto result = append_one(context, request);
    // Marked for this attempt only: a group retried in a grown map starts again.
    if (!result && chain != nullptr) broken.push_back(chain);
    return result;
}

void group_writer::break_chains(std::vector<pending>& group) {
    // Nothing of the group was written: no later request of its chains may be.
    for (auto& p : group) {
        if (p.request.chain) p.request.chain->broken = true;
    }
}

void group_writer::answer_storage_failure(std::vector<pending>& group, lmdb::error const& failure,
                                          bool committing) {
    spdlog::error("group commit of {} requests failed: {}", group.size(), failure.what());
    // LMDB marks the environment failed when a meta page write fails; then the commit may or
    // may not be on disk, and no transaction can begin until the environment is reopened.
    if (failure.code() == MDB_PANIC || env_.panicked()) {
        enter_failed_state(failure.what());
        answer_all(group, committing ? outcome_unknown(failure.what()) : failed_refusal(failure.what()));
        return;
    }
    // Otherwise the meta page was not written: the transaction is not committed.
    answer_all(group, is_disk_full(failure.code(), env_.directory())
                          ? storage_full()
                          : unavailable("the ledger could not write; nothing of this request was written"));
}

void group_writer::enter_failed_state(std::string cause) {
    {
        std::lock_guard const lock(queue_mutex_);
        if (failure_) return;
        failure_ = cause;
        failed_.store(true, std::memory_order_release);
    }
    spdlog::critical("the ledger's storage failed ({}); refusing every append until a restart", cause);
    if (!options_.on_failure) return;
    try {
        options_.on_failure(cause);
    } catch (std::exception const& e) {
        spdlog::error("the storage failure handler failed: {}", e.what());
    }
}

void group_writer::write_pending_heads() noexcept {
    heads_.discard();  // what a group that failed last had staged was never committed
    if (!heads_.any() || failed_.load(std::memory_order_acquire)) return;
    try {
        for (;;) {
            try {
                lmdb::write_txn txn(env_);
                heads_.before_commit(txn, db_, true, committed_.next_position);
                txn.commit();
                heads_.commit();
                return;
            } catch (lmdb::map_full const&) {
                heads_.discard();
                if (!grow_map(env_, options_.max_map_size)) throw;
            }
        }
    } catch (std::exception const& e) {
        // The next writer's open puts them from the run records (recover_pending_heads).
        heads_.discard();
        spdlog::warn("the pending stream heads were not written at the stop ({}); the next open writes them",
                     e.what());
    }
}

void group_writer::count_in_flight(std::size_t group_size) {
    // Before answering: a caller answered now may submit again at once (from its callback on
    // this thread, or on another core), and counting it twice would make the next take_group
    // wait its whole patience for callers that do not exist.
    std::lock_guard const lock(queue_mutex_);
    in_flight_ = group_size + queue_.size();
}

void group_writer::record_commit(std::size_t requests, std::size_t events, std::size_t spliced,
                                 commit_phases const& phases) {
    auto const nanoseconds = [](std::chrono::steady_clock::duration d) {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
    };
    std::lock_guard const lock(queue_mutex_);
    ++stats_.commits;
    stats_.requests_committed += requests;
    stats_.events_committed += events;
    stats_.events_spliced += spliced;
    stats_.largest_group = std::max<std::uint64_t>(stats_.largest_group, requests);
    stats_.gathering_ns += nanoseconds(gathering_);
    stats_.writing_ns += nanoseconds(phases.written - phases.taken - gathering_);
    stats_.committing_ns += nanoseconds(phases.committed - phases.written);
}

void group_writer::record_answering(std::chrono::steady_clock::duration took) {
    std::lock_guard const lock(queue_mutex_);
    stats_.answering_ns += static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
}

void group_writer::answer(pending& p, append_result result) noexcept {
    auto done = std::exchange(p.done, nullptr);
    if (!done) return;
    try {
        done(std::move(result));
    } catch (std::exception const& e) {
        spdlog::error("an append's completion callback failed: {}", e.what());
    } catch (...) {
        spdlog::error("an append's completion callback failed with an unknown exception");
    }
}

void group_writer::answer_all(std::vector<pending>& group, error const& failure) noexcept {
    break_chains(group);
    for (auto& p : group) answer(p, failure);
    wake_answered();
}

void group_writer::wake_answered() noexcept {
    // After the answers are stored (release): a waiter that sees the new value sees its answer.
    // notify_all makes no system call when nobody waits.
    answered_.fetch_add(1, std::memory_order_release);
    answered_.notify_all();
}

}  // namespace ledger::store::detail
