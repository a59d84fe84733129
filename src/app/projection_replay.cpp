#include "ledger/app/projection_replay.hpp"

#include "ledger/app/parallel_fold.hpp"

#include <algorithm>
#include <exception>
#include <thread>

namespace ledger::app {

fold_decoder::fold_decoder(std::span<projections::read_model* const> models) : models_(models) {}

fold_decoder::type_memo& fold_decoder::memo_of(std::string const& type) {
    auto const known = memo_by_type_.find(type);
    if (known != memo_by_type_.end()) return known->second;
    bool const read = std::any_of(models_.begin(), models_.end(),
                                  [&](projections::read_model const* m) { return m->reads(type); });
    return memo_by_type_.emplace(type, type_memo{.read = read}).first->second;
}

std::optional<events::recruitment_event> fold_decoder::decode(recorded_event const& event) {
    if (!is_read(event.type)) return std::nullopt;
    return events::decode_event(event.type, event.schema_version, event.data);
}

void fold_decoder::decode_into(recorded_event const& event, std::optional<events::recruitment_event>& out) {
    auto& memo = memo_of(event.type);
    if (!memo.read) {
        out.reset();
        return;
    }
    if (!out) out.emplace();
    if (memo.decode == nullptr || memo.schema_version != event.schema_version) {
        // Throws for an unknown type or version, as decode_event does.
        memo.decode = events::find_data_decoder(event.type, event.schema_version);
        memo.schema_version = event.schema_version;
    }
    memo.decode(event.data, *out);
}

projections::fold_event fold_decoder::view(recorded_event const& event,
                                           std::optional<events::recruitment_event> const& data) {
    return projections::fold_event{.position = event.position,
                                   .stream = event.stream,
                                   .occurred_at = event.occurred_at,
                                   .recorded_at = event.recorded_at,
                                   .data = data ? &*data : nullptr};
}

std::unique_ptr<retracted_input> read_retracted(store::event_store const& store, fold_decoder& decoder,
                                                recorded_event const& event,
                                                std::optional<events::recruitment_event> const& data) {
    auto const* retraction = data ? std::get_if<events::event_retracted>(&*data) : nullptr;
    if (retraction == nullptr || retraction->position >= event.position) return nullptr;
    auto target = store.read_event(retraction->position);
    if (!target || target->stream != event.stream) return nullptr;
    auto input = std::make_unique<retracted_input>();
    input->event = std::move(*target);
    input->data = decoder.decode(input->event);
    input->view = fold_decoder::view(input->event, input->data);
    return input;
}

namespace {

bool take(recorded_event const& event, replay_bounds const& bounds) {
    if (bounds.to_position && event.position > *bounds.to_position) return false;
    // recorded_at never decreases along the log, so the first later one ends the replay.
    return !(bounds.recorded_until && event.recorded_at > *bounds.recorded_until);
}

replay_outcome replay_sequential(store::event_store const& store,
                                 std::span<projections::read_model* const> models,
                                 replay_bounds const& bounds) {
    replay_outcome outcome;
    fold_decoder decoder(models);
    store.scan(bounds.from_position, [&](recorded_event const& event) {
        if (!take(event, bounds)) return false;
        auto const data = decoder.decode(event);
        auto folded = fold_decoder::view(event, data);
        auto const retracted = read_retracted(store, decoder, event, data);
        if (retracted) folded.retracted = &retracted->view;
        for (auto* model : models) model->apply(folded);
        ++outcome.events;
        outcome.last_position = event.position;
        return true;
    });
    return outcome;
}

/// The lane models of fold_lanes over `events`, each event into each model, in log order.
void fold_lane(std::vector<projections::read_model*> const& lane, std::span<folded_event const> events) {
    for (auto const& event : events) {
        auto const view = event.view();
        for (auto* model : lane) model->apply(view);
    }
}

/// The scan (one thread) feeding fold lanes: for a replay whose end is found while scanning
/// (recorded_until).
replay_outcome replay_on_lanes(store::event_store const& store, std::span<projections::read_model* const> models,
                               replay_bounds const& bounds) {
    auto const lanes = fold_lanes(models);
    fold_decoder decoder(models);
    return scan_into_lanes(store, decoder,
                           lane_scan{.from_position = bounds.from_position,
                                     .lanes = lanes.size(),
                                     .take = [&](recorded_event const& event) { return take(event, bounds); },
                                     .mark = {},
                                     .fold = [&](std::size_t lane, std::span<folded_event const> events) {
                                         fold_lane(lanes[lane], events);
                                     },
                                     // Fewer, larger batches: fewer wake-ups; many in flight: a lane or the
                                     // scan descheduled on a busy machine stalls the others less (measured).
                                     .batch_events = 2048,
                                     .batches = 16});
}

/// [from, last], known up front, on two threads, one per core of a two-core machine: a lane
/// thread folds the application table's models (the longest lane, ~47 % of the CPU), and this
/// thread scans, decodes and folds the other four models on each batch right after handing it
/// over (~53 %). Each keeps its core without the scheduler having to place anything; the four
/// threads before (two scanners, the table's lane, a lane beside it) kept 1.41 of two quiet
/// cores busy in session 9's run-all (docs/performance.md, rm-replay4).
/// Errors as scan_into_lanes': every event before a failing one is folded by every model.
replay_outcome replay_stretch(store::event_store const& store, std::span<projections::read_model* const> models,
                              std::uint64_t from, std::uint64_t last) {
    auto const lanes = fold_lanes(models);
    fold_decoder decoder(models);
    return scan_into_lanes(store, decoder,
                           lane_scan{.from_position = from,
                                     .lanes = lanes.size(),
                                     .take = [&](recorded_event const& event) { return event.position <= last; },
                                     .mark = {},
                                     .fold = [&](std::size_t lane, std::span<folded_event const> events) {
                                         fold_lane(lanes[lane], events);
                                     },
                                     .batch_events = 2048,
                                     .batches = 16,
                                     .last_lane_on_scanner = true});
}

}  // namespace

replay_outcome replay_log(store::event_store const& store,
                          std::span<projections::read_model* const> models,
                          replay_bounds const& bounds, replay_threads threads) {
    if (threads == replay_threads::automatic) {
        threads = std::thread::hardware_concurrency() > 1 ? replay_threads::parallel : replay_threads::sequential;
    }
    if (threads == replay_threads::sequential || models.empty()) return replay_sequential(store, models, bounds);
    if (bounds.recorded_until) return replay_on_lanes(store, models, bounds);
    auto const head = store.head().position();
    if (!head || bounds.from_position > *head) return {};
    auto const last = bounds.to_position ? std::min(*bounds.to_position, *head) : *head;
    if (last < bounds.from_position) return {};
    return replay_stretch(store, models, bounds.from_position, last);
}

}  // namespace ledger::app
