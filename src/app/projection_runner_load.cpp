// Loading what the read models saved, on the catch-up thread before anything folds: each
// model's snapshot (or its entity table's record) and the application table the models
// sharing it resume on (its whole-state record, or its record in the store), on two threads
// (this one for the table and the models sharing it, a helper for the others).
//
// Threading: the catch-up thread (and its one helper thread); a model is swapped in with its
// mutex held, so a query sees the empty model or the loaded one. Errors: a record that cannot
// be used is logged and its model folds from the log; infrastructure failures throw.

#include "detail/projection_runner_impl.hpp"

#include "ledger/app/projection_snapshot.hpp"
#include "ledger/app/record_read_ahead.hpp"
#include "ledger/app/state_release.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/entity_keys.hpp"
#include "projections/entity_table.hpp"
#include "projections/funnel.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace ledger::app {
namespace {

/// The application table's record decoded, or nullopt with `problem` saying why it cannot be
/// used: it does not decode, is of another code version, or covers more events than the log.
std::optional<detail::projection_snapshot_view> usable_table_record(std::string_view record,
                                                                    std::uint32_t code_version,
                                                                    std::uint64_t log_events,
                                                                    std::string& problem) {
    auto snapshot = detail::decode_snapshot_view(record, &problem);
    if (!snapshot) return std::nullopt;
    if (snapshot->code_version != code_version) {
        problem = "code version " + std::to_string(snapshot->code_version) + ", the table is at " +
                  std::to_string(code_version);
        return std::nullopt;
    }
    if (snapshot->next_position > log_events) {
        problem = "it covers " + std::to_string(snapshot->next_position) + " events but the log holds " +
                  std::to_string(log_events);
        return std::nullopt;
    }
    return snapshot;
}

}  // namespace

/// funnel's rows maintained by the fold of the table funnel reads (detail/funnel_rows.hpp), for
/// a table not loaded from its record (adopt_table_record does it then): folded from 0.
void projection_runner::impl::maintain_funnel_rows() {
    for (auto& s : slots) {
        if (s->name != projections::funnel::name) continue;
        std::unique_lock const lock(*s->mutex);
        if (auto const table = s->model->shared_table()) table->maintain_funnel_rows();
    }
}

/// Models that load their own copies of the application table from their snapshots (or
/// rebuild it) share one again once they are at the same position with equal tables.
void projection_runner::impl::share_tables() {
    for (auto* m : distinct_mutexes()) {
        std::unique_lock const lock(*m);
        slot* first = nullptr;
        for (auto& s : slots) {
            if (s->mutex.get() != m || s->model->shared_table() == nullptr) continue;
            if (first == nullptr) first = s.get();
            else if (s->model->shared_table() == first->model->shared_table()) continue;  // shared already
            else if (s->next.load() == first->next.load()) s->model->adopt_table(first->model->shared_table());
        }
    }
}

