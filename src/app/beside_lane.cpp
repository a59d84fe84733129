#include "ledger/app/beside_lane.hpp"

namespace ledger::app {

beside_lane::beside_lane(fold_function fold) : fold_(std::move(fold)), thread_([this] { run(); }) {}

beside_lane::~beside_lane() {
    {
        std::lock_guard const lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void beside_lane::start(std::span<folded_event const> events) {
    {
        std::lock_guard const lock(mutex_);
        if (error_) return;  // wait() rethrows it
        batch_ = events;
        handed_ = true;
    }
    changed_.notify_all();
}

void beside_lane::wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !handed_; });
    if (error_) std::rethrow_exception(error_);
}

void beside_lane::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return handed_ || stopping_; });
        if (!handed_) return;  // stopping, nothing in hand
        auto const events = batch_;
        lock.unlock();
        std::exception_ptr error;
        try {
            fold_(events);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error && !error_) error_ = error;
        handed_ = false;
        changed_.notify_all();
    }
}

}  // namespace ledger::app
