#include "ledger/app/projection_runner.hpp"

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/page_sink.hpp"
#include "ledger/app/parallel_fold.hpp"
#include "ledger/app/projection_as_of.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/row_index.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/json_text.hpp"
#include "ledger/app/projection_snapshot.hpp"
#include "ledger/app/record_read_ahead.hpp"
#include "ledger/app/store_entity_table.hpp"
#include "projections/detail/applications.hpp"
#include "projections/entity_table.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <future>
#include <thread>

namespace ledger::app {
namespace {

using projections::read_model;

/// One read model and how far it has folded the log.
struct slot {
    std::string name;  // the model's; read without the mutex (the loader may replace `model`)
    std::string description;
    bool table_member = false;  // its model folds into the shared application table
    // The shared application table keeps its candidates in the store's table (the runner's
    // option entities_in_table; docs/read-models.md "The application table in the store"),
    // and these are the slots sharing it (this one included), restarted together.
    bool table_in_store = false;
    std::vector<slot*> table_group;
    // Its entities are kept in the store's table (store_entity_table.hpp), read through
    // `entity_reader` (used under the mutex, released after each batch or commit folded).
    bool entity_table = false;
    std::shared_ptr<detail::store_entity_reader> entity_reader;
    std::atomic<bool> rebuilding{false};  // its entities were found damaged: folding from 0 again
    std::atomic<std::uint64_t> entity_rebuilds{0};
    std::unique_ptr<read_model> model;       // replaced only by the loader, mutex held
    // Guards model; folds exclusive, reads shared. Slots whose models share an application
    // table share this mutex (a fold of one changes what the others render).
    std::shared_ptr<std::shared_mutex> mutex;
    std::atomic<bool> loaded{false};         // its snapshot is in (or there was none to load)
    std::atomic<std::uint64_t> next{0};      // events folded; written with mutex held
    std::atomic<std::uint64_t> unsaved{0};   // folded since its last snapshot
    mutable std::mutex cache_mutex;          // guards the rendered rows below
    mutable std::optional<std::uint64_t> cached_next;
    mutable boost::json::array cached_rows;
    mutable std::optional<std::uint64_t> cached_json_next;
    mutable std::string cached_json;  // the live answer's JSON text at cached_json_next
    mutable std::unique_ptr<row_index> cached_index;  // over cached_rows, built on first use
    mutable std::optional<std::uint64_t> narrowed_next;  // a narrowed page was answered at it
};

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

/// The application table of a slot sharing it in the store, or nullptr.
projections::detail::application_table* table_in_store(slot const& s) {
    if (!s.table_in_store) return nullptr;
    auto* const table = s.model->shared_table().get();
    return table != nullptr && table->in_table() ? table : nullptr;
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

std::optional<std::uint64_t> last_folded(std::uint64_t next) {
    return next == 0 ? std::nullopt : std::optional(next - 1);
}

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

struct projection_runner::impl {
    impl(store::event_store& s, projection_runner_options o);
    void load_snapshots();
    void load_table_snapshot();
    void load_table_in_store();
    enum class table_record { none, adopted, unusable };
    template <class Load>
    table_record adopt_table_record(std::uint32_t code_version, Load const& load, std::string& problem);
    void join_table_group();
    void save_table_group(store::projection_records& records);
    void save_table_in_store(store::projection_records& records, std::vector<slot*> const& group,
                             projections::detail::application_table& table, std::uint64_t next);
    std::vector<std::shared_mutex*> distinct_mutexes() const;
    void share_tables();
    void load_snapshot(slot& s);
    void load_entity_table(slot& s);
    void flush_entity_tables(store::projection_records& records);
    void settle_entity_tables();
    bool rebuild_due() const;
    bool entity_flush_due() const;
    std::uint64_t fold_in_chunks(checkpoint_boundaries& boundaries);
    std::uint64_t refold_rebuilt();
    bool wait_loaded(slot const& s, std::chrono::milliseconds timeout) const;
    void catch_up() noexcept;
    void fill_missing_checkpoints() noexcept;
    std::uint64_t save_due_at() const;
    bool records_due() const;
    bool write_records_now() noexcept;
    bool save_everything() noexcept;
    std::uint64_t fold_log_tail(checkpoint_boundaries& boundaries, std::uint64_t limit);
    std::vector<std::vector<slot*>> catch_up_lanes() const;
    void fold_batch(std::vector<slot*> const& lane, std::span<folded_event const> events);
    void on_commit(std::span<recorded_event const> events) noexcept;
    void before_commit(store::projection_records& records);
    void put_records(store::projection_records& records);
    void saved_in_hook(slot& s);
    void notify_progress();
    bool wait_for(slot const& s, std::uint64_t position, std::chrono::milliseconds timeout) const;
    slot const* find(std::string_view name) const;
    /// A fresh model of s's kind and the last position q's as-of asks for (wakes the fill).
    std::pair<std::unique_ptr<projections::read_model>, std::optional<std::uint64_t>>
    as_of_start(slot const& s, projection_query const& q) const;
    result<projection_table> replay_table(slot const& s, projection_query const& q) const;
    /// One page as of q's position or time, rendering only the rows it keeps.
    result<projection_page> replay_page(slot const& s, projection_query const& q) const;
    projection_table live_table(slot const& s) const;
    std::string live_json(slot const& s) const;

    store::event_store& store;
    projection_runner_options options;
    mutable checkpoint_keeper checkpoints;  // as-of checkpoints (checkpoint_keeper.hpp); thread-safe
    // Boundaries along the runner's own fold: the catch-up thread's, then (after the handoff
    // under handoff_mutex) the writer thread's.
    checkpoint_boundaries fold_boundaries;
    std::vector<std::unique_ptr<slot>> slots;
    // Filled by the catch-up thread once the snapshots are loaded, before anything folds.
    std::vector<read_model*> models;  // slots' models, in slot order, for decoders
    std::optional<fold_decoder> live_decoder;  // over `models`; writer thread once live
    std::atomic<bool> all_loaded{false};
    std::atomic<std::uint64_t> caught_up_events{0};
    std::atomic<std::uint64_t> snapshots_used{0};
    std::atomic<std::uint64_t> snapshots_rebuilt{0};
    std::atomic<std::uint64_t> snapshot_failures{0};
    // Set while the catch-up thread asks for a records-only commit to flush entity tables: the
    // hook then leaves the whole-state snapshots for later (a rebuild of 10,000,000 events
    // would otherwise rewrite the application table's every 50,000).
    std::atomic<bool> entities_only{false};
    // Set while save_everything() asks for records-only commits: every read model with any
    // event unsaved is saved, not only those `snapshot_every` behind.
    std::atomic<bool> save_all{false};
    // The read models the running hook saved and the events each had unsaved then (writer
    // thread only): subtracted once the whole hook went through (before_commit).
    std::vector<std::pair<slot*, std::uint64_t>> hook_saved;
    // The application table's snapshot while the models sharing it load (then dropped).
    std::shared_ptr<projections::detail::application_table> saved_table;
    std::shared_ptr<detail::store_entity_reader> table_reader;  // of the table in the store
    std::uint64_t saved_table_next = 0;

    std::mutex handoff_mutex;  // orders the switch to live folding against the observer
    bool live = false;         // guarded by handoff_mutex
    std::atomic<bool> stopping{false};
    mutable bool fill_requested = false;  // guarded by progress_mutex: an as-of query was asked

    mutable std::mutex progress_mutex;
    mutable std::condition_variable progress;

    std::uint64_t observer_handle = 0;
    std::thread catch_up_thread;
    std::thread stop_save;  // save_records's, joined by the destructor
};

projection_runner::impl::impl(store::event_store& s, projection_runner_options o)
    : store(s), options(o), checkpoints(s, o.checkpoints), fold_boundaries(s, o.checkpoints) {
    checkpoints.set_commit([this] { write_records_now(); });
    std::shared_ptr<std::shared_mutex> table_mutex;  // of the models sharing a table
    for (auto& model : projections::make_all_read_models()) {
        auto entry = std::make_unique<slot>();
        entry->name = model->name();
        entry->description = model->description();
        if (model->shared_table() != nullptr) {
            entry->table_member = true;
            if (!table_mutex) table_mutex = std::make_shared<std::shared_mutex>();
            entry->mutex = table_mutex;
        } else {
            entry->mutex = std::make_shared<std::shared_mutex>();
        }
        if (o.entities_in_table && model->can_keep_entities_in_table()) {
            entry->entity_table = true;
            entry->entity_reader = std::make_shared<detail::store_entity_reader>(s);
        }
        entry->table_in_store = entry->table_member && o.entities_in_table;
        entry->model = std::move(model);
        slots.push_back(std::move(entry));
    }
    std::vector<slot*> group;
    for (auto& s : slots) {
        if (s->table_in_store) group.push_back(s.get());
    }
    for (auto* s : group) s->table_group = group;
    if (!group.empty()) table_reader = std::make_shared<detail::store_entity_reader>(s);
}

std::vector<std::shared_mutex*> projection_runner::impl::distinct_mutexes() const {
    std::vector<std::shared_mutex*> distinct;
    for (auto const& s : slots) {
        if (std::find(distinct.begin(), distinct.end(), s->mutex.get()) == distinct.end()) {
            distinct.push_back(s->mutex.get());
        }
    }
    return distinct;
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
#ifdef __GLIBC__
    // Decoding left the snapshot records and the copies of the shared table that share_tables
    // dropped in the heap: give those pages back, or they stay resident for good.
    malloc_trim(0);
#endif
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
    auto const record = detail::read_record_ahead(store, detail::table_snapshot_key());
    if (!record) return table_record::none;
    auto const read_at = clock::now();
    auto const snapshot = usable_table_record(*record, code_version, store.head().events, problem);
    if (!snapshot) return table_record::unusable;
    try {
        auto table = load(snapshot->state);
        if (table->next != snapshot->next_position) throw codec_error("the table does not cover its record's events");
        saved_table = std::move(table);
        saved_table_next = snapshot->next_position;
        // What a start costs with a cold page cache is mostly this record's pages (the read).
        auto const ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
        spdlog::info("projection application table: record of {:.1f} MiB read in {:.0f} ms, loaded in {:.0f} ms",
                     static_cast<double>(record->size()) / (1 << 20), ms(read_at - started),
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
    if (outcome == table_record::adopted) return;
    if (outcome == table_record::unusable) {
        spdlog::warn("projection application table: record unusable ({}); the read models sharing it "
                     "rebuild from the log", problem);
    }
    auto stale = projections::entity_epochs(*table_reader, projections::detail::application_table::entity_model);
    table_reader->release();
    auto const epoch = stale.empty() ? 1u : stale.back() + 1;
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

/// In the writer's hook: each table-backed read model with `snapshot_every` events unsaved
/// flushes its entities and its record. An exception leaves the hook (its transaction then
/// commits none of it, so a record never covers entities it does not hold); the entities stay
/// cached until a committed flush holds them.
void projection_runner::impl::flush_entity_tables(store::projection_records& records) {
    for (auto& s : slots) {
        if (!s->entity_table || !s->loaded || s->unsaved.load(std::memory_order_relaxed) < save_due_at()) {
            continue;
        }
        std::unique_lock const lock(*s->mutex);
        if (!s->model->keeps_entities_in_table()) continue;
        // A partial flush (a snapshot's entities moving in) leaves it due: the catch-up
        // thread flushes again until the record is written.
        if (detail::flush_entity_table(*s->model, s->next.load(), records)) saved_in_hook(*s);
    }
}

/// Each table-backed read model drops what committed flushes hold and ends its read transaction.
void projection_runner::impl::settle_entity_tables() {
    for (auto& s : slots) {
        if (!s->entity_table) continue;
        std::unique_lock const lock(*s->mutex);
        settle(*s);
        release_reads(*s);
    }
}

bool projection_runner::impl::entity_flush_due() const {
    // (At least one event unsaved: with snapshot_every 0 a flush is due only after a fold.)
    auto const every = std::max<std::uint64_t>(save_due_at(), 1);
    return std::ranges::any_of(slots, [&](auto const& s) {
        return (s->entity_table || s->table_in_store) && s->loaded &&
               s->unsaved.load(std::memory_order_relaxed) >= every;
    });
}

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

bool projection_runner::impl::wait_loaded(slot const& s, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(progress_mutex);
    return progress.wait_for(lock, timeout, [&] { return s.loaded.load(); });
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
            live = true;
        }
        folded_tail = tail;
        auto const live_at = clock::now();
#ifdef __GLIBC__
        malloc_trim(0);  // as after loading: what catching up allocated and freed
#endif
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
#ifdef __GLIBC__
    malloc_trim(0);
#endif
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
#ifdef __GLIBC__
    if (taken > 0) malloc_trim(0);  // the fill's model is gone
#endif
}

/// Events unsaved that make a read model's records due: `snapshot_every`, or any while
/// save_everything() runs.
std::uint64_t projection_runner::impl::save_due_at() const {
    return save_all.load() ? std::min<std::uint64_t>(options.snapshot_every, 1) : options.snapshot_every;
}

bool projection_runner::impl::records_due() const {
    if (checkpoints.stats().waiting > 0) return true;
    return std::ranges::any_of(slots, [&](auto const& s) {
        return s->loaded && s->unsaved.load(std::memory_order_relaxed) >= save_due_at();
    });
}

/// On the catch-up thread, holding no read-model lock (the writer's hook takes them).
/// Returns whether the records-only commit was made.
bool projection_runner::impl::write_records_now() noexcept {
    try {
        if (auto const refused = store.write_projection_records()) {
            spdlog::info("projections: snapshots and checkpoints wait for the next append ({})", refused->message);
            return false;
        }
        return true;
    } catch (std::exception const& e) {
        spdlog::warn("projections: snapshots and checkpoints wait for the next append ({})", e.what());
        return false;
    }
}

/// Records-only commits until no read model has an event unsaved (each flush moves at most
/// entities_per_flush entities, so a long tail takes a few), settling the caches after each.
/// Stops when a commit is refused or saves nothing more (a group not at one position yet).
/// Returns whether everything is saved. Any thread but the writer's, holding no model lock.
bool projection_runner::impl::save_everything() noexcept {
    auto const unsaved = [&] {
        std::uint64_t sum = 0;
        for (auto const& s : slots) sum += s->loaded ? s->unsaved.load() : 0;
        return sum;
    };
    save_all = true;
    try {
        for (auto before = unsaved(); records_due() && write_records_now(); before = unsaved()) {
            settle_entity_tables();
            if (unsaved() >= before) break;
        }
    } catch (std::exception const& e) {
        spdlog::warn("projections: records not all written ({})", e.what());
    }
    save_all = false;
    return unsaved() == 0;
}

void projection_runner::impl::on_commit(std::span<recorded_event const> events) noexcept {
    try {
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

/// The models sharing the application table are saved together, all at one position: the
/// table once and each model's own part. Not while they do not share one table at one
/// position yet (a model rebuilding catches up, then share_tables joins them).
void projection_runner::impl::save_table_group(store::projection_records& records) {
    std::vector<slot*> group;
    bool due = false;
    for (auto& s : slots) {
        if (!s->table_member) continue;
        if (!s->loaded) return;  // it would overwrite a good snapshot with an empty state
        due = due || s->unsaved.load(std::memory_order_relaxed) >= save_due_at();
        group.push_back(s.get());
    }
    if (!due) return;
    std::unique_lock const lock(*group.front()->mutex);  // the group's one mutex
    auto const table = group.front()->model->shared_table();
    auto const next = group.front()->next.load();
    for (auto* s : group) {
        if (s->model->shared_table() != table || s->next.load() != next) return;
    }
    if (table->in_table()) {
        save_table_in_store(records, group, *table, next);
        return;
    }
    std::vector<std::pair<std::string, std::string>> out;
    try {
        out.emplace_back(detail::table_snapshot_key(),
                         detail::encode_snapshot({projections::application_table_code_version(), next,
                                                  projections::save_table(*table)}));
        for (auto* s : group) {
            out.emplace_back(detail::snapshot_key(s->name),
                             detail::encode_snapshot({s->model->code_version(), next, s->model->save_without_table()}));
        }
    } catch (std::exception const& e) {
        ++snapshot_failures;
        spdlog::warn("projection application table: snapshot not written ({}); will try again", e.what());
        return;
    }
    for (auto const& [key, record] : out) records.put(key, record);
    for (auto* s : group) saved_in_hook(*s);
}

/// save_table_group for a table keeping its candidates in the store (the group's mutex held):
/// the models' own parts, then the candidates changed since the last committed flush and the
/// table's record covering them, in this transaction, durable together or not at all. Past
/// the own parts nothing is caught: a put or an encoding that throws leaves the hook, and the
/// transaction then commits none of it (the candidates stay cached and are put again), so a
/// committed flush always comes with its record.
void projection_runner::impl::save_table_in_store(store::projection_records& records, std::vector<slot*> const& group,
                                                  projections::detail::application_table& table, std::uint64_t next) {
    std::vector<std::pair<std::string, std::string>> own;
    try {
        for (auto* s : group) {
            own.emplace_back(detail::snapshot_key(s->name),
                             detail::encode_snapshot({s->model->code_version(), next, s->model->save_without_table()}));
        }
    } catch (std::exception const& e) {
        ++snapshot_failures;
        spdlog::warn("projection application table: snapshot not written ({}); will try again", e.what());
        return;
    }
    detail::records_entity_writer writer(records);
    table.candidates.flush(writer);
    records.put(detail::table_snapshot_key(),
                detail::encode_snapshot({projections::application_table_store_code_version(), next,
                                         projections::save_table_state(table)}));
    for (auto const& [key, record] : own) records.put(key, record);
    for (auto* s : group) saved_in_hook(*s);
}

/// What the hook saved counts as saved only once every put of the hook went through: a put
/// failing with the map full leaves the hook, the writer grows the map and runs the hook again
/// for the retried transaction, which must then save the same read models again (their records
/// were in the aborted one). Events folded meanwhile stay counted as unsaved.
void projection_runner::impl::before_commit(store::projection_records& records) {
    hook_saved.clear();
    put_records(records);
    for (auto const& [s, counted] : hook_saved) {
        auto now = s->unsaved.load();
        while (!s->unsaved.compare_exchange_weak(now, now > counted ? now - counted : 0)) {
        }
    }
}

/// Counts s as saved by this hook: the events it had unsaved, read under its lock.
void projection_runner::impl::saved_in_hook(slot& s) { hook_saved.emplace_back(&s, s.unsaved.load()); }

void projection_runner::impl::put_records(store::projection_records& records) {
    // The entity tables first: a put failing there (the map is full: the group is retried in a
    // bigger map) must come before write_pending, which forgets what it put.
    flush_entity_tables(records);
    if (table_reader) save_table_group(records);  // its candidates (and small record) with them
    checkpoints.write_pending(records);  // lmdb::error is the group's (the writer retries it)
    if (entities_only) return;
    if (!table_reader) save_table_group(records);
    for (auto& s : slots) {
        if (s->table_member || s->entity_table) continue;  // save_table_group, flush_entity_tables
        // A read model not loaded yet would overwrite its good snapshot with an empty state.
        if (!s->loaded || s->unsaved.load(std::memory_order_relaxed) < save_due_at()) {
            continue;
        }
        std::string record;
        std::uint64_t counted = 0;
        try {
            std::shared_lock const lock(*s->mutex);
            record = detail::encode_snapshot({s->model->code_version(), s->next.load(), s->model->save()});
            counted = s->unsaved.load();
        } catch (std::exception const& e) {
            // The appends of this group do not depend on it: count it and try at the next group.
            ++snapshot_failures;
            spdlog::warn("projection {}: snapshot not written ({}); will try again", s->name, e.what());
            continue;
        }
        records.put(detail::snapshot_key(s->name), record);
        hook_saved.emplace_back(s.get(), counted);
    }
}

void projection_runner::impl::notify_progress() {
    { std::lock_guard const lock(progress_mutex); }
    progress.notify_all();
}

bool projection_runner::impl::wait_for(slot const& s, std::uint64_t position,
                                       std::chrono::milliseconds timeout) const {
    std::unique_lock lock(progress_mutex);
    return progress.wait_for(lock, timeout, [&] { return s.next.load() > position; });
}

slot const* projection_runner::impl::find(std::string_view name) const {
    for (auto const& s : slots) {
        if (s->name == name) return s.get();
    }
    return nullptr;
}

std::pair<std::unique_ptr<projections::read_model>, std::optional<std::uint64_t>>
projection_runner::impl::as_of_start(slot const& s, projection_query const& q) const {
    auto prototype = [&] {
        std::shared_lock const lock(*s.mutex);  // the loader may swap s.model
        return s.model->fresh();
    }();
    auto const last = as_of_last_position(store, q.as_of_position, q.as_of);
    {
        std::lock_guard const lock(progress_mutex);
        fill_requested = true;
    }
    progress.notify_all();
    return {std::move(prototype), last};
}

result<projection_table> projection_runner::impl::replay_table(slot const& s,
                                                               projection_query const& q) const {
    auto const [prototype, last] = as_of_start(s, q);
    return fold_as_of(store, &checkpoints, *prototype, last);
}

result<projection_page> projection_runner::impl::replay_page(slot const& s, projection_query const& q) const {
    auto const [prototype, last] = as_of_start(s, q);
    return fold_page_as_of(store, &checkpoints, *prototype, last, q.selection);
}

namespace {

/// The rendered rows at `next`; the caller holds the slot's mutex (shared) and cache_mutex.
boost::json::array const& rendered_rows(slot const& s, std::uint64_t next) {
    // Rendering derives every row from the facts; reuse it until the read model moves on.
    if (s.cached_next != next) {
        s.cached_index.reset();  // it refers to the rows replaced here
        s.cached_rows = s.model->rows();
        s.cached_next = next;
    }
    return s.cached_rows;
}

/// The index over rendered_rows(s, next); the same locks held.
row_index& indexed_rows(slot const& s, std::uint64_t next) {
    auto const& rows = rendered_rows(s, next);
    if (!s.cached_index) s.cached_index = std::make_unique<row_index>(rows, *key_columns(s.name));
    return *s.cached_index;
}

/// A filtered live page rendered straight from the model, when the model narrows by one of
/// the filters' columns (read_model::renders_only_where) and its rows at `next` are not
/// indexed yet: the first filtered read after a fold or a restart then renders one
/// organiser's campaigns instead of rendering and indexing every row (0.4–0.5 s at
/// 10,000,000 events). A second filtered read at the same position builds the index instead:
/// a narrowed render costs the rows that pass on every read (~0.1 s for one organiser's
/// 18,000 campaigns unpaged at 10,000,000 events), the index only once per position. So a
/// ledger taking appends answers from narrowed renders, a quiet one from its index.
/// nullopt: use the index, as always when the cursor's row is not among the rows rendered.
/// The caller holds the slot's mutex (shared) and cache_mutex.
std::optional<projection_page> narrowed_page(slot const& s, std::uint64_t next, projection_selection const& selection) {
    if (s.cached_index && s.cached_next == next) return std::nullopt;
    if (s.narrowed_next == next) return std::nullopt;
    if (std::ranges::none_of(selection.filters, [&](row_filter const& f) { return s.model->renders_only_where(f.column); })) {
        return std::nullopt;
    }
    s.narrowed_next = next;
    auto const key = *key_columns(s.name);
    page_sink sink(selection, key, page_sink::narrowing::by_filters);
    s.model->render(sink);
    // limit ≥ 1 (projection_selection), so a page with more rows after it is never empty.
    return page_of(s.name, last_folded(next), s.model->columns(), std::move(sink.picker).finish(), key);
}

/// The next page's cursor after the last of `picked` rows, when more rows pass.
std::optional<std::string> next_cursor_of(slot const& s, std::optional<std::uint64_t> position,
                                          row_index::picked const& picked) {
    if (!picked.more || picked.rows.empty()) return std::nullopt;
    return encode_cursor(page_cursor{s.name, position,
                                     key_of(s.cached_rows[picked.rows.back()], *key_columns(s.name))});
}

}  // namespace

projection_table projection_runner::impl::live_table(slot const& s) const {
    std::shared_lock const lock(*s.mutex);
    auto const next = s.next.load();
    std::lock_guard const cache(s.cache_mutex);
    return projection_table{s.name, last_folded(next), s.model->columns(),
                            rendered_rows(s, next)};
}

std::string projection_runner::impl::live_json(slot const& s) const {
    std::shared_lock const lock(*s.mutex);
    auto const next = s.next.load();
    std::lock_guard const cache(s.cache_mutex);
    if (s.cached_json_next != next) {
        // to_json(live_table(s)) serialised, written without copying the rows into a table.
        auto const position = last_folded(next);
        s.cached_json = R"({"name":)" + boost::json::serialize(boost::json::string_view(s.name)) +
                        R"(,"position":)" + (position ? std::to_string(*position) : "null") +
                        R"(,"rows":)" + to_json_text(rendered_rows(s, next)) + "}";
        s.cached_json_next = next;
    }
    return s.cached_json;
}

projection_runner::projection_runner(store::event_store& store, projection_runner_options options)
    : impl_(std::make_unique<impl>(store, options)) {
    store.set_before_commit_hook([this](store::projection_records& r) { impl_->before_commit(r); });
    impl_->observer_handle = store.add_observer(
        [this](std::span<recorded_event const> events) { impl_->on_commit(events); });
    impl_->catch_up_thread = std::thread([this] { impl_->catch_up(); });
}

projection_runner::~projection_runner() {
    impl_->stopping = true;
    impl_->notify_progress();  // the catch-up thread may wait for an as-of query
    if (impl_->catch_up_thread.joinable()) impl_->catch_up_thread.join();
    if (impl_->stop_save.joinable()) impl_->stop_save.join();
    // Both wait for a running observer or hook to return.
    impl_->store.remove_observer(impl_->observer_handle);
    impl_->store.set_before_commit_hook({});
}

bool projection_runner::save_records(std::chrono::milliseconds bound) {
    // A model not loaded keeps its good record; one save at a time.
    if (!impl_->all_loaded || impl_->stop_save.joinable()) return false;
    // On a thread of its own: a commit stuck on a stalled disk must not hold a stopping
    // server past its drain (the writer's stop then refuses the queued save, and the
    // destructor joins the thread).
    auto done = std::make_shared<std::promise<bool>>();
    auto saved = done->get_future();
    impl_->stop_save = std::thread([this, done] { done->set_value(impl_->save_everything()); });
    if (saved.wait_for(bound) != std::future_status::ready) {
        spdlog::warn("projections: records not saved within {} ms; the next start folds the tail", bound.count());
        return false;
    }
    return saved.get();
}

std::vector<projection_summary> projection_runner::list() const {
    auto const committed = impl_->store.head().events;
    std::vector<projection_summary> summaries;
    for (auto const& s : impl_->slots) {
        auto const next = s->next.load();
        summaries.push_back(projection_summary{s->name, s->description,
                                               last_folded(next),
                                               committed > next ? committed - next : 0});
    }
    return summaries;
}

result<projection_table> projection_runner::query(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    if (s == nullptr) {
        return error{error_code::projection_not_found, "no projection named " + q.name,
                     {{"name", q.name}}};
    }
    if (q.as_of_position && q.as_of) {
        return error{error_code::bad_request, "give as_of_position or as_of, not both", {}};
    }
    if (q.as_of_position || q.as_of) return impl_->replay_table(*s, q);
    if (q.min_position && !impl_->wait_for(*s, *q.min_position, q.wait)) {
        auto const position = last_folded(s->next.load());
        return error{error_code::unavailable,
                     "projection " + q.name + " has not folded position " +
                         std::to_string(*q.min_position) + " yet",
                     {{"min_position", *q.min_position},
                      {"position", position ? boost::json::value(*position) : nullptr}}};
    }
    if (!impl_->wait_loaded(*s, std::min(q.wait, impl_->options.load_wait))) {
        return error{error_code::unavailable, "read models are loading; try again shortly",
                     {{"name", q.name}}};
    }
    return impl_->live_table(*s);
}

result<std::string> projection_runner::query_json(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    bool const live_now = s != nullptr && s->loaded && !q.as_of_position && !q.as_of &&
                          (!q.min_position || *q.min_position < s->next.load());
    if (s != nullptr && (q.as_of_position || q.as_of) && !(q.as_of_position && q.as_of)) {
        // to_json(table) as text, each row written as it is rendered (fold_as_of_json).
        auto const [prototype, last] = impl_->as_of_start(*s, q);
        return fold_as_of_json(impl_->store, &impl_->checkpoints, *prototype, last);
    }
    if (!live_now) return projection_service::query_json(q);  // errors, waits
    return impl_->live_json(*s);
}

result<projection_page> projection_runner::query_page(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    if (s != nullptr && (q.as_of_position || q.as_of) && !(q.as_of_position && q.as_of)) {
        return impl_->replay_page(*s, q);  // only the rows the page keeps are rendered
    }
    bool const live_now = s != nullptr && s->loaded && !q.as_of_position && !q.as_of &&
                          (!q.min_position || *q.min_position < s->next.load());
    if (live_now) {
        std::shared_lock const lock(*s->mutex);
        auto const next = s->next.load();
        std::lock_guard const cache(s->cache_mutex);
        if (auto page = narrowed_page(*s, next, q.selection)) return std::move(*page);
        auto& index = indexed_rows(*s, next);
        auto const picked = index.select(q.selection);
        if (picked.cursor_found) {
            auto const position = last_folded(next);
            projection_page page{projection_table{s->name, position, s->model->columns(), {}},
                                 next_cursor_of(*s, position, picked)};
            page.table.rows.reserve(picked.rows.size());
            for (auto const i : picked.rows) page.table.rows.push_back(s->cached_rows[i]);
            return page;
        }
    }
    return projection_service::query_page(q);  // errors, time travel, waits, a vanished row
}

result<projection_page_text> projection_runner::query_page_json(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    bool const live_now = s != nullptr && s->loaded && !q.as_of_position && !q.as_of &&
                          (!q.min_position || *q.min_position < s->next.load());
    if (live_now) {
        std::shared_lock const lock(*s->mutex);
        auto const next = s->next.load();
        std::lock_guard const cache(s->cache_mutex);
        if (auto page = narrowed_page(*s, next, q.selection)) {
            auto text = page_json_text(*page, q.selection.paged());
            return projection_page_text{std::move(text), std::move(page->next_cursor)};
        }
        auto& index = indexed_rows(*s, next);
        auto const picked = index.select(q.selection);
        if (picked.cursor_found) {
            auto const position = last_folded(next);
            projection_page_text page{index.answer_head(s->name, position, picked.rows),
                                      next_cursor_of(*s, position, picked)};
            if (q.selection.paged()) {
                page.json += R"(,"next_cursor":)";
                page.json += page.next_cursor ? to_json_text(boost::json::string_view(*page.next_cursor)) : "null";
            }
            page.json += '}';
            return page;
        }
    }
    return projection_service::query_page_json(q);  // errors, time travel, waits, a vanished row
}

bool projection_runner::loaded() const { return impl_->all_loaded; }

std::uint64_t projection_runner::snapshot_failures() const { return impl_->snapshot_failures.load(); }

projection_runner_stats projection_runner::stats() const {
    projection_runner_stats out{impl_->caught_up_events.load(), impl_->snapshots_used.load(),
                                impl_->snapshots_rebuilt.load(), impl_->snapshot_failures.load(),
                                impl_->checkpoints.stats()};
    for (auto const& s : impl_->slots) {
        if (s->table_in_store) {
            std::shared_lock const lock(*s->mutex);
            out.table_rebuilds = std::max(out.table_rebuilds, s->entity_rebuilds.load());
            if (auto const* table = table_in_store(*s)) {
                out.table_reads = table->candidates.reads();
                out.table_cached = table->candidates.cached_entries();
            }
        }
        if (!s->entity_table) continue;
        out.entity_rebuilds += s->entity_rebuilds.load();
        std::shared_lock const lock(*s->mutex);
        out.entity_reads += s->model->entity_reads();
        out.cached_entities += s->model->cached_entities();
    }
    return out;
}

bool projection_runner::wait_until_folded(std::uint64_t position,
                                          std::chrono::milliseconds timeout) const {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (auto const& s : impl_->slots) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (!impl_->wait_for(*s, position, std::max(left, std::chrono::milliseconds(0)))) return false;
    }
    return true;
}

bool projection_runner::wait_until_caught_up(std::chrono::milliseconds timeout) const {
    auto const head = impl_->store.head().position();
    return !head || wait_until_folded(*head, timeout);
}

}  // namespace ledger::app
