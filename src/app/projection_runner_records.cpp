// What the runner saves: the writer's before-commit hook (the read models' snapshots, their
// entity tables, the application table's group and the as-of checkpoints, in the group's
// transaction), and the records-only commits the catch-up thread and save_records ask for.
//
// Threading: before_commit and what it calls on the writer thread, inside its transaction;
// write_records_now, save_everything and settle_entity_tables on any thread but the writer's,
// holding no read-model lock. Errors: a snapshot that cannot be encoded is counted and logged
// (tried again at the next group); a put that fails leaves the hook, so the transaction
// commits none of it.

#include "detail/projection_runner_impl.hpp"

#include "ledger/app/projection_snapshot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ledger::app {

/// In the writer's hook: each table-backed read model with `snapshot_every` events unsaved
/// flushes its entities and its record. An exception leaves the hook (its transaction then
/// commits none of it, so a record never covers entities it does not hold); the entities stay
/// cached until a committed flush holds them.
void projection_runner::impl::flush_entity_tables(store::projection_records& records) {
    for (auto& s : slots) {
        if (!s->entity_table || !s->loaded || s->unsaved.load(std::memory_order_relaxed) < save_due_at(*s)) {
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
    return std::ranges::any_of(slots, [&](auto const& s) {
        return (s->entity_table || s->table_in_store) && s->loaded &&
               s->unsaved.load(std::memory_order_relaxed) >= std::max<std::uint64_t>(save_due_at(*s), 1);
    });
}

/// Events unsaved that make a read model's records due: `snapshot_every`, or any while
/// save_everything() runs.
std::uint64_t projection_runner::impl::save_due_at() const {
    return save_all.load() ? std::min<std::uint64_t>(options.snapshot_every, 1) : options.snapshot_every;
}

/// save_due_at() for `s`; for a model sharing the application table, not before its record's
/// bytes / table_record_bytes_per_event events either (projection_runner_options), except
/// while save_everything() runs.
std::uint64_t projection_runner::impl::save_due_at(slot const& s) const {
    auto const due = save_due_at();
    if (!s.table_member || save_all.load()) return due;
    return std::max(due, table_due_at.load(std::memory_order_relaxed));
}

/// After the hook encoded the application table's record of `bytes` (writer thread). Should the
/// transaction then abort (the map full), the retried hook finds the group due later: its
/// candidates stay cached and unsaved until a committed save, which only comes later.
void projection_runner::impl::table_record_written(std::size_t bytes) {
    auto const per_event = options.table_record_bytes_per_event;
    table_due_at.store(per_event == 0 ? 0 : bytes / per_event, std::memory_order_relaxed);
}

bool projection_runner::impl::records_due() const {
    if (checkpoints.stats().waiting > 0) return true;
    return std::ranges::any_of(slots, [&](auto const& s) {
        return s->loaded && s->unsaved.load(std::memory_order_relaxed) >= save_due_at(*s);
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
        checkpoints.confirm_written();  // committed: what the hook put leaves memory now
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

/// The models sharing the application table are saved together, all at one position: the
/// table once and each model's own part. Not while they do not share one table at one
/// position yet (a model rebuilding catches up, then share_tables joins them).
void projection_runner::impl::save_table_group(store::projection_records& records) {
    std::vector<slot*> group;
    bool due = false;
    for (auto& s : slots) {
        if (!s->table_member) continue;
        if (!s->loaded) return;  // it would overwrite a good snapshot with an empty state
        due = due || s->unsaved.load(std::memory_order_relaxed) >= save_due_at(*s);
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
        table_record_written(out.back().second.size());
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
    auto const table_record = detail::encode_snapshot(
        {projections::application_table_store_code_version(), next, projections::save_table_state(table)});
    records.put(detail::table_snapshot_key(), table_record);
    table_record_written(table_record.size());
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
    // bigger map) leaves them due for the retried hook.
    flush_entity_tables(records);
    if (table_reader) save_table_group(records);  // its candidates (and small record) with them
    if (!entities_only) put_snapshots(records);
    // Last, as the hook's last put: what it puts stays in the keeper until a commit is known
    // to hold it (checkpoint_keeper::confirm_written), so a retried group puts it again.
    checkpoints.write_pending(records);  // lmdb::error is the group's (the writer retries it)
}

/// The whole-state snapshots due (and the table group's when its table is not in the store).
void projection_runner::impl::put_snapshots(store::projection_records& records) {
    if (!table_reader) save_table_group(records);
    for (auto& s : slots) {
        if (s->table_member || s->entity_table) continue;  // save_table_group, flush_entity_tables
        // A read model not loaded yet would overwrite its good snapshot with an empty state.
        if (!s->loaded || s->unsaved.load(std::memory_order_relaxed) < save_due_at(*s)) {
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

}  // namespace ledger::app
