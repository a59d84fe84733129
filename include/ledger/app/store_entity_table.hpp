#pragma once
// The store side of table-backed read models (projections/entity_table.hpp): a reader of the
// store's `projections` table and a writer into the group transaction's records.
//
// store_entity_reader keeps one read transaction from its first read until release(): the
// runner releases it after each batch or commit it folds, so it never holds one while it waits
// for the writer (growing the map waits for every transaction of the process to end).
// Errors: lmdb::error from the store. Threading: one thread at a time (the one holding the read
// model's lock).

#include "ledger/store/event_store.hpp"
#include "projections/entity_table.hpp"
#include "projections/read_model.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ledger::app::detail {

class store_entity_reader final : public projections::entity_reader {
public:
    explicit store_entity_reader(store::event_store const& store) : store_(store) {}
    std::optional<std::string_view> get(std::string_view key) override;
    void scan(std::string_view from, std::string_view prefix,
              std::function<bool(std::string_view, std::string_view)> const& visit) override;
    void release() override { reader_.reset(); }

private:
    store::projection_reader& reader();

    store::event_store const& store_;
    std::unique_ptr<store::projection_reader> reader_;
};

class records_entity_writer final : public projections::entity_writer {
public:
    explicit records_entity_writer(store::projection_records& records) : records_(records) {}
    void put(std::string_view key, std::string_view value) override { records_.put(key, value); }
    std::size_t erase_prefix(std::string_view prefix, std::size_t limit) override {
        return records_.erase_prefix(prefix, limit);
    }

private:
    store::projection_records& records_;
};

/// A table-backed read model as the store holds it (docs/read-models.md, "Entities in the
/// store"): resumed from its record (entity_snapshot_key) with no entity decoded; or, with no
/// such record, its whole-state snapshot of before (snapshot_key) moved into the table; or
/// empty, to be folded from the log. Any epochs the table held are stale in the last two cases,
/// and a record that is damaged or stale (checksum, code version, past the head) is logged and
/// never used. Throws lmdb::error.
struct entity_table_load {
    std::unique_ptr<projections::read_model> model;  // table-backed
    std::uint64_t next = 0;                          // events it covers
    bool resumed = false;  // from a record (its own, or a whole-state snapshot moved in)
    bool rebuilt = false;  // a record was there but unusable
};
entity_table_load load_entity_table(store::event_store const& store, projections::read_model const& prototype,
                                    std::shared_ptr<projections::entity_reader> const& reader);

/// Inside the writer's group transaction: the read model's entities changed since its last
/// committed flush, then its record covering `next` events. Throws what the records throw (the
/// hook's transaction then commits none of it). Returns false when only part of the entities
/// of a state moved in from a snapshot were put (at most `entities_per_flush`, so one
/// transaction's dirty pages stay bounded) and no record was written: flush again.
bool flush_entity_table(projections::read_model& model, std::uint64_t next, store::projection_records& records);

/// Logs (info) that the entities of `model` (a read model's name, or "application table"),
/// resumed at start under `epoch`, are of an older form than the ordered one
/// (projections/entity_keys.hpp): they stay in it — read and flushed as they were written,
/// answering the same — until a rebuild moves them to the ordered form.
void log_older_entity_form(std::string_view model, std::uint32_t epoch);

/// Entities one flush of a state moved in from a snapshot puts at most.
inline constexpr std::size_t entities_per_flush = 100'000;

}  // namespace ledger::app::detail
