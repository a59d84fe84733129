#pragma once
// Folding a stretch of the log on more than one core (issue 14: replay and catch-up speed).
//
// The calling thread scans the log, decodes each event once (its data only when some read
// model reads its type, fold_decoder) and reads back the event a retraction names; it copies
// what a fold needs into batches of `folded_event`s and hands each batch to every **lane**, a
// thread of its own that folds every event of the batch, in log order, into its read models.
// Lanes run at once, each on its own read models: read models that share an application table
// must be on one lane (fold_lanes puts them together).
//
// A few batches are in flight (a ring): the scan runs ahead of the slower lane by at most that
// many, then waits; a batch is reused once every lane has folded it.
//
// Threading: scan_into_lanes runs on the caller's thread and starts and joins its lanes before
// it returns. `take` and `mark` are called on the caller's thread; `fold` on lane `lane`'s
// thread (the caller's for a lane folded on the scanning thread, lane_scan::last_lane_on_scanner),
// that lane's calls in log order and never two at once, other lanes' calls at the same time.
// The batch `fold` sees is read-only and stays valid during the call.
// Errors: an exception of the scan, a decode (ledger::codec_error), a read (lmdb::error),
// `take` or `mark` ends the scan there; the lanes still fold every event before it (as a
// sequential fold would have), then it is rethrown. An exception of a lane's `fold` stops the
// scan and every lane at once (what was folded stays folded) and is rethrown. Either way
// scan_into_lanes joins its lanes before it throws.

#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/app/projection_replay.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ledger::app {

/// One event of the log as a fold needs it, owned (the scan reuses its own event object).
struct folded_event {
    std::uint64_t position = 0;
    std::string stream;
    timestamp occurred_at{};
    timestamp recorded_at{};
    std::optional<events::recruitment_event> data;  // decoded when some read model reads the type
    std::unique_ptr<retracted_input> retracted;     // for a retraction naming an earlier event
    checkpoint_boundary boundary;                   // set by `mark` when the caller wants it

    /// The fold input, pointing into this object.
    projections::fold_event view() const;
};

struct lane_scan {
    std::uint64_t from_position = 0;
    std::size_t lanes = 1;  // at least 1
    /// Scanning thread, before decoding `event`: whether to fold it (false ends the scan).
    std::function<bool(recorded_event const&)> take;
    /// Scanning thread, after decoding: fills what the caller keeps with the event (optional).
    std::function<void(recorded_event const&, folded_event&)> mark;
    /// Lane `lane`'s thread: fold `events` (consecutive, in log order).
    std::function<void(std::size_t lane, std::span<folded_event const> events)> fold;
    std::size_t batch_events = 512;  // events per batch
    std::size_t batches = 8;         // batches in flight (the ring)
    /// With more than one lane: the last lane is folded on the scanning thread itself, each
    /// batch right after it is handed to the other lanes, instead of on a thread of its own.
    /// Two threads then share the work (replay_log: the table's lane on one, the scan, decode
    /// and the other lane on the caller's), so two cores need no scheduler luck to stay busy.
    bool last_lane_on_scanner = false;
};

/// Copies what a fold needs of `event` into `out` (reusing its memory): its data decoded by
/// `decoder` when a read model reads the type, a retraction's target read back from `store`
/// (read_retracted); no boundary. Throws as fold_decoder::decode and read_retracted do.
void prepare_folded(store::event_store const& store, fold_decoder& decoder, recorded_event const& event,
                    folded_event& out);

/// Scans the log from `scan.from_position` until `take` says no or the log ends, and folds
/// each event on every lane (see above). `decoder` is used on the caller's thread only.
/// Returns the events scanned and folded and the last position.
replay_outcome scan_into_lanes(store::event_store const& store, fold_decoder& decoder, lane_scan const& scan);

/// `models` split into at most `max_lanes` lanes for scan_into_lanes: read models sharing an
/// application table stay on one lane (they must fold and be read together); with two lanes,
/// the models sharing a table on one (with origin, evening the lanes, when the table folds in
/// memory rather than in the store), the rest on the other.
/// Order within a lane is the order of `models`. Empty lanes are left out.
std::vector<std::vector<projections::read_model*>> fold_lanes(std::span<projections::read_model* const> models,
                                                              std::size_t max_lanes = 2);

}  // namespace ledger::app
