#pragma once
// Whether the read models can answer (GET /readyz, issue 14): every one has loaded its
// snapshot and folded the log up to the head, give or take `max_lag` events, so that a load
// balancer never routes to a server still folding. Kept apart from the HTTP route so that
// other conditions (draining, a fatal storage error) combine with it.
//
// Threading: as projection_service::list() and loaded(), safe from any thread.

#include "ledger/app/projection_service.hpp"
#include "ledger/error.hpp"

#include <cstdint>
#include <optional>

namespace ledger::app {

/// Committed events a read model may still have to fold and count as at the head. The live
/// runner folds each commit right after it, so at the head the lag is at most one group; a
/// model catching up after a restart folds 1,000 events in about a millisecond.
inline constexpr std::uint64_t ready_lag = 1'000;

/// nullopt when `service` has loaded every read model and each lags at most `max_lag` events.
/// Otherwise an `unavailable` error, message "read models are loading" (snapshots still
/// loading) or "read models are catching up", details {"max_lag", "lagging": [{"name",
/// "position", "lag"}, …]} naming every read model that is not ready (all of them while
/// loading).
std::optional<error> read_models_not_ready(projection_service const& service,
                                           std::uint64_t max_lag = ready_lag);

}  // namespace ledger::app
