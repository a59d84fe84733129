#include "ledger/app/envelope_json.hpp"

#include "events/catalog.hpp"
#include "ledger/json_text.hpp"
#include "ledger/sha256.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

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

/// `text` as a JSON string, quoted and escaped by Boost.JSON.
std::string quoted(std::string_view text) { return json::serialize(json::string_view(text)); }

std::string quoted_or_null(std::optional<std::string> const& text) {
    return text ? quoted(*text) : std::string("null");
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


void append_envelope_json(std::string& out, recorded_event const& event) {
    // The keys in envelope_to_json's order; ids, times and hashes are plain ASCII.
    fmt::format_to(std::back_inserter(out),
                   FMT_COMPILE(R"({{"position":{},"stream":{},"version":{},"id":"{}","type":{},)"
                               R"("schema_version":{},"occurred_at":"{}","recorded_at":"{}",)"
                               R"("actor":{},"correlation_id":{},"causation_id":{},"data":{},)"
                               R"("metadata":{},"hash":"{}"}})"),
                   event.position, quoted(event.stream), event.version, to_string(event.id),
                   quoted(event.type), event.schema_version, format_timestamp(event.occurred_at),
                   format_timestamp(event.recorded_at), quoted(event.actor),
                   quoted_or_null(event.correlation_id), quoted_or_null(event.causation_id),
                   to_json_text(events::data_to_json(event.type, event.schema_version, event.data)),
                   // Imported metadata keeps its sender's spacing in the store: re-serialise.
                   to_json_text(metadata_json(event.metadata)), to_hex(event.hash));
}

}  // namespace ledger::app
