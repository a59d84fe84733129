#pragma once
// The API's OpenAPI 3.1 document (GET /v1/openapi.json, `recruit-ledger openapi`), generated
// from the router's table and the event catalogue, so it cannot drift from the code: every
// routed method and path is an operation, and each event type's `data` schema comes from the
// same field description that validates appended data (types, required fields, enum values,
// no unknown fields).
//
// Pure and thread-safe; throws only std::bad_alloc.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace ledger::http {

/// The OpenAPI path of a routed path template: the router's "{*}" (the rest of the path)
/// becomes the parameter "{asset}".
std::string documented_path(std::string_view routed_path);

/// The whole document.
boost::json::value openapi_document();

/// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of the `data` of an event whose catalogue
/// fields (events::catalog_json()'s "fields" of one type) are `fields`.
boost::json::object event_data_schema(boost::json::array const& fields);

}  // namespace ledger::http
