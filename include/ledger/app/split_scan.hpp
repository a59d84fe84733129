#pragma once
// Folding one stretch of the log, in log order, with its scan and decode split over threads
// (issue 14: an as-of answer at 10,000,000 events, where the scan and decode of the interval
// after a checkpoint, not the fold, is what takes the time).
//
// The stretch [from_position, last_position] (positions are dense: every one below the head is
// an event) is cut into batches of `batch_events` consecutive positions. Each scanner (a thread
// of its own) takes the next batch no scanner has taken, in log order, and scans and decodes it
// (each with its own read transactions, fold_decoder and boundary finder) into a ring of slots;
// the calling thread first runs `start` (e.g. loading the checkpoint it folds into) while the
// first scanner fills up to `batches_while_starting` slots, then folds batch 0, 1, 2, … in
// order as each is ready, with every scanner at most `batches` ahead of it. A scanner waits
// while its batch's slot still holds one not folded, so memory is the ring's events, whatever
// the stretch's length.
//
// Each event is prepared as parallel_fold's lanes get it (prepare_folded: data decoded when a
// model of `reads` reads its type, a retraction's target read back); with `boundaries`, its
// folded_event::boundary says whether it is a checkpoint boundary.
//
// Threading: split_scan runs `start` and `fold` on the caller's thread; the scanners only read
// the store and `reads` (read_model::reads, const). It joins its scanners before it returns.
// Errors: the first exception of `start`, `fold` or a scanner (ledger::codec_error,
// lmdb::error; std::runtime_error when the log ends before last_position) stops every thread
// and is rethrown; what was folded stays folded.

#include "ledger/app/parallel_fold.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/store/event_store.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

namespace ledger::app {

struct split_scan_job {
    std::uint64_t from_position = 0;
    std::uint64_t last_position = 0;  // inclusive; nothing is folded when below from_position
    /// The read models whose types are decoded (must outlive the call; only reads() is used).
    std::span<projections::read_model* const> reads;
    /// Mark checkpoint boundaries with these options (folded_event::boundary).
    std::optional<checkpoint_options> boundaries;
    /// Caller's thread, before the first fold, while the scanners run (optional).
    std::function<void()> start;
    /// Caller's thread: fold `events` (consecutive, in log order).
    std::function<void(std::span<folded_event const> events)> fold;
    std::size_t scanners = 2;
    std::size_t batch_events = 2048;
    std::size_t batches = 64;
    /// Batches the first scanner may run ahead while `start` runs (`batches` when less): a
    /// long `start` (a checkpoint's load) then leaves the scanner's core busy instead of idle.
    /// The ring has max(batches, batches_while_starting) slots, each keeping its memory.
    std::size_t batches_while_starting = 0;
};

/// Scans, decodes and folds [job.from_position, job.last_position] as described above; returns
/// the events folded and the last position.
replay_outcome split_scan(store::event_store const& store, split_scan_job const& job);

}  // namespace ledger::app
