#pragma once
// One fold lane on a thread of its own, folding the batch its caller folds, at the same time
// (issue 14: the replay of all seven read models on two cores).
//
// The caller hands a batch with start(), folds its own lane's read models over the same batch,
// then calls wait(): the batch stays the caller's (valid and unchanged) until wait() returns.
// It is how split_scan's single folding thread (split_scan.hpp) folds on two lanes: the models
// sharing the application table on the caller's thread, the other four here (fold_lanes).
//
// Threading: start() and wait() on one thread (the caller's), alternately; `fold` runs on the
// lane's thread, one batch at a time, in the order given. The destructor stops and joins the
// thread (after the batch in hand, if any).
// Errors: an exception of `fold` is kept and rethrown by the next wait(); the lane folds no
// further batch after it (start() then only returns).

#include "ledger/app/parallel_fold.hpp"

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <thread>

namespace ledger::app {

class beside_lane {
public:
    using fold_function = std::function<void(std::span<folded_event const> events)>;

    /// Starts the lane's thread. Throws std::system_error when it cannot start.
    explicit beside_lane(fold_function fold);
    ~beside_lane();
    beside_lane(beside_lane const&) = delete;
    beside_lane& operator=(beside_lane const&) = delete;

    /// Caller: fold `events` on the lane (it must stay valid until wait() returns).
    void start(std::span<folded_event const> events);

    /// Caller: blocks until the batch of the last start() is folded; rethrows its exception.
    void wait();

private:
    void run();

    fold_function fold_;
    std::mutex mutex_;
    std::condition_variable changed_;  // a batch was handed, folded, or the lane is stopping
    std::span<folded_event const> batch_;
    bool handed_ = false;    // batch_ is to be folded
    bool stopping_ = false;  // the destructor runs
    std::exception_ptr error_;
    std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace ledger::app
