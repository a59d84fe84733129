#pragma once
// The pieces openapi.cpp assembles: component schemas (openapi_schemas.cpp) and the prose of
// each operation (openapi_notes.cpp). Pure; thread-safe.

#include <boost/json/object.hpp>

#include <span>
#include <string_view>

namespace ledger::http::detail {

/// Adds "<Type>Data", "<Type>" and "AppendEvent" for every catalogue event type.
void add_event_schemas(boost::json::object& schemas);

/// Adds AppendRequest, AppendResult, Error and Info.
void add_body_schemas(boost::json::object& schemas);

struct query_note {
    std::string_view name;
    std::string_view type;  // JSON Schema type: "integer", "string", "boolean"
    std::string_view description;
    std::string_view example = {};  // a value that works against the document's other examples
};

/// What the router table cannot say about one operation.
struct operation_note {
    std::string_view method;
    std::string_view path;
    std::string_view summary;
    std::span<query_note const> query;
    unsigned success = 200;
    std::string_view content_type = "application/json";
    std::string_view response_schema;  // a components/schemas name; empty: an open object
    std::string_view request_schema;   // a components/schemas name; empty: no body
    std::string_view request_example;  // JSON text of an example body; empty: none
};

/// An example value of the path parameter `name` ("stream", "name", "id"), consistent with the
/// append example (its stream and candidate), so the examples run in order against a new
/// ledger: the append, the reads, then the erasure.
std::string_view path_example(std::string_view name);

/// The notes, one per documented operation. A routed operation without a note is still in the
/// document (with a generic summary); a note without a route is a bug the tests catch.
std::span<operation_note const> operation_notes();

}  // namespace ledger::http::detail
