// openapi_document: one operation per routed method and path (route_table.hpp), described by
// its note (openapi_notes.cpp) and the schemas of openapi_schemas.cpp.

#include "ledger/http/openapi.hpp"

#include "detail/openapi_parts.hpp"
#include "ledger/http/route_table.hpp"
#include "ledger/app/tokens.hpp"
#include "ledger/build_info.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <string>

namespace ledger::http {
namespace {

namespace json = boost::json;

detail::operation_note const* note_of(routed_operation const& route) {
    for (auto const& note : detail::operation_notes()) {
        if (note.method == route.method && note.path == route.path) return &note;
    }
    return nullptr;
}

/// "GET /v1/streams/{stream}" → "get_v1_streams_stream".
std::string operation_id(routed_operation const& route) {
    std::string id;
    for (char c : route.method) id += static_cast<char>(c - 'A' + 'a');
    for (char c : route.path) {
        if (c == '/' || c == '.' || c == '-') {
            if (id.back() != '_') id += '_';
        } else if (c != '{' && c != '}') {
            id += c;
        }
    }
    if (id.back() == '_') id.pop_back();
    return id;
}

json::array parameters(routed_operation const& route, detail::operation_note const* note) {
    json::array out;
    auto const path = documented_path(route.path);
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
        auto const name = std::string_view(path).substr(open + 1, path.find('}', open) - open - 1);
        out.push_back(json::object{{"name", name}, {"in", "path"}, {"required", true},
                                   {"schema", {{"type", "string"}}}, {"example", detail::path_example(name)}});
    }
    if (note == nullptr) return out;
    for (auto const& query : note->query) {
        json::object parameter{{"name", query.name}, {"in", "query"}, {"required", false},
                               {"description", query.description}, {"schema", {{"type", query.type}}}};
        if (!query.example.empty()) {
            // Numbers and booleans as JSON values, as their schema says.
            parameter["example"] = query.type == "string" ? json::value(query.example) : json::parse(query.example);
        }
        out.push_back(std::move(parameter));
    }
    return out;
}

json::object success_response(detail::operation_note const* note) {
    json::object schema{{"type", "object"}};
    if (note != nullptr && !note->response_schema.empty()) {
        schema = {{"$ref", "#/components/schemas/" + std::string(note->response_schema)}};
    } else if (note != nullptr && note->content_type != "application/json") {
        schema = {{"type", "string"}};
    }
    auto const content_type = note ? note->content_type : std::string_view("application/json");
    return {{"description", "success"}, {"content", {{content_type, {{"schema", std::move(schema)}}}}}};
}

json::object operation(routed_operation const& route) {
    auto const* note = note_of(route);
    json::object out;
    out["operationId"] = operation_id(route);
    out["summary"] = note ? note->summary : std::string_view("Undocumented route");
    out["parameters"] = parameters(route, note);
    if (note != nullptr && !note->request_example.empty()) {
        json::object media;
        media["schema"] = note->request_schema.empty()
                              ? json::object{{"type", "object"}}
                              : json::object{{"$ref", "#/components/schemas/" + std::string(note->request_schema)}};
        media["example"] = json::parse(note->request_example);
        out["requestBody"] = json::object{{"required", !note->request_schema.empty()},
                                          {"content", json::object{{"application/json", std::move(media)}}}};
    }
    json::object responses;
    responses[std::to_string(note ? note->success : 200)] = success_response(note);
    responses["4XX"] = json::object{{"$ref", "#/components/responses/Error"}};
    responses["5XX"] = json::object{{"$ref", "#/components/responses/Error"}};
    out["responses"] = std::move(responses);
    if (route.required) {
        out["security"] = json::array{json::object{{"bearer", json::array{}}}};
        out["x-required-role"] = app::to_string(*route.required);
    } else {
        out["security"] = json::array{};
    }
    return out;
}

json::object components() {
    json::object schemas;
    detail::add_body_schemas(schemas);
    detail::add_event_schemas(schemas);
    json::object error_content{{"application/json", json::object{{"schema", json::object{{"$ref", "#/components/schemas/Error"}}}}}};
    json::object error_response{{"description", "an error, with the SPEC §6 body"}, {"content", std::move(error_content)}};
    return {{"schemas", std::move(schemas)},
            {"responses", json::object{{"Error", std::move(error_response)}}},
            {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"},
                                             {"description", "a token from `recruit-ledger token add`"}}}}}};
}

}  // namespace

std::string documented_path(std::string_view routed_path) {
    std::string path(routed_path);
    if (auto const wildcard = path.find("{*}"); wildcard != std::string::npos) path.replace(wildcard, 3, "{asset}");
    return path;
}

json::value openapi_document() {
    json::object paths;
    for (auto const& route : routed_operations()) {
        std::string method(route.method);
        for (auto& c : method) c = static_cast<char>(c - 'A' + 'a');
        auto& item = paths[documented_path(route.path)];
        if (!item.is_object()) item.emplace_object();
        item.as_object()[method] = operation(route);
    }
    return json::object{
        {"openapi", "3.1.0"},
        {"info", {{"title", "Recruitment Ledger"},
                  {"version", build_version()},
                  {"description", "An append-only event ledger for medical recruitment campaigns, "
                                  "with read models and verifiable audit. Generated from the "
                                  "server's routing table and event catalogue."}}},
        {"paths", std::move(paths)},
        {"components", components()}};
}

}  // namespace ledger::http
