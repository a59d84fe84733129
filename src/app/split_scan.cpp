#include "ledger/app/split_scan.hpp"

#include "ledger/app/huge_page_bytes.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ledger::app {
namespace {

/// The ring's events in one mapping asked to be backed by huge pages (huge_page_bytes.hpp;
/// transparent huge pages are "madvise" on the machines measured): the ring holds up to
/// 256 × 2048 events of 264 bytes (138 MB) at the start of an as-of fold, and touching that much
/// fresh memory in 4 KiB pages cost ~0.5 s of CPU per answer at 10,000,000 events (a page fault
/// each; docs/performance.md, rm-asof third pass). Slot k's events are constructed on its first
/// use (a short stretch touches few slots) and destroyed with the arena.
class event_arena {
public:
    event_arena(std::size_t slots, std::size_t per_slot)
        : per_slot_(per_slot), constructed_(slots, false), memory_(slots * per_slot * sizeof(folded_event)) {}
    event_arena(event_arena const&) = delete;
    event_arena& operator=(event_arena const&) = delete;
    ~event_arena() {
        for (std::size_t k = 0; k < constructed_.size(); ++k) {
            if (constructed_[k]) std::destroy_n(events() + k * per_slot_, per_slot_);
        }
    }

    /// Slot k's events (per_slot of them), constructed on first use; one thread per slot at a time.
    folded_event* slot(std::size_t k) {
        auto* const first = events() + k * per_slot_;
        if (!constructed_[k]) {
            std::uninitialized_default_construct_n(first, per_slot_);
            constructed_[k] = true;
        }
        return first;
    }

private:
    folded_event* events() noexcept { return reinterpret_cast<folded_event*>(memory_.data()); }

    std::size_t per_slot_;
    std::vector<char> constructed_;  // per slot (char, not bool: slots are claimed by several threads)
    huge_page_bytes memory_;         // starts at a 2 MiB boundary: aligned for any event
};

/// The slots between the scanners and the folding thread. Batch k lives in slot k % size; a
/// scanner fills it only once batch k - size has been folded.
class ordered_ring {
public:
    /// `batches` slots in use once started(); up to `starting` (≥ batches) before it.
    ordered_ring(std::size_t batches, std::size_t starting, std::size_t batch_events)
        : slots_(std::max(batches, starting)),
          arena_(slots_.size(), batch_events),
          batches_(batches),
          batch_events_(batch_events) {}

    /// Folding thread: `start` has returned (the scanners after the first may begin).
    void started() {
        {
            std::lock_guard const lock(mutex_);
            started_ = true;
        }
        changed_.notify_all();
    }

    /// Scanner other than the first: blocks until started() or stopping; false when stopping.
    bool wait_started() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return failed_ || started_; });
        return !failed_;
    }

    /// Scanner: the next batch no scanner has taken (batches are taken in log order, so the
    /// one the fold waits for is always taken first and its slot is free).
    std::uint64_t take() {
        std::lock_guard const lock(mutex_);
        return taken_++;
    }

    std::size_t batch_events() const noexcept { return batch_events_; }

    /// Scanner: the events of batch k's slot (batch_events() of them) once it is free; nullptr
    /// when stopping. The slot is the scanner's until publish.
    folded_event* claim(std::uint64_t k) {
        {
            std::unique_lock lock(mutex_);
            // Before started() the fold has not begun, so up to every slot may fill; after it
            // only `batches_` ahead of the fold (the slots beyond empty as the fold catches up).
            changed_.wait(lock, [&] { return failed_ || k < folded_ + (started_ ? batches_ : slots_.size()); });
            if (failed_) return nullptr;
        }
        // Constructed on first use (a short stretch uses few slots); then reused.
        return arena_.slot(static_cast<std::size_t>(k % slots_.size()));
    }

    /// Scanner: batch k holds `count` events now.
    void publish(std::uint64_t k, std::size_t count) {
        {
            std::lock_guard const lock(mutex_);
            auto& s = slots_[k % slots_.size()];
            s.batch = k;
            s.count = count;
        }
        changed_.notify_all();
    }

    /// Folding thread: batch k's events once published; empty when stopping.
    std::span<folded_event const> next(std::uint64_t k) {
        std::unique_lock lock(mutex_);
        auto& s = slots_[k % slots_.size()];
        changed_.wait(lock, [&] { return failed_ || s.batch == k; });
        if (failed_) return {};
        return {arena_.slot(static_cast<std::size_t>(k % slots_.size())), s.count};
    }

    /// Folding thread: batch `folded_` is folded; its slot is free.
    void release() {
        {
            std::lock_guard const lock(mutex_);
            ++folded_;
        }
        changed_.notify_all();
    }

    /// Any thread: stop everything; the first error is kept.
    void fail(std::exception_ptr error) {
        {
            std::lock_guard const lock(mutex_);
            if (!error_) error_ = std::move(error);
            failed_ = true;
        }
        changed_.notify_all();
    }

    bool failed() {
        std::lock_guard const lock(mutex_);
        return failed_;
    }

    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    struct slot {
        std::size_t count = 0;
        std::uint64_t batch = UINT64_MAX;  // the batch it holds once published
    };

    std::mutex mutex_;
    std::condition_variable changed_;  // published, folded or failed
    std::vector<slot> slots_;
    event_arena arena_;  // the slots' events (reused: their strings keep their memory)
    std::size_t batches_;
    std::size_t batch_events_;
    std::uint64_t folded_ = 0;  // batches folded
    std::uint64_t taken_ = 0;   // batches taken by a scanner
    bool started_ = false;
    bool failed_ = false;
    std::exception_ptr error_;
};

