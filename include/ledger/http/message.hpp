#pragma once
// The request and response the API's logic sees: plain values, no Beast, so that the handler
// and its tests compile without the networking headers. The session (session.cpp) converts
// between these and Beast messages.

#include "ledger/store/append.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::http {

/// What the handler needs of an HTTP request.
struct request {
    std::string method;        // as sent, e.g. "GET"
    std::string target;        // origin-form, e.g. "/v1/events?limit=10"
    std::string content_type;  // the Content-Type header, empty when absent
    std::string accept;        // the Accept header
    std::string last_event_id; // the Last-Event-ID header (SSE resume)
    std::string authorization; // the Authorization header ("Bearer <token>"); never logged
    std::string if_none_match; // the If-None-Match header (dashboard files revalidate by ETag)
    std::optional<std::uint64_t> content_length;
    std::string body;
    std::string request_id;    // for logs; the session assigns it
};

/// A stream of Server-Sent Events the session should run instead of sending a body:
/// every stored event from `from_position` on, then live ones as they are committed.
struct subscription {
    std::uint64_t from_position = 0;
};

struct response {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
    bool keep_alive = true;
    /// The matched route template, a metrics label ("unmatched" if none). Always a static
    /// string (the route table's template or a literal), so a view is safe and costs nothing.
    std::string_view route;
    std::optional<subscription> subscribe;  // set only for GET /v1/subscribe
    /// A valid append for the caller to submit to the store (see http::route); the response's
    /// other fields are meaningless until finish_append replaces it.
    std::optional<store::append_request> append;
};

}  // namespace ledger::http
