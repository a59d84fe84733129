#include "ledger/app/projection_as_of.hpp"

#include "ledger/app/parallel_fold.hpp"
#include "ledger/app/projection_replay.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace ledger::app {

std::optional<std::uint64_t> as_of_last_position(store::event_store const& store,
                                                 std::optional<std::uint64_t> as_of_position,
                                                 std::optional<timestamp> as_of) {
    auto const events = store.head().events;
    if (events == 0) return std::nullopt;
    if (as_of_position) return std::min(*as_of_position, events - 1);
    if (!as_of) return events - 1;
    // The number of events recorded at or before `as_of` (recorded_at never decreases).
    std::uint64_t low = 0;
    std::uint64_t high = events;
    while (low < high) {
        auto const middle = low + (high - low) / 2;
        auto const event = store.read_event(middle);
        if (event && event->recorded_at <= *as_of) low = middle + 1;
        else high = middle;
    }
    if (low == 0) return std::nullopt;
    return low - 1;
}

projection_table fold_as_of(store::event_store const& store, checkpoint_keeper* keeper,
                            projections::read_model const& prototype, std::optional<std::uint64_t> last) {
    std::unique_ptr<projections::read_model> model;
    std::uint64_t from = 0;
    auto const t0 = std::chrono::steady_clock::now();
    if (!last) model = prototype.fresh();
    else if (keeper != nullptr) std::tie(model, from) = keeper->nearest(prototype, *last + 1);
    else model = prototype.fresh();
    auto const t1 = std::chrono::steady_clock::now();
    if (last && from <= *last) {
        // This thread scans and decodes, one lane folds (parallel_fold.hpp): two cores.
        projections::read_model* const models[] = {model.get()};
        fold_decoder decoder(models);
        std::optional<checkpoint_boundaries> boundaries;
        if (keeper != nullptr) boundaries.emplace(store, keeper->options());
        scan_into_lanes(store, decoder,
                        lane_scan{.from_position = from,
                                  .lanes = 1,
                                  .take = [&](recorded_event const& event) { return event.position <= *last; },
                                  .mark = [&](recorded_event const& event, folded_event& out) {
                                      if (boundaries) out.boundary = boundaries->at(event);
                                  },
                                  .fold = [&](std::size_t, std::span<folded_event const> events) {
                                      for (auto const& event : events) {
                                          // A boundary crossed here had no usable checkpoint: take it again.
                                          if (event.boundary) {
                                              keeper->capture(*model, event.position, event.boundary, event.recorded_at);
                                          }
                                          model->apply(event.view());
                                      }
                                  }});
    }
    auto const t2 = std::chrono::steady_clock::now();
    auto rows = model->rows();
    auto const t3 = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    // Where an as-of answer's time goes (docs/read-models.md, "As of at 10,000,000 events").
    spdlog::debug("projection {}: as of position {}: checkpoint at {} loaded in {:.1f} ms, {} events folded "
                  "in {:.1f} ms, {} rows in {:.1f} ms",
                  prototype.name(), last ? *last : 0, from, ms(t0, t1), last ? *last + 1 - from : 0, ms(t1, t2),
                  rows.size(), ms(t2, t3));
    auto columns = model->columns();
    model.reset();
#ifdef __GLIBC__
    // The loaded state was hundreds of MiB at 10,000,000 events: give its pages back, or the
    // server keeps them resident after every as-of answer.
    malloc_trim(0);
#endif
    return projection_table{std::string(prototype.name()), last, std::move(columns), std::move(rows)};
}

std::uint64_t fill_checkpoints(store::event_store const& store, checkpoint_keeper& keeper,
                               projections::read_model const& prototype, std::uint64_t upto,
                               std::atomic<bool> const& stopping) {
    auto const every = keeper.options().every;
    if (every == 0) return 0;
    auto const missing = [&](std::uint64_t p) {
        return !keeper.stored(prototype, p);
    };
    std::optional<std::uint64_t> first;
    std::uint64_t last = 0;
    for (std::uint64_t p = every; p < upto; p += every) {
        if (!missing(p)) continue;
        if (!first) first = p;
        last = p;
    }
    if (!first) return 0;
    // Named variables, not a structured binding: clang 14 (the fuzz build) cannot capture a
    // binding in the lambda below.
    auto nearest = keeper.nearest(prototype, *first);
    auto model = std::move(nearest.first);
    auto from = nearest.second;
    projections::read_model* const models[] = {model.get()};
    fold_decoder decoder(models);
    checkpoint_boundaries boundaries(store, keeper.options());
    std::uint64_t captured = 0;
    while (from <= last && !stopping) {
        // One scan until a capture; the wait for its commit holds no read transaction.
        bool took = false;
        store.scan(from, [&](recorded_event const& event) {
            if (stopping || event.position > last) return false;
            if (auto const boundary = boundaries.at(event); boundary) {
                auto const before = keeper.stats().captured;
                keeper.capture(*model, event.position, boundary, event.recorded_at);
                took = keeper.stats().captured > before;
                if (event.position == last) {
                    from = last + 1;
                    return false;
                }
            }
            auto const data = decoder.decode(event);
            auto view = fold_decoder::view(event, data);
            auto const retracted = read_retracted(store, decoder, event, data);
            if (retracted) view.retracted = &retracted->view;
            model->apply(view);
            from = event.position + 1;
            return !took;
        });
        if (took) {
            ++captured;
            keeper.wait_written(stopping);
        } else if (from <= last) {
            break;  // the log ended (cannot happen below `upto`) or stopping
        }
    }
    return captured;
}

}  // namespace ledger::app
