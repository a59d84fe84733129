#pragma once
// The projection runner's private state (projection_runner.hpp), shared by the files that
// implement it: projection_runner.cpp (construction, lifetime, the public entry points that
// are not queries), projection_runner_load.cpp (snapshots and the application table loaded
// at start), projection_runner_fold.cpp (the catch-up fold and the live fold of commits),
// projection_runner_records.cpp (the writer's before-commit hook: snapshot, entity, table and
// checkpoint records) and projection_runner_queries.cpp (live and as-of answers).
//
// Threading: a slot's model is guarded by its (possibly shared) mutex, folds exclusive and
// reads shared; the members of impl say which thread writes them. Errors: see each function.

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/parallel_fold.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/row_index.hpp"
#include "ledger/app/store_entity_table.hpp"
#include "projections/detail/applications.hpp"
#include "projections/read_model.hpp"

#include <boost/json/array.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ledger::app::detail {

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

/// The application table of a slot sharing it in the store, or nullptr (projection_runner_fold.cpp).
projections::detail::application_table* table_in_store(slot const& s);

/// Before a table-backed slot folds a batch or a commit (its mutex held): drops the cached
/// entities that committed flushes hold (projection_runner_fold.cpp).
void settle(slot& s);

/// After it folded them: its read transaction ends (projection_runner_fold.cpp).
void release_reads(slot& s);

/// The position of the last event folded when `next` are, or nullopt for none (projection_runner.cpp).
std::optional<std::uint64_t> last_folded(std::uint64_t next);

}  // namespace ledger::app::detail

namespace ledger::app {

// The runner's functions were written in one file with these unqualified (and are kept so).
using detail::last_folded;
using detail::release_reads;
using detail::settle;
using detail::slot;
using detail::table_in_store;
using projections::read_model;

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
    void maintain_funnel_rows();
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
    std::uint64_t save_due_at(slot const& s) const;
    void table_record_written(std::size_t bytes);
    bool records_due() const;
    bool write_records_now() noexcept;
    bool save_everything() noexcept;
    std::uint64_t fold_log_tail(checkpoint_boundaries& boundaries, std::uint64_t limit);
    std::vector<std::vector<slot*>> catch_up_lanes() const;
    void fold_batch(std::vector<slot*> const& lane, std::span<folded_event const> events);
    void on_commit(std::span<recorded_event const> events) noexcept;
    void before_commit(store::projection_records& records);
    void put_records(store::projection_records& records);
    void put_snapshots(store::projection_records& records);
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
    // Events unsaved at which the models sharing the application table are due, past
    // snapshot_every: its last record's bytes / table_record_bytes_per_event (writer thread
    // writes it, any thread reads it).
    std::atomic<std::uint64_t> table_due_at{0};
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

}  // namespace ledger::app
