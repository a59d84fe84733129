#pragma once
// The JSON form of a recorded event (SPEC §4), as every read endpoint and the CLI show it.

#include "ledger/envelope.hpp"

#include <boost/json/object.hpp>

namespace ledger::app {

/// {"position", "stream", "version", "id", "type", "schema_version", "occurred_at",
///  "recorded_at", "actor", "correlation_id", "causation_id", "data", "metadata", "hash"}.
/// `data` comes from the catalogue; `metadata` is {} when the client sent none.
/// Throws ledger::codec_error when stored data does not decode (a corrupt ledger: a bug).
boost::json::object envelope_to_json(recorded_event const& event);

}  // namespace ledger::app
