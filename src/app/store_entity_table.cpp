#include "ledger/app/store_entity_table.hpp"

#include "ledger/app/projection_snapshot.hpp"
#include "projections/entity_keys.hpp"
#include "projections/read_model.hpp"

#include <spdlog/spdlog.h>

#include <limits>
#include <string>

namespace ledger::app::detail {

store::projection_reader& store_entity_reader::reader() {
    if (!reader_) reader_ = store_.read_projections();
    return *reader_;
}

std::optional<std::string_view> store_entity_reader::get(std::string_view key) { return reader().get(key); }

void store_entity_reader::scan(std::string_view from, std::string_view prefix,
                               std::function<bool(std::string_view, std::string_view)> const& visit) {
    reader().scan(from, prefix, visit);
}

namespace {

/// Why a record of `prototype` covering `next` events of code version `version` cannot be
/// used, or empty.
std::string unusable(projections::read_model const& prototype, std::uint32_t version, std::uint64_t next,
                     std::uint64_t head) {
    if (version != prototype.code_version()) {
        return "code version " + std::to_string(version) + ", the read model is at " +
               std::to_string(prototype.code_version());
    }
    if (next > head) return "it covers " + std::to_string(next) + " events but the log holds " + std::to_string(head);
    return {};
}

}  // namespace

void log_older_entity_form(std::string_view model, std::uint32_t epoch) {
    if (projections::ordered_entities(epoch)) return;
    auto const form = projections::compact_entities(epoch) ? "text keys in the ids' text order"
                      : epoch < projections::short_keys_epoch ? "long keys, n/ records, entries not packed"
                                                              : "n/ records, entries not packed";
    spdlog::info("projection {}: its entities keep the older form of epoch {:08x} ({}) until a rebuild moves "
                 "them to the ordered form",
                 model, epoch, form);
}

entity_table_load load_entity_table(store::event_store const& store, projections::read_model const& prototype,
                                    std::shared_ptr<projections::entity_reader> const& reader) {
    auto const name = std::string(prototype.name());
    auto const head = store.head().events;
    entity_table_load out;
    auto const record = store.read_projection_record(entity_snapshot_key(name));
    if (record) {
        std::string problem;
        if (auto const snapshot = decode_entity_snapshot_view(*record, &problem)) {
            problem = unusable(prototype, snapshot->code_version, snapshot->next_position, head);
            if (problem.empty()) {
                try {
                    auto model = prototype.fresh();
                    model->load_table_state(snapshot->state, reader);
                    // Its epoch is the newest one the table holds (a rebuild takes one past all).
                    if (auto const epochs = projections::entity_epochs(*reader, name); !epochs.empty()) {
                        log_older_entity_form(name, epochs.back());
                    }
                    reader->release();
                    return {std::move(model), snapshot->next_position, true, false};
                } catch (codec_error const& e) {
                    problem = e.what();
                }
            }
        }
        spdlog::warn("projection {}: entity table unusable ({}); rebuilding from the log", name, problem);
        out.rebuilt = true;
    }
    // A new epoch past every one the table holds: nothing written before is ever read again,
    // and later flushes erase it.
    auto stale = projections::entity_epochs(*reader, name);
    auto const epoch = projections::first_epoch_after(stale);
    out.model = prototype.fresh();
    out.model->keep_entities_in_table(reader, epoch, std::move(stale));
    auto const whole = record ? std::nullopt : store.read_projection_record(snapshot_key(name));
    if (whole) {
        std::string problem;
        if (auto const snapshot = decode_snapshot_view(*whole, &problem)) {
            problem = unusable(prototype, snapshot->code_version, snapshot->next_position, head);
            if (problem.empty()) {
                try {
                    out.model->load(snapshot->state);  // its entities go to the cache, to be flushed
                    out.next = snapshot->next_position;
                    out.resumed = true;
                    spdlog::info("projection {}: the entities of its snapshot move into the table", name);
                } catch (codec_error const& e) {
                    problem = e.what();
                }
            }
        }
        if (!out.resumed) {
            spdlog::warn("projection {}: snapshot unusable ({}); rebuilding from the log", name, problem);
            out.rebuilt = true;
        }
    }
    reader->release();
    return out;
}

bool flush_entity_table(projections::read_model& model, std::uint64_t next, store::projection_records& records) {
    records_entity_writer writer(records);
    if (!model.flush_entities(writer, entities_per_flush)) return false;
    records.put(entity_snapshot_key(model.name()),
                encode_entity_snapshot({model.code_version(), next, model.save_table_state()}));
    return true;
}

}  // namespace ledger::app::detail
