// The projection runner's construction and lifetime (the writer's hook, the commit observer
// and the catch-up thread are set up and torn down here), the shared helpers of its private
// state (detail/projection_runner_impl.hpp) and the public entry points that are not queries:
// list, stats, save_records and the waits.
//
// Threading: the public functions may be called from any thread; the destructor must not run
// while another thread still calls into the runner. save_records runs its commits on a thread
// of its own and returns after at most its bound.

#include "detail/projection_runner_impl.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

namespace ledger::app {

namespace detail {

std::optional<std::uint64_t> last_folded(std::uint64_t next) {
    return next == 0 ? std::nullopt : std::optional(next - 1);
}

}  // namespace detail

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

bool projection_runner::impl::wait_loaded(slot const& s, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(progress_mutex);
    return progress.wait_for(lock, timeout, [&] { return s.loaded.load(); });
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
