#include "ledger/app/cloudevents.hpp"

#include "events/catalog.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace ledger::app {
namespace {

constexpr std::string_view source_name = "recruit-ledger";

error invalid(std::size_t index, std::string_view field, std::string reason) {
    error e{error_code::invalid_event, "line " + std::to_string(index + 1) + ": " + reason, {}};
    e.details["index"] = index;
    e.details["field"] = field;
    e.details["reason"] = std::move(reason);
    return e;
}

// A required or optional string attribute; nullopt with `failure` set when it has another type.
std::optional<std::string> string_attribute(boost::json::object const& ce, std::string_view name,
                                            bool required, std::size_t index,
                                            std::optional<error>& failure) {
    auto const* value = ce.if_contains(name);
    if (value == nullptr || value->is_null()) {
        if (required) failure = invalid(index, name, "missing required attribute");
        return std::nullopt;
    }
    if (!value->is_string()) {
        failure = invalid(index, name, "must be a string");
        return std::nullopt;
    }
    return std::string(value->get_string());
}

}  // namespace

boost::json::object to_cloudevent(recorded_event const& e) {
    boost::json::object ce{
        {"specversion", "1.0"},
        {"id", to_string(e.id)},
        {"source", source_name},
        {"type", e.type},
        {"subject", e.stream},
        {"time", format_timestamp(e.occurred_at)},
        {"datacontenttype", "application/json"},
        {"data", events::data_to_json(e.type, e.schema_version, e.data)},
        {"position", e.position},
        {"stream", e.stream},
        {"version", e.version},
        {"schemaversion", e.schema_version},
        {"recordedtime", format_timestamp(e.recorded_at)},
        {"actor", e.actor},
        {"hash", to_hex(e.hash)},
    };
    if (!e.metadata.empty()) ce["metadata"] = e.metadata;
    if (e.correlation_id) ce["correlationid"] = *e.correlation_id;
    if (e.causation_id) ce["causationid"] = *e.causation_id;
    return ce;
}

result<imported_event> from_cloudevent(boost::json::value const& value, std::size_t index) {
    if (!value.is_object()) return invalid(index, "", "a CloudEvent is a JSON object");
    auto const& ce = value.get_object();
    std::optional<error> failure;
    auto const spec = string_attribute(ce, "specversion", true, index, failure);
    auto const id = string_attribute(ce, "id", true, index, failure);
    auto const type = string_attribute(ce, "type", true, index, failure);
    auto const subject = string_attribute(ce, "subject", true, index, failure);
    auto const time = string_attribute(ce, "time", true, index, failure);
    auto const actor = string_attribute(ce, "actor", false, index, failure);
    auto const recorded = string_attribute(ce, "recordedtime", false, index, failure);
    auto const metadata = string_attribute(ce, "metadata", false, index, failure);
    auto const correlation = string_attribute(ce, "correlationid", false, index, failure);
    auto const causation = string_attribute(ce, "causationid", false, index, failure);
    if (failure) return *failure;
    if (*spec != "1.0") return invalid(index, "specversion", "only CloudEvents 1.0 is supported");
    if (!is_valid_stream_name(*subject) || !events::is_known_category(stream_category(*subject))) {
        error e{error_code::invalid_stream_name, "line " + std::to_string(index + 1) + ": bad subject " + *subject, {}};
        e.details["index"] = index;
        return e;
    }
    imported_event imported{*subject, actor.value_or("import"), std::nullopt, {}};
    imported.event.id = parse_uuid(*id);
    if (!imported.event.id) return invalid(index, "id", "must be a UUID");
    auto const occurred = parse_timestamp(*time);
    if (!occurred) return invalid(index, "time", "must be an RFC 3339 timestamp");
    imported.event.occurred_at = *occurred;
    if (recorded) {
        imported.recorded_at = parse_timestamp(*recorded);
        if (!imported.recorded_at) return invalid(index, "recordedtime", "must be an RFC 3339 timestamp");
    }
    if (metadata) {
        boost::system::error_code ec;
        auto const parsed = boost::json::parse(*metadata, ec);
        if (ec || !parsed.is_object()) return invalid(index, "metadata", "must be a JSON object as text");
        imported.event.metadata = *metadata;
    }
    auto const* data = ce.if_contains("data");
    if (data == nullptr) return invalid(index, "data", "missing required attribute");
    auto encoded = events::encode_data(*type, *data, index);
    if (!encoded) return encoded.error();
    imported.event.type = *type;
    imported.event.schema_version = encoded->schema_version;
    imported.event.data = std::move(encoded->bytes);
    imported.event.correlation_id = correlation;
    imported.event.causation_id = causation;
    return imported;
}

}  // namespace ledger::app
