#pragma once
// Whether a runner has stored every record a restart resumes from (each read model's own
// snapshot and the application table's), covering at least a given number of events. Snapshots
// are written only once `snapshot_every` events are unsaved, and the table group's may come with
// the catch-up thread's own commit after the caller's last append: a test that tears its runner
// down without checking finds models without a snapshot, or with an older one, on the next start.
//
// Threading: reads the store from the calling thread while the runner works on its own.

#include "ledger/app/projection_runner.hpp"
#include "ledger/app/projection_snapshot.hpp"
#include "ledger/store/event_store.hpp"

#include <chrono>
#include <cstdint>
#include <thread>

namespace ledger::testing {

/// True when every record exists, decodes, and covers at least the first `events` events.
inline bool every_snapshot_covers(store::event_store const& store, app::projection_runner& runner,
                                  std::uint64_t events) {
    auto const covers = [&](auto const& snapshot) { return snapshot && snapshot->next_position >= events; };
    auto const table = store.read_projection_record(app::detail::table_snapshot_key());
    if (!table || !covers(app::detail::decode_snapshot_view(*table))) return false;
    for (auto const& summary : runner.list()) {
        if (auto const own = store.read_projection_record(app::detail::snapshot_key(summary.name))) {
            if (!covers(app::detail::decode_snapshot_view(*own))) return false;
        } else if (auto const entities = store.read_projection_record(app::detail::entity_snapshot_key(summary.name))) {
            if (!covers(app::detail::decode_entity_snapshot_view(*entities))) return false;
        } else {
            return false;
        }
    }
    return true;
}

/// Polls every_snapshot_covers until it holds or `bound` passes; returns its last answer.
inline bool wait_for_every_snapshot(store::event_store const& store, app::projection_runner& runner,
                                    std::uint64_t events = 0,
                                    std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    auto const deadline = std::chrono::steady_clock::now() + bound;
    while (!every_snapshot_covers(store, runner, events) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a condition with a bound
    }
    return every_snapshot_covers(store, runner, events);
}

}  // namespace ledger::testing
