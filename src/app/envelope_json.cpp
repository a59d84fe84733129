#include "ledger/app/envelope_json.hpp"

#include "events/catalog.hpp"
#include "ledger/sha256.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/parse.hpp>

namespace ledger::app {
namespace {

namespace json = boost::json;

json::value optional_text(std::optional<std::string> const& text) {
    return text ? json::value(*text) : json::value();
}

/// Metadata is stored as the client's JSON object text; the store never saw anything else.
json::value metadata_json(std::string const& metadata) {
    if (metadata.empty()) return json::object{};
    return json::parse(metadata);
}

}  // namespace

json::object envelope_to_json(recorded_event const& event) {
    json::object out;
    out.reserve(14);
    out["position"] = event.position;
    out["stream"] = event.stream;
    out["version"] = event.version;
    out["id"] = to_string(event.id);
    out["type"] = event.type;
    out["schema_version"] = event.schema_version;
    out["occurred_at"] = format_timestamp(event.occurred_at);
    out["recorded_at"] = format_timestamp(event.recorded_at);
    out["actor"] = event.actor;
    out["correlation_id"] = optional_text(event.correlation_id);
    out["causation_id"] = optional_text(event.causation_id);
    out["data"] = events::data_to_json(event.type, event.schema_version, event.data);
    out["metadata"] = metadata_json(event.metadata);
    out["hash"] = to_hex(event.hash);
    return out;
}

}  // namespace ledger::app
