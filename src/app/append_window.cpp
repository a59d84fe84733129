#include "ledger/app/append_window.hpp"

namespace ledger::app {

append_window::append_window(store::event_store& store, std::size_t limit)
    : store_(store), limit_(limit) {}

std::optional<error> append_window::submit(store::append_request request, std::string label) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return in_flight_ < limit_ || failure_; });
    if (failure_) return failure_;
    ++in_flight_;
    lock.unlock();
    // The callback runs on the store's writer thread: bookkeeping only.
    store_.append_async(std::move(request), [this, label = std::move(label)](store::append_result r) {
        std::lock_guard const done(mutex_);
        --in_flight_;
        if (r) {
            auto const events = r->last_position - r->first_position + 1;
            (r->already_recorded ? already_recorded_ : appended_) += events;
        } else if (!failure_) {
            failure_ = r.error();
            failure_->message = label + ": " + failure_->message;
        }
        changed_.notify_all();
    });
    return std::nullopt;
}

std::optional<error> append_window::drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return in_flight_ == 0; });
    return failure_;
}

std::uint64_t append_window::appended() const {
    std::lock_guard const lock(mutex_);
    return appended_;
}

std::uint64_t append_window::already_recorded() const {
    std::lock_guard const lock(mutex_);
    return already_recorded_;
}

}  // namespace ledger::app
