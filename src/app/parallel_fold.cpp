#include "ledger/app/parallel_fold.hpp"

#include "projections/detail/applications.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

namespace ledger::app {
namespace {

/// The batches in flight between the scanning thread and the lanes. Batch number k lives in
/// slot k % size; the scanner fills a slot only when every lane has folded what it held.
class batch_ring {
public:
    // The slots grow as the scan fills them, not up front: a short replay (an as-of answer a
    // few events past its checkpoint) must not allocate and fault in every slot's full batch.
    batch_ring(std::size_t batches, std::size_t batch_events, std::size_t lanes)
        : slots_(batches), next_(lanes, 0), lanes_(lanes), batch_events_(batch_events) {}

    /// Events a full batch holds: the scanning thread publishes it then.
    std::size_t batch_events() const noexcept { return batch_events_; }

    /// Scanning thread: the slot for batch number `published_`, once every lane is done with
    /// it; nullptr when the lanes failed.
    std::vector<folded_event>* claim() {
        std::unique_lock lock(mutex_);
        auto& s = slots_[published_ % slots_.size()];
        freed_.wait(lock, [&] { return failed_ || s.lanes_left == 0; });
        return failed_ ? nullptr : &s.events;
    }

    /// Scanning thread: the claimed slot holds `count` events now; every lane may fold them.
    void publish(std::size_t count) {
        {
            std::lock_guard const lock(mutex_);
            auto& s = slots_[published_ % slots_.size()];
            s.count = count;
            s.lanes_left = lanes_;
            ++published_;
        }
        filled_.notify_all();
    }

    /// Scanning thread: no more batches (after an error too).
    void finish() {
        {
            std::lock_guard const lock(mutex_);
            finished_ = true;
        }
        filled_.notify_all();
    }

    /// Any thread: stop everything; the first error is kept and rethrown by rethrow().
    void fail(std::exception_ptr error) {
        {
            std::lock_guard const lock(mutex_);
            if (!error_) error_ = std::move(error);
            failed_ = true;
        }
        filled_.notify_all();
        freed_.notify_all();
    }

    /// Lane `lane`'s thread: folds every batch published, in order, until finished or failed.
    void run_lane(std::size_t lane, std::function<void(std::size_t, std::span<folded_event const>)> const& fold) {
        for (;;) {
            std::span<folded_event const> events;
            {
                std::unique_lock lock(mutex_);
                filled_.wait(lock, [&] { return failed_ || finished_ || next_[lane] < published_; });
                if (failed_ || next_[lane] == published_) return;  // failed, or finished and all folded
                auto const& s = slots_[next_[lane] % slots_.size()];
                events = std::span(s.events.data(), s.count);
            }
            fold(lane, events);  // the slot is not refilled before this lane has let it go
            bool freed = false;
            {
                std::lock_guard const lock(mutex_);
                auto& s = slots_[next_[lane] % slots_.size()];
                ++next_[lane];
                freed = --s.lanes_left == 0;
            }
            if (freed) freed_.notify_one();
        }
    }

    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    struct slot {
        std::vector<folded_event> events;  // reused: their strings keep their memory
        std::size_t count = 0;
        std::size_t lanes_left = 0;  // lanes still to fold it
    };

