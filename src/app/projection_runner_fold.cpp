// Folding the log into the read models: the catch-up thread's fold from the snapshots to the
// head (in chunks, on fold lanes), its hand-off to the live fold of each commit (the commit
// observer), the refold of models whose entities were damaged, and the fill of missing as-of
// checkpoints.
//
// Threading: catch_up and what it calls on the catch-up thread (fold_batch on the fold lanes
// it starts); on_commit on the thread that runs commit observers. The hand-off between them is
// ordered by handoff_mutex. Errors: a model whose entities turn out damaged is rebuilt from
// the log; other failures are logged and stop that fold (the models' lag shows it).

#include "detail/projection_runner_impl.hpp"

#include "ledger/app/projection_as_of.hpp"
#include "ledger/app/state_release.hpp"
#include "projections/entity_table.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace ledger::app {
namespace {

void restart_table_group(slot& s);

/// Keeps the slot's state as a checkpoint when it is about to fold the event at a boundary;
/// the caller holds the slot's mutex. Call it for every slot sharing the mutex before any of
/// them folds the event (they share an application table, which the first fold moves on).
/// A state that cannot be saved is logged; the fold goes on (a later fold takes it again).
/// A table-backed read model whose entities turned out damaged (projections::damaged_entity) is
/// emptied in place under a new epoch and folds the log again from 0 (the catch-up thread sees
/// `rebuilding`); what it had is never answered from again. The caller holds the slot's mutex.
/// The models sharing a table-backed application table are restarted together.
void rebuild_entities(slot& s, char const* why) {
    spdlog::warn("projection {}: {}; rebuilding from the log", s.name, why);
    if (s.table_in_store) {
        restart_table_group(s);
        return;
    }
    s.model->restart_in_table();
    s.next.store(0);
    s.unsaved = 0;
    s.rebuilding = true;
    ++s.entity_rebuilds;
}

/// The models sharing a table-backed application table (their shared mutex held): the table
/// emptied in place under its next epoch, each model's own part emptied in place (the decoders
/// point at the models) and all of them folding from 0 again.
void restart_table_group(slot& s) {
    auto const table = s.model->shared_table();
    table->restart_in_table();
    for (auto* member : s.table_group) {
        member->model->load_with_table(member->model->fresh()->save_without_table(), table);
        member->next.store(0);
        member->unsaved = 0;
        member->rebuilding = true;
        ++member->entity_rebuilds;
    }
}

void capture_checkpoint(slot& s, checkpoint_keeper& keeper, projections::fold_event const& event,
                        checkpoint_boundary boundary) {
    if (!boundary || event.position != s.next.load(std::memory_order_relaxed)) return;
    try {
        keeper.capture(*s.model, event.position, boundary, event.recorded_at);
    } catch (projections::damaged_entity const& e) {
        rebuild_entities(s, e.what());
    } catch (std::exception const& e) {
        spdlog::warn("projection {}: checkpoint at {} not taken ({})", s.name, event.position, e.what());
    }
}

/// Folds `event` into the slot when it is the one the slot needs next; the caller holds the
/// slot's mutex exclusively. Positions are dense, so "next" is exact.
void fold_into(slot& s, projections::fold_event const& event) {
    if (event.position != s.next.load(std::memory_order_relaxed)) return;
    try {
        s.model->apply(event);
    } catch (projections::damaged_entity const& e) {
        rebuild_entities(s, e.what());
        return;
    }
    s.next.store(event.position + 1);
    s.unsaved.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

namespace detail {

/// The application table of a slot sharing it in the store, or nullptr.
projections::detail::application_table* table_in_store(slot const& s) {
    if (!s.table_in_store) return nullptr;
    auto* const table = s.model->shared_table().get();
    return table != nullptr && table->in_table() ? table : nullptr;
}

/// Before a table-backed slot folds a batch or a commit (its mutex held): drops the cached
/// entities that committed flushes hold.
void settle(slot& s) {
    if (auto* const table = table_in_store(s)) {
        try {
            table->candidates.settle();
            table->candidates.release_reads();
        } catch (projections::damaged_entity const& e) {
            rebuild_entities(s, e.what());
        }
        return;
    }
    if (!s.entity_table || !s.model->keeps_entities_in_table()) return;
    try {
        s.model->settle_entities();
    } catch (projections::damaged_entity const& e) {
        rebuild_entities(s, e.what());
    }
}

/// After it folded them: its read transaction ends (the writer may need to grow the map).
void release_reads(slot& s) {
    if (s.entity_table) s.model->release_entity_reads();
    if (auto* const table = table_in_store(s)) table->candidates.release_reads();
}

}  // namespace detail

bool projection_runner::impl::rebuild_due() const {
    return std::ranges::any_of(slots, [](auto const& s) { return s->rebuilding.load(); });
}

/// On the catch-up thread: folds the log to its end in chunks, flushing the entity tables
/// between chunks (lanes idle, no read transaction held), so their caches stay bounded by
/// the chunk and `snapshot_every`, not by the log.
std::uint64_t projection_runner::impl::fold_in_chunks(checkpoint_boundaries& boundaries) {
    auto const chunk = std::max<std::uint64_t>(options.snapshot_every, 10'000);
    std::uint64_t tail = 0;
    for (std::uint64_t folded = 1; !stopping && folded > 0;) {
        tail += folded = fold_log_tail(boundaries, chunk);
        // Several flushes only while a snapshot's entities move in (entities_per_flush each);
        // bounded, should a hook never get to flush.
        for (int round = 0; round < 10'000 && !stopping && entity_flush_due(); ++round) {
            entities_only = true;
            bool const written = write_records_now();
            entities_only = false;
            if (!written) break;
            settle_entity_tables();
        }
    }
    return tail;
}

/// Once live, on the catch-up thread: read models whose entities were damaged fold from 0
/// to the head (with boundaries of their own: the writer's are in use), then join the live
/// fold under the hand-off lock, as at start-up.
std::uint64_t projection_runner::impl::refold_rebuilt() {
    checkpoint_boundaries boundaries(store, options.checkpoints);
    for (auto& s : slots) s->rebuilding = false;
    auto tail = fold_in_chunks(boundaries);
    if (stopping) return tail;
    std::lock_guard const handoff(handoff_mutex);
    return tail + fold_log_tail(boundaries, std::numeric_limits<std::uint64_t>::max());
}

/// The slots in fold lanes for the catch-up (parallel_fold.hpp): the slots sharing a mutex
/// (and the application table) on one lane, the others on a second.
std::vector<std::vector<slot*>> projection_runner::impl::catch_up_lanes() const {
    std::vector<std::vector<slot*>> lanes(2);
    for (auto const& s : slots) lanes[s->table_member ? 0 : 1].push_back(s.get());
    std::erase_if(lanes, [](auto const& lane) { return lane.empty(); });
    return lanes;
}

/// Folds the log from the first position some read model lacks to its end: this thread scans
/// and decodes, the lanes fold (scan_into_lanes), each holding its slots' mutexes for a batch
/// at a time so that queries and snapshots get in between batches.
std::uint64_t projection_runner::impl::fold_log_tail(checkpoint_boundaries& boundaries, std::uint64_t limit) {
    std::uint64_t from = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t taken = 0;
    for (auto const& s : slots) from = std::min(from, s->next.load());
    fold_decoder decoder(models);
    auto const lanes = catch_up_lanes();
    auto const folded = scan_into_lanes(
        store, decoder,
        lane_scan{.from_position = from,
                  .lanes = lanes.size(),
                  .take = [&](recorded_event const&) { return !stopping && taken++ < limit; },
                  .mark = [&](recorded_event const& event, folded_event& out) {
                      caught_up_events.fetch_add(1, std::memory_order_relaxed);  // before any `next` moves
                      out.boundary = boundaries.at(event);
                  },
                  .fold = [&](std::size_t lane, std::span<folded_event const> events) {
                      fold_batch(lanes[lane], events);
                  },
                  .batch_events = 1024,  // a lane holds its locks for one batch, as before
                  .batches = 16});
    notify_progress();
    return folded.events;
}

/// On a fold lane: `events` into `lane`'s slots, their mutexes held for the batch.
void projection_runner::impl::fold_batch(std::vector<slot*> const& lane, std::span<folded_event const> events) {
    std::vector<std::unique_lock<std::shared_mutex>> locks;
    for (auto* s : lane) {
        if (std::none_of(locks.begin(), locks.end(), [&](auto const& l) { return l.mutex() == s->mutex.get(); })) {
            locks.emplace_back(*s->mutex);
        }
    }
    for (auto* s : lane) settle(*s);
    for (auto const& event : events) {
        auto const view = event.view();
        if (event.boundary) {
            // Every slot sharing a mutex is captured before any of them folds the event.
            for (auto* s : lane) capture_checkpoint(*s, checkpoints, view, event.boundary);
        }
        for (auto* s : lane) fold_into(*s, view);
    }
    for (auto* s : lane) release_reads(*s);
    locks.clear();
    notify_progress();
}

void projection_runner::impl::catch_up() noexcept {
    std::uint64_t folded_tail = 0;
    try {
        using clock = std::chrono::steady_clock;
        auto const started = clock::now();
        load_snapshots();
        auto const loaded_at = clock::now();
        std::uint64_t tail = fold_in_chunks(fold_boundaries);
        if (stopping) return;
        // The observer skips commits until `live`; whatever it skipped is committed, so one
        // more scan under the handoff lock folds it, and every later commit reaches the
        // observer after `live` is set.
        {
            std::lock_guard const handoff(handoff_mutex);
            tail += fold_log_tail(fold_boundaries, std::numeric_limits<std::uint64_t>::max());
            share_tables();  // a rebuilt model caught up with the others that resumed
            maintain_funnel_rows();  // when the table was folded from 0, not loaded
            live = true;
        }
        folded_tail = tail;
        auto const live_at = clock::now();
        trim_heap();  // as after loading: what catching up allocated and freed
        auto const ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
        spdlog::info("projections live: snapshots loaded in {:.0f} ms, {} events of the log folded in {:.0f} ms",
                     ms(loaded_at - started), tail, ms(live_at - loaded_at));
    } catch (std::exception const& e) {
        spdlog::error("projections stopped catching up: {}", e.what());
        return;
    }
    // Snapshots due and checkpoints taken while catching up are written now, not with the next
    // append: a server that takes none would otherwise fold the same tail at every restart.
    // A tail shorter than `snapshot_every` too, from a fifth of it: else every restart of a
    // quiet ledger folds it again, reading its events and entities at random (42,861 events:
    // 1.8 s at 10M with a cold page cache). A shorter one is not worth a records commit at
    // every start (the application table's whole record, 33 MiB at 10M, and a writer slot);
    // the next due snapshot or the clean stop (save_records) saves it.
    if (folded_tail > 0 && folded_tail >= options.snapshot_every / 5) save_everything();
    else if (records_due()) write_records_now();
    settle_entity_tables();  // what the flush holds leaves the caches
    trim_heap();
    // Missing checkpoints are taken once an as-of query asks for one (a server that answers
    // none never reads or folds for them; a ledger from before checkpoints pays once). A read
    // model whose entities turn out damaged is folded again from 0 here.
    for (bool filled = false;;) {
        {
            std::unique_lock lock(progress_mutex);
            progress.wait(lock, [&] { return stopping.load() || (fill_requested && !filled) || rebuild_due(); });
        }
        if (stopping) return;
        if (rebuild_due()) {
            try {
                auto const folded = refold_rebuilt();
                maintain_funnel_rows();  // a model rebuilt with a table of its own
                spdlog::info("projections: {} events of the log folded again for read models rebuilt", folded);
                if (records_due()) write_records_now();
                settle_entity_tables();
            } catch (std::exception const& e) {
                spdlog::error("projections stopped rebuilding: {}", e.what());
                return;
            }
            continue;
        }
        fill_missing_checkpoints();
        filled = true;
    }
}

/// Once live, on the catch-up thread: the interval checkpoints missing below the live position
/// are taken, one read model at a time (fill_checkpoints). A failure is logged; an as-of query
/// takes a missing checkpoint on its way anyway.
void projection_runner::impl::fill_missing_checkpoints() noexcept {
    std::uint64_t upto = std::numeric_limits<std::uint64_t>::max();
    for (auto const& s : slots) upto = std::min(upto, s->next.load());
    std::uint64_t taken = 0;
    for (auto const& s : slots) {
        if (stopping) return;
        try {
            auto const prototype = [&] {
                std::shared_lock const lock(*s->mutex);
                return s->model->fresh();
            }();
            auto const captured = fill_checkpoints(store, checkpoints, *prototype, upto, stopping);
            if (captured > 0) spdlog::info("projection {}: took {} missing as-of checkpoints", s->name, captured);
            taken += captured;
        } catch (std::exception const& e) {
            spdlog::warn("projection {}: missing as-of checkpoints not taken ({})", s->name, e.what());
        }
    }
    if (taken > 0) trim_heap();  // the fill's model is gone
}

void projection_runner::impl::on_commit(std::span<recorded_event const> events) noexcept {
    try {
        // The hook's transaction committed: the checkpoints it put leave memory (no write
        // transaction is open here).
        checkpoints.confirm_written();
        std::lock_guard const handoff(handoff_mutex);
        if (!live) return;
        std::vector<std::optional<events::recruitment_event>> data;
        std::vector<std::unique_ptr<retracted_input>> retracted;
        std::vector<projections::fold_event> views;
        std::vector<checkpoint_boundary> boundaries;
        data.reserve(events.size());
        for (auto const& event : events) {
            data.push_back(live_decoder->decode(event));
            // The commit is durable, so a retraction of an event of this very commit finds it.
            retracted.push_back(read_retracted(store, *live_decoder, event, data.back()));
        }
        for (std::size_t i = 0; i < events.size(); ++i) {
            views.push_back(fold_decoder::view(events[i], data[i]));
            boundaries.push_back(fold_boundaries.at(events[i]));
            if (retracted[i]) views.back().retracted = &retracted[i]->view;
        }
        // Slots sharing a mutex (and an application table) move together: no query sees one
        // of them at a position its table has already passed.
        for (auto* m : distinct_mutexes()) {
            std::unique_lock const lock(*m);
            for (auto& s : slots) {
                if (s->mutex.get() == m) settle(*s);
            }
            for (std::size_t i = 0; i < views.size(); ++i) {
                for (auto& s : slots) {
                    if (s->mutex.get() == m) capture_checkpoint(*s, checkpoints, views[i], boundaries[i]);
                }
                for (auto& s : slots) {
                    if (s->mutex.get() == m) fold_into(*s, views[i]);
                }
            }
            for (auto& s : slots) {
                if (s->mutex.get() == m) release_reads(*s);
            }
        }
    } catch (std::exception const& e) {
        // The read models stop at this event (they fold only the next position), which their
        // lag shows; the log itself is fine.
        spdlog::error("projections could not fold a commit: {}", e.what());
    }
    notify_progress();
}

}  // namespace ledger::app
