#include "ledger/app/state_release.hpp"

#include "ledger/app/huge_page_bytes.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace ledger::app {

void trim_heap() noexcept {
#ifdef __GLIBC__
    // One trim at a time in the process. glibc sets up its allocator lazily, and malloc_trim
    // does it when nothing else has (malloc replaced: ASan, TSan, a preloaded allocator), marking
    // it set up before the main arena's bins are: a second thread trimming meanwhile walked the
    // uninitialised bins (SIGSEGV in mtrim, caught under TSan: the release thread's trim beside
    // the caller's, the CI failure of "read model states handed to release_later are freed").
    static std::mutex trimming;
    std::lock_guard const lock(trimming);
    malloc_trim(0);
#endif
}

namespace {

/// Frees and gives the pages back: the loaded state was hundreds of MiB at 10,000,000
/// events, which the server would otherwise keep resident after every as-of answer.
void free_now(std::unique_ptr<projections::read_model> state) {
    state.reset();
    trim_heap();
}

class release_thread {
public:
    ~release_thread() {
        {
            std::lock_guard const lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    void hand(std::unique_ptr<projections::read_model> state) {
        {
            std::lock_guard const lock(mutex_);
            if (waiting_.size() < max_waiting_releases && !stopping_ && started()) {
                waiting_.push_back(std::move(state));
                changed_.notify_all();
                return;
            }
        }
        free_now(std::move(state));
    }

    void wait() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return waiting_.empty() && !freeing_; });
    }

private:
    /// mutex_ held: whether the thread runs (started now when it did not).
    bool started() {
        if (thread_.joinable()) return true;
        try {
            thread_ = std::thread([this] { run(); });
        } catch (std::system_error const&) {
            return false;
        }
        return true;
    }

    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            // Woken every warm_huge_page_idle while nothing waits: the as-of answers' warm
            // mappings (huge_page_bytes.hpp) are given back once no answer took them that long.
            // So are the heap's free pages (trim_heap): trimmed after every release, the next
            // answer's table faulted them all in again, which on the machine measured cost more
            // than the load's work (docs/performance.md, rm-asof6); kept, it reuses them.
            if (!changed_.wait_for(lock, warm_huge_page_idle, [&] { return stopping_ || !waiting_.empty(); })) {
                auto const trim = std::exchange(untrimmed_, false);
                lock.unlock();
                drop_idle_huge_pages(warm_huge_page_idle);
                if (trim) trim_heap();
                lock.lock();
                continue;
            }
            if (waiting_.empty()) {  // stopping, nothing left
                if (untrimmed_) trim_heap();
                return;
            }
            auto state = std::move(waiting_.front());
            waiting_.pop_front();
            freeing_ = true;
            untrimmed_ = true;
            lock.unlock();
            state.reset();
            lock.lock();
            freeing_ = false;
            changed_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::unique_ptr<projections::read_model>> waiting_;
    bool freeing_ = false;
    bool stopping_ = false;
    bool untrimmed_ = false;  // freed since the last trim
    std::thread thread_;
};

release_thread& the_release_thread() {
    static release_thread thread;
    return thread;
}

}  // namespace

void release_later(std::unique_ptr<projections::read_model> state) {
    if (state) the_release_thread().hand(std::move(state));
}

void wait_released() { the_release_thread().wait(); }

}  // namespace ledger::app