    std::mutex mutex_;
    std::condition_variable filled_;  // a batch was published, or finished, or failed
    std::condition_variable freed_;   // a slot was let go by the last lane, or failed
    std::vector<slot> slots_;
    std::vector<std::uint64_t> next_;  // per lane: the batch number it folds next
    std::size_t lanes_;
    std::size_t batch_events_;
    std::uint64_t published_ = 0;
    bool finished_ = false;
    bool failed_ = false;
    std::exception_ptr error_;
};

}  // namespace

void prepare_folded(store::event_store const& store, fold_decoder& decoder, recorded_event const& event,
                    folded_event& out) {
    out.position = event.position;
    out.stream.assign(event.stream);
    out.occurred_at = event.occurred_at;
    out.recorded_at = event.recorded_at;
    decoder.decode_into(event, out.data);
    out.retracted = read_retracted(store, decoder, event, out.data);
    out.boundary = {};
}

projections::fold_event folded_event::view() const {
    return projections::fold_event{.position = position,
                                   .stream = stream,
                                   .occurred_at = occurred_at,
                                   .recorded_at = recorded_at,
                                   .data = data ? &*data : nullptr,
                                   .retracted = retracted ? &retracted->view : nullptr};
}

/// Events in a batch slot after which the slot is sized for a whole batch (scan_into_lanes).
constexpr std::size_t slot_grows_whole_at = 64;

replay_outcome scan_into_lanes(store::event_store const& store, fold_decoder& decoder, lane_scan const& scan) {
    auto const lanes = std::max<std::size_t>(scan.lanes, 1);
    // The last lane on this thread (when asked, and another lane has a thread): it is not one
    // of the ring's lanes, it folds each batch after publishing it, before the next claim, so
    // the slot cannot be refilled under it.
    bool const scanner_lane = scan.last_lane_on_scanner && lanes > 1;
    auto const threaded = scanner_lane ? lanes - 1 : lanes;
    batch_ring ring(std::max<std::size_t>(scan.batches, 2), std::max<std::size_t>(scan.batch_events, 1), threaded);
    std::vector<std::thread> threads;
    auto join_all = [&] {
        ring.finish();
        for (auto& t : threads) t.join();
    };
    // Publishes the batch and folds it on this thread's lane; false when that fold failed (the
    // ring is then failed with its error, which stops the other lanes).
    auto publish_and_fold = [&](std::vector<folded_event> const& events, std::size_t count) {
        ring.publish(count);
        if (!scanner_lane) return true;
        try {
            scan.fold(lanes - 1, std::span(events.data(), count));
            return true;
        } catch (...) {
            ring.fail(std::current_exception());
            return false;
        }
    };
    try {
        threads.reserve(threaded);
        for (std::size_t lane = 0; lane < threaded; ++lane) {
            threads.emplace_back([&ring, &scan, lane] {
                try {
                    ring.run_lane(lane, scan.fold);
                } catch (...) {
                    ring.fail(std::current_exception());
                }
            });
        }
    } catch (...) {  // a thread could not start: nothing was folded
        ring.fail(std::current_exception());
        join_all();
        throw;
    }
    replay_outcome outcome;
    std::exception_ptr scan_error;  // the lanes still fold what came before it
    std::vector<folded_event>* batch = ring.claim();
    std::size_t count = 0;
    try {
        store.scan(scan.from_position, [&](recorded_event const& event) {
            if (batch == nullptr) return false;  // a lane failed
            if (scan.take && !scan.take(event)) return false;
            if (count == batch->size()) {  // its first round only
                // A slot that holds a few dozen events is in a long replay: its whole batch at
                // once, not the doublings that each move every event so far (and fault in fresh
                // memory again); a short replay still allocates for what it folds (5fe0a3b).
                if (count == slot_grows_whole_at) batch->reserve(ring.batch_events());
                batch->emplace_back();
            }
            auto& out = (*batch)[count];
            prepare_folded(store, decoder, event, out);
            if (scan.mark) scan.mark(event, out);
            ++outcome.events;
            outcome.last_position = event.position;
            if (++count == ring.batch_events()) {
                auto const folded = publish_and_fold(*batch, count);
                count = 0;
                batch = folded ? ring.claim() : nullptr;
            }
            return true;
        });
    } catch (...) {
        scan_error = std::current_exception();
    }
    if (batch != nullptr && count > 0) publish_and_fold(*batch, count);
    join_all();
    ring.rethrow();  // a lane's error first: it stopped the scan
    if (scan_error) std::rethrow_exception(scan_error);
    return outcome;
}

/// The read model without a table that folds on the table's lane when that table folds in
/// memory (a replay, an as-of answer). The lane that scans also decodes every event and reads
/// back every retraction's target, so once the table's arena cut its lane's page faults
/// (fold_arena.hpp) the scanning lane was the longer; origin (~7 % of it) evens them
/// (docs/performance.md, rm-replay6 and rm-replay7). A table kept in the store (the runner's
/// live one) folds on the heap and reads its entries from the store, so its lane stays as it was.
constexpr std::string_view joins_the_table_lane = "origin";

std::vector<std::vector<projections::read_model*>> fold_lanes(std::span<projections::read_model* const> models,
                                                              std::size_t max_lanes) {
    // Units that must stay on one lane: the models of one application table, or one model.
    std::vector<std::vector<projections::read_model*>> units;
    std::vector<projections::detail::application_table const*> unit_tables;
    for (auto* model : models) {
        auto const table = model->shared_table();
        auto const same = table == nullptr ? unit_tables.end()
                                           : std::find(unit_tables.begin(), unit_tables.end(), table.get());
        if (same != unit_tables.end()) {
            units[static_cast<std::size_t>(same - unit_tables.begin())].push_back(model);
        } else {
            units.push_back({model});
            unit_tables.push_back(table.get());
        }
    }
    std::vector<std::vector<projections::read_model*>> lanes(std::clamp<std::size_t>(max_lanes, 1, units.size() + 1));
    bool const any_table = std::any_of(unit_tables.begin(), unit_tables.end(), [](auto const* t) { return t != nullptr; });
    bool const table_in_memory =
        std::any_of(unit_tables.begin(), unit_tables.end(), [](auto const* t) { return t != nullptr && !t->in_table(); });
    std::size_t round = 0;
    for (std::size_t i = 0; i < units.size(); ++i) {
        // With a table: its models (and, in memory, the one that evens the lanes) on lane 0, the rest on
        // the others; else round robin.
        std::size_t lane = 0;
        if (lanes.size() > 1) {
            bool const table_lane = unit_tables[i] != nullptr ||
                                    (table_in_memory && units[i].front()->name() == joins_the_table_lane);
            if (any_table) lane = table_lane ? 0 : 1 + round++ % (lanes.size() - 1);
            else lane = round++ % lanes.size();
        }
        lanes[lane].insert(lanes[lane].end(), units[i].begin(), units[i].end());
    }
    std::erase_if(lanes, [](auto const& lane) { return lane.empty(); });
    return lanes;
}

}  // namespace ledger::app