/// On the catch-up thread, before anything folds: the observer and the hook leave the read
/// models alone until then (not live; nothing unsaved, and `loaded` is checked).
void projection_runner::impl::load_snapshots() {
    if (options.before_loading) options.before_loading();
    // Two threads: this one loads the application table and the models sharing it, a helper
    // the others (their records are of similar sizes; decoding is the long part).
    auto load_lane = [&](bool table_lane) {
        if (table_lane) load_table_snapshot();
        for (auto& s : slots) {
            if (stopping) return;
            if (s->table_member != table_lane) continue;
            load_snapshot(*s);
            notify_progress();
        }
        if (table_lane) join_table_group();
    };
    std::exception_ptr helper_error;
    std::thread helper([&] {
        try {
            auto const started = std::chrono::steady_clock::now();
            load_lane(false);
            spdlog::info("projections: the read models not sharing the application table loaded in {:.0f} ms",
                         std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
        } catch (...) {
            helper_error = std::current_exception();
        }
    });
    try {
        load_lane(true);
    } catch (...) {
        helper.join();
        throw;
    }
    helper.join();
    if (helper_error) std::rethrow_exception(helper_error);
    if (stopping) return;
    for (auto& s : slots) models.push_back(s->model.get());
    saved_table.reset();  // the models that loaded it share it now
    share_tables();
    // Decoding left the snapshot records and the copies of the shared table that share_tables
    // dropped in the heap: give those pages back, or they stay resident for good.
    trim_heap();
    live_decoder.emplace(models);
    all_loaded = true;
    notify_progress();
}

/// The application table's record, when usable, made into the table the models sharing it
/// use: `load` makes it of the record's state, which must cover the record's events. Otherwise
/// `problem` says why a record there is not used (both of the table's shapes share this).
template <class Load>
projection_runner::impl::table_record projection_runner::impl::adopt_table_record(
    std::uint32_t code_version, Load const& load, std::string& problem) {
    using clock = std::chrono::steady_clock;
    auto const started = clock::now();
    // Decoded where it lies in the map, no copy (the table keeps no view into it); the read
    // transaction ends with `record`, once the table is made.
    auto const record = detail::view_record_ahead(store, detail::table_snapshot_key());
    if (!record) return table_record::none;
    auto const read_at = clock::now();
    auto const snapshot = usable_table_record(record->bytes, code_version, store.head().events, problem);
    if (!snapshot) return table_record::unusable;
    try {
        auto table = load(snapshot->state);
        if (table->next != snapshot->next_position) throw codec_error("the table does not cover its record's events");
        // funnel's rows kept by the fold from now on: its first read renders ~200 rows, not
        // every campaign's cells (built here from the cells: ~30 ms at 10,000,000 events).
        table->maintain_funnel_rows();
        saved_table = std::move(table);
        saved_table_next = snapshot->next_position;
        // What a start costs with a cold page cache is mostly this record's pages (the read).
        auto const ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
        spdlog::info("projection application table: record of {:.1f} MiB read in {:.0f} ms, loaded in {:.0f} ms",
                     static_cast<double>(record->bytes.size()) / (1 << 20), ms(read_at - started),
                     ms(clock::now() - read_at));
        return table_record::adopted;
    } catch (codec_error const& e) {
        problem = e.what();
        return table_record::unusable;
    }
}

/// The application table is saved once for the models sharing it ("snapshot-table/applications",
/// the same record format); each of them saves only its own part. A table record that is
/// unusable makes them rebuild from the log, as their own would.
void projection_runner::impl::load_table_snapshot() {
    if (table_reader) {
        load_table_in_store();
        return;
    }
    std::string problem;
    auto const outcome = adopt_table_record(
        projections::application_table_code_version(),
        [](std::string_view state) { return projections::load_table(state); }, problem);
    if (outcome != table_record::unusable) return;
    spdlog::warn("projection application table: snapshot unusable ({}); the read models sharing it "
                 "rebuild from the log", problem);
}

/// The application table with its candidates in the store: its record (the header, texts,
/// campaigns and cells; no candidate decoded), or, when there is none or it is unusable, an
/// empty table under an epoch past every one the store holds (those erased by later flushes).
/// Either way saved_table is the table the models sharing it use (join_table_group).
void projection_runner::impl::load_table_in_store() {
    std::string problem;
    auto const outcome = adopt_table_record(
        projections::application_table_store_code_version(),
        [&](std::string_view state) {
            auto table = std::make_shared<projections::detail::application_table>();
            table->keep_in_table(table_reader, 0, {});
            projections::load_table_state(state, *table);
            table_reader->release();
            return table;
        },
        problem);
    if (outcome == table_record::adopted) {
        detail::log_older_entity_form("application table", saved_table->candidates.epoch());
        return;
    }
    if (outcome == table_record::unusable) {
        spdlog::warn("projection application table: record unusable ({}); the read models sharing it "
                     "rebuild from the log", problem);
    }
    auto stale = projections::entity_epochs(*table_reader, projections::detail::application_table::entity_model);
    table_reader->release();
    auto const epoch = projections::first_epoch_after(stale);
    auto table = std::make_shared<projections::detail::application_table>();
    table->with_costs = true;  // as table_handle's
    table->keep_in_table(table_reader, epoch, std::move(stale));
    saved_table = std::move(table);
    saved_table_next = 0;
}

/// After the models sharing the table in the store loaded: unless every one of them resumed
/// on it at its position, all of them fold from 0 on it (restarted under a new epoch when it
/// held anything), so the table in the store is never folded twice or left behind.
void projection_runner::impl::join_table_group() {
    if (!table_reader || saved_table == nullptr) return;
    std::vector<slot*> group;
    for (auto& s : slots) {
        if (s->table_in_store) group.push_back(s.get());
    }
    bool const joined = std::ranges::all_of(group, [&](slot* s) {
        return s->model->shared_table() == saved_table && s->next.load() == saved_table_next;
    });
    if (joined || group.empty()) return;
    std::unique_lock const lock(*group.front()->mutex);
    if (saved_table->next != 0 || saved_table_next != 0) {
        spdlog::warn("projection application table: the read models sharing it did not all resume at "
                     "its position; the three rebuild from the log");
        saved_table->restart_in_table();
        saved_table_next = 0;
    }
    for (auto* s : group) {
        s->model->load_with_table(s->model->fresh()->save_without_table(), saved_table);
        s->next = 0;
        s->unsaved = 0;
    }
}

/// Decodes the snapshot into a new read model without the lock (the long part), then swaps it
/// in with the lock held, so a query sees the empty model or the loaded one, never a mix.
void projection_runner::impl::load_snapshot(slot& s) {
    if (s.entity_table) {
        load_entity_table(s);
        return;
    }
    auto const record = detail::read_record_ahead(store, detail::snapshot_key(s.name));
    std::string problem;
    auto const snapshot = record ? detail::decode_snapshot_view(*record, &problem) : std::nullopt;
    std::unique_ptr<read_model> resumed;
    if (!record) {
        // Never snapshotted: fold from the start.
    } else if (!snapshot) {
        spdlog::warn("projection {}: snapshot unusable ({}); rebuilding from the log", s.name, problem);
    } else if (snapshot->code_version != s.model->code_version()) {
        spdlog::info("projection {}: snapshot of code version {}, the read model is at {}; "
                     "rebuilding from the log",
                     s.name, snapshot->code_version, s.model->code_version());
    } else if (snapshot->next_position > store.head().events) {
        spdlog::warn("projection {}: snapshot covers {} events but the log holds {}; rebuilding "
                     "from the log",
                     s.name, snapshot->next_position, store.head().events);
    } else if (s.table_member && (saved_table == nullptr || saved_table_next != snapshot->next_position)) {
        spdlog::warn("projection {}: snapshot covers {} events, no usable application table snapshot "
                     "covers as many; rebuilding from the log", s.name, snapshot->next_position);
    } else {
        try {
            resumed = s.model->fresh();
            // Only the table's lane touches saved_table (the other lane loads meanwhile).
            resumed->load_with_table(snapshot->state, s.table_member ? saved_table : nullptr);
        } catch (codec_error const& e) {
            spdlog::warn("projection {}: {}; rebuilding from the log", s.name, e.what());
            resumed.reset();  // keep the empty model, which folds from the start
        }
    }
    if (resumed) ++snapshots_used;
    else if (record) ++snapshots_rebuilt;
    std::unique_lock const lock(*s.mutex);
    if (resumed) {
        s.model = std::move(resumed);
        s.next = snapshot->next_position;
    }
    s.loaded = true;
}

/// A table-backed read model: its record read and its counters decoded, no entity
/// (store_entity_table.hpp). Entities a whole-state snapshot moved into the cache are flushed
/// when it goes live.
void projection_runner::impl::load_entity_table(slot& s) {
    auto loaded = detail::load_entity_table(store, *s.model, s.entity_reader);
    if (loaded.resumed) ++snapshots_used;
    if (loaded.rebuilt) ++snapshots_rebuilt;
    std::unique_lock const lock(*s.mutex);
    s.model = std::move(loaded.model);
    s.next = loaded.next;
    if (s.model->cached_entities() > 0) s.unsaved = std::max<std::uint64_t>(options.snapshot_every, 1);
    s.loaded = true;
}

}  // namespace ledger::app
