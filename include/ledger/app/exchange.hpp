#pragma once
// Moving events in and out of a ledger as CloudEvents JSON lines (see cloudevents.hpp).

#include "ledger/error.hpp"
#include "ledger/store/event_store.hpp"

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>

namespace ledger::app {

/// Called now and then with (done, total); total is 0 when unknown.
using progress_callback = std::function<void(std::uint64_t, std::uint64_t)>;

/// Writes every event from `from_position` on, one CloudEvent per line. Returns the count.
std::uint64_t export_events(store::event_store const& store, std::uint64_t from_position,
                            std::ostream& out, progress_callback const& progress = {});

struct import_report {
    std::uint64_t lines = 0;             // events read
    std::uint64_t appended = 0;          // events newly written
    std::uint64_t already_recorded = 0;  // events whose id was already stored identically
};

/// Reads CloudEvent lines and appends them through the store's real path (rules included),
/// idempotent by event id. Consecutive lines of one stream and actor form one atomic batch
/// (at most 1,000 events). Recorded times in the input are kept, so importing an export into
/// an empty ledger re-creates it byte for byte (same positions, same hash chain).
///
/// Stops at the first bad line (invalid_json, invalid_event, unknown_event_type,
/// invalid_stream_name; the message names the line): every line before it is written, nothing
/// from it on. A batch the store refuses (a rule, a conflict, a storage failure) is not written
/// at all and stops the import too: the batches form one store::append_chain, so none after it
/// commits even when already in flight. Events an earlier run recorded are re-sent one per
/// request (the store checks each is the same event), so re-running an import after any failure
/// completes, whatever the earlier run's batches were.
result<import_report> import_events(store::event_store& store, std::istream& in,
                                    progress_callback const& progress = {});

}  // namespace ledger::app
