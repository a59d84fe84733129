#pragma once
// The router's table as data, for what describes the API (the OpenAPI document) and the tests
// that prove the description and the routing agree. Defined in router.cpp beside the table.

#include "ledger/app/tokens.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace ledger::http {

struct routed_operation {
    std::string_view method;            // "GET", "POST"
    std::string_view path;              // the template, e.g. "/v1/streams/{stream}/events"
    std::optional<app::role> required;  // nullopt: no token needed
};

/// Every route, in the router's order. Thread-safe; the views refer to static storage.
std::vector<routed_operation> routed_operations();

/// Every operation the OpenAPI notes describe (openapi_notes.cpp), roles left empty. Each must
/// be routed; tests/test_openapi.cpp checks it.
std::vector<routed_operation> described_operations();

}  // namespace ledger::http
