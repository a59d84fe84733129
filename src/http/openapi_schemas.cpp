// The schemas of the OpenAPI document: event data from the catalogue's field descriptions,
// the append body, the envelope and the SPEC §6 error body.

#include "detail/openapi_parts.hpp"
#include "ledger/http/openapi.hpp"

#include "events/catalog.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace ledger::http {
namespace {

namespace json = boost::json;

/// The JSON Schema of one catalogue field type ("string", "date", "enum" with "values", …).
json::object field_type_schema(json::object const& field) {
    auto const type = field.at("type").as_string();
    if (type == "enum") return {{"type", "string"}, {"enum", field.at("values")}};
    if (type == "array") {
        return {{"type", "array"}, {"items", field_type_schema(field.at("items").as_object())}};
    }
    if (type == "date") {
        return {{"type", "string"}, {"format", "date"}, {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}};
    }
    // Timestamps also take a bare date (SPEC §4: midnight UTC), so no "format" that refuses it.
    if (type == "date-time") {
        return {{"type", "string"}, {"description", "RFC 3339 time, or YYYY-MM-DD (midnight UTC)"}};
    }
    if (type == "country") {
        return {{"type", "string"}, {"pattern", "^[A-Z]{2}$"}, {"description", "ISO 3166-1 alpha-2 (EL is stored as GR)"}};
    }
    if (type == "currency") return {{"type", "string"}, {"pattern", "^[A-Z]{3}$"}, {"description", "ISO 4217"}};
    return {{"type", type}};  // string, integer, boolean
}

}  // namespace

json::object event_data_schema(json::array const& fields) {
    json::object properties;
    json::array required;
    for (auto const& value : fields) {
        auto const& field = value.as_object();
        auto schema = field_type_schema(field);
        if (field.at("personal").as_bool()) schema["x-personal"] = true;
        if (auto const* fallback = field.if_contains("default")) schema["default"] = *fallback;
        auto const name = field.at("name").as_string();
        properties[name] = std::move(schema);
        if (field.at("required").as_bool()) required.push_back(json::string(name));
    }
    json::object schema{{"type", "object"}, {"properties", std::move(properties)},
                        {"additionalProperties", false}};
    if (!required.empty()) schema["required"] = std::move(required);
    return schema;
}

namespace detail {

/// One schema per event type ("<Type>" for its append item, "<Type>Data" for its data) and
/// AppendEvent, the choice among them by `type`.
void add_event_schemas(json::object& schemas) {
    json::array choices;
    json::object mapping;
    auto const catalog = events::catalog_json();
    for (auto const& value : catalog.at("types").as_array()) {
        auto const& type = value.as_object();
        std::string const name(type.at("type").as_string());
        schemas[name + "Data"] = event_data_schema(type.at("fields").as_array());
        schemas[name] = json::object{
            {"type", "object"},
            {"description", "category: " + std::string(type.at("category").as_string())},
            {"properties", json::object{{"id", {{"type", "string"}, {"format", "uuid"}}},
                                        {"type", {{"const", name}}},
                                        {"occurred_at", {{"type", "string"}}},
                                        {"data", {{"$ref", "#/components/schemas/" + name + "Data"}}},
                                        {"metadata", {{"type", "object"}}}}},
            {"required", json::array{"type", "occurred_at", "data"}},
            {"additionalProperties", false}};
        choices.push_back(json::object{{"$ref", "#/components/schemas/" + name}});
        mapping[name] = "#/components/schemas/" + name;
    }
    schemas["AppendEvent"] = json::object{
        {"oneOf", std::move(choices)},
        {"discriminator", json::object{{"propertyName", "type"}, {"mapping", std::move(mapping)}}}};
}

void add_body_schemas(json::object& schemas) {
    schemas["AppendRequest"] = json::object{
        {"type", "object"},
        {"properties",
         json::object{{"expected_version",
                       {{"oneOf", json::array{json::object{{"type", "integer"}, {"minimum", 0}},
                                              json::object{{"enum", json::array{"any", "no_stream", "exists"}}}}}}},
                      {"events", {{"type", "array"}, {"minItems", 1},
                                  {"items", {{"$ref", "#/components/schemas/AppendEvent"}}}}}}},
        {"required", json::array{"events"}}};
    json::object position{{"type", "integer"}, {"minimum", 0}};
    schemas["AppendResult"] = json::object{
        {"type", "object"},
        {"properties", json::object{{"stream", {{"type", "string"}}}, {"first_version", position},
                                    {"last_version", position}, {"first_position", position},
                                    {"last_position", position}}},
        {"required", json::array{"stream", "first_version", "last_version", "first_position", "last_position"}}};
    schemas["Error"] = json::object{
        {"type", "object"},
        {"properties",
         json::object{{"error", {{"type", "object"},
                                 {"properties", json::object{{"code", {{"type", "string"}}},
                                                             {"message", {{"type", "string"}}},
                                                             {"details", {{"type", "object"}}}}},
                                 {"required", json::array{"code", "message"}}}}}},
        {"required", json::array{"error"}}};
    schemas["Info"] = json::object{
        {"type", "object"},
        {"properties", json::object{{"version", {{"type", "string"}}}, {"commit", {{"type", "string"}}},
                                    {"format_version", {{"type", "integer"}}},
                                    {"ledger_id", {{"type", json::array{"string", "null"}}}},
                                    {"events", {{"type", "integer"}}}}},
        {"required", json::array{"version", "commit", "format_version", "ledger_id"}}};
}

}  // namespace detail
}  // namespace ledger::http
