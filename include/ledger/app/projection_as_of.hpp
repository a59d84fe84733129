#pragma once
// Answering a read model as of a position or a recorded time (SPEC §7 `as_of_position`,
// `as_of`) from the nearest checkpoint instead of from position 0 (projection_checkpoint.hpp).
//
// Meaning (unchanged): as_of_position N folds the events at positions 0..N (all of them when N
// is past the head); as_of T folds the events recorded at or before T. recorded_at never
// decreases along the log (the store raises it), so that is the prefix up to the last event
// recorded at or before T, found by binary search over the log. The answer is the model
// folded from a usable checkpoint at or before that prefix's end plus the events after it:
// byte-identical to folding from 0, because a checkpoint is exactly the state at its position
// (read_model::save/load round-trips) and a retraction in the tail reads the event it names
// from the log by position, even one before the checkpoint.
//
// Threading: safe from any thread (reads the store; the keeper is thread-safe). Throws
// ledger::codec_error for undecodable data and lmdb::error for storage failures.

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/projection_service.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/read_model.hpp"

#include <atomic>
#include <cstdint>
#include <optional>

namespace ledger::app {

/// The last position an as-of query folds, or nullopt when it folds nothing (an empty log, or
/// nothing recorded by `as_of`). Give one of the two bounds.
std::optional<std::uint64_t> as_of_last_position(store::event_store const& store,
                                                 std::optional<std::uint64_t> as_of_position,
                                                 std::optional<timestamp> as_of);

/// `prototype`'s kind folded over positions [0, last] (none when nullopt), starting from the
/// keeper's nearest checkpoint (from 0 without a keeper); boundaries crossed on the way whose
/// checkpoints are missing or unusable are captured into the keeper.
projection_table fold_as_of(store::event_store const& store, checkpoint_keeper* keeper,
                            projections::read_model const& prototype, std::optional<std::uint64_t> last);

/// fold_as_of's table as the JSON text projection_runner::query_json answers
/// (`{"name":…,"position":…,"rows":[…]}`, the same bytes as to_json(fold_as_of(…))), each row
/// written as it is rendered (read_model::render) instead of kept. Errors as fold_as_of.
std::string fold_as_of_json(store::event_store const& store, checkpoint_keeper* keeper,
                            projections::read_model const& prototype, std::optional<std::uint64_t> last);

/// One page of fold_as_of's rows, as projection_service::query_page selects it from the whole
/// table (the same rows, bytes and next cursor), rendering only the rows the selection keeps
/// (read_model::render). When the cursor's row is not there and the cursor came from another
/// position, the page is answered as of the cursor's position, as query_page does. Errors:
/// projection_not_found for a name without key columns; bad_request (parameter "cursor")
/// for a cursor whose row is not in the table at its position.
result<projection_page> fold_page_as_of(store::event_store const& store, checkpoint_keeper* keeper,
                                        projections::read_model const& prototype,
                                        std::optional<std::uint64_t> last, projection_selection const& selection);

/// Takes the interval checkpoints of `prototype`'s kind at positions below `upto` that the
/// keeper's index does not list (a ledger written before checkpoints, captures lost in a crash
/// before their commit, a new code version): folds a fresh model from the nearest usable
/// checkpoint before the first missing one to the last, capturing on the way, and after each
/// capture waits until a commit has written it (so at most one state waits in memory; on a
/// server without appends it waits). Returns the checkpoints captured. Stops when `stopping`.
/// For the runner's catch-up thread once live.
std::uint64_t fill_checkpoints(store::event_store const& store, checkpoint_keeper& keeper,
                               projections::read_model const& prototype, std::uint64_t upto,
                               std::atomic<bool> const& stopping);

}  // namespace ledger::app
