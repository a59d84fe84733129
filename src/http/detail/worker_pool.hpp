#pragma once
// A small bounded pool of worker threads for the slow reads of SPEC §6's serving rules (as-of
// replays, filtered log scans, verify, the access export), so that they never run on an I/O
// thread. Bounded: at most `threads + queue` tasks are admitted at once; past that, callers
// answer 503 unavailable with Retry-After at once instead of queueing without end.
//
// Threading: try_admit() and run() from any thread. The destructor waits for admitted tasks.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstddef>

namespace ledger::http::detail {

class worker_pool {
public:
    /// `threads` ≥ 1 workers; `queue` tasks may wait for a free worker.
    worker_pool(unsigned threads, std::size_t queue);
    /// Waits for the admitted tasks to finish and joins the workers.
    ~worker_pool();
    worker_pool(worker_pool const&) = delete;
    worker_pool& operator=(worker_pool const&) = delete;

    /// Claims room for one task; false when the pool is saturated. A successful claim must be
    /// followed by exactly one run().
    bool try_admit() noexcept;

    /// Runs `work` on a worker, frees the room try_admit() claimed, then calls `then` with
    /// what `work` returned (so whoever `then` answers finds the room free again). Neither may
    /// throw.
    template <class Work, class Then>
    void run(Work work, Then then) {
        boost::asio::post(pool_, [this, work = std::move(work), then = std::move(then)]() mutable {
            auto result = work();
            admitted_.fetch_sub(1);
            then(std::move(result));
        });
    }

    /// Tasks admitted and not finished (for the log and tests).
    std::size_t busy() const noexcept { return admitted_.load(); }

private:
    boost::asio::thread_pool pool_;
    std::size_t capacity_;
    std::atomic<std::size_t> admitted_{0};
};

}  // namespace ledger::http::detail
