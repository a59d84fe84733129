#pragma once
// The JSON form of a recorded event (SPEC §4), as every read endpoint and the CLI show it.

#include "ledger/envelope.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace ledger::app {

/// {"position", "stream", "version", "id", "type", "schema_version", "occurred_at",
///  "recorded_at", "actor", "correlation_id", "causation_id", "data", "metadata", "hash"}.
/// `data` comes from the catalogue; `metadata` is {} when the client sent none.
/// Throws ledger::codec_error when stored data does not decode (a corrupt ledger: a bug).
boost::json::object envelope_to_json(recorded_event const& event);

/// Appends to_json_text(envelope_to_json(event)) (ledger/json_text.hpp) to `out`, byte for
/// byte, without building the envelope's DOM (only `data` and `metadata` go through one):
/// reads answer with pages of these.
/// Throws as envelope_to_json does.
void append_envelope_json(std::string& out, recorded_event const& event);

}  // namespace ledger::app