/// Scanner `s` of `job`: the next batch of `total` no scanner has taken, until none is left.
void run_scanner(store::event_store const& store, split_scan_job const& job, ordered_ring& ring, std::size_t s,
                 std::uint64_t total) {
    fold_decoder decoder(job.reads);
    std::optional<checkpoint_boundaries> boundaries;
    if (job.boundaries) boundaries.emplace(store, *job.boundaries);
    // While `start` runs (a checkpoint loading on the other core) one scanner fills the ring;
    // more would take the loading thread's core (measured: the load took twice as long).
    if (s > 0 && !ring.wait_started()) return;
    for (auto k = ring.take(); k < total; k = ring.take()) {
        auto* const events = ring.claim(k);
        if (events == nullptr) return;
        auto const first = job.from_position + k * ring.batch_events();
        auto const last = std::min<std::uint64_t>(first + ring.batch_events() - 1, job.last_position);
        std::size_t count = 0;
        store.scan(first, [&](recorded_event const& event) {
            if (event.position > last) return false;
            auto& out = events[count++];
            prepare_folded(store, decoder, event, out);
            if (boundaries) out.boundary = boundaries->at(event);
            return event.position < last;
        });
        if (count != last - first + 1) {
            throw std::runtime_error("the log ended before position " + std::to_string(last));
        }
        ring.publish(k, count);
    }
}

}  // namespace

replay_outcome split_scan(store::event_store const& store, split_scan_job const& job) {
    replay_outcome outcome;
    std::uint64_t const stretch = job.last_position < job.from_position ? 0 : job.last_position - job.from_position + 1;
    // A short stretch gets a short batch (and few slots below).
    auto const batch_events =
        static_cast<std::size_t>(std::clamp<std::uint64_t>(job.batch_events, 1, std::max<std::uint64_t>(stretch, 1)));
    std::uint64_t const total = (stretch + batch_events - 1) / batch_events;
    auto const slots = [&](std::size_t batches) {
        return static_cast<std::size_t>(std::clamp<std::uint64_t>(batches, 1, std::max<std::uint64_t>(total, 1)));
    };
    ordered_ring ring(slots(job.batches), slots(std::max(job.batches, job.batches_while_starting)), batch_events);
    std::vector<std::thread> scanners;
    auto join_all = [&] {
        for (auto& t : scanners) t.join();
    };
    try {
        for (std::size_t s = 0; s < std::max<std::size_t>(job.scanners, 1) && s < total; ++s) {
            scanners.emplace_back([&, s] {
                try {
                    run_scanner(store, job, ring, s, total);
                } catch (...) {
                    ring.fail(std::current_exception());
                }
            });
        }
        if (job.start) job.start();
        ring.started();
        for (std::uint64_t k = 0; k < total; ++k) {
            auto const events = ring.next(k);
            if (events.empty()) break;  // failed
            job.fold(events);
            outcome.events += events.size();
            outcome.last_position = events.back().position;
            ring.release();
        }
    } catch (...) {  // start, fold or a thread that could not start
        ring.fail(std::current_exception());
    }
    join_all();
    ring.rethrow();
    return outcome;
}

}  // namespace ledger::app
