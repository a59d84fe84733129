#pragma once
// The only places that set a response's content type and keep-alive (STYLE.md).

#include "ledger/error.hpp"
#include "ledger/http/message.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace ledger::http::detail {

/// `body` serialised as application/json.
response json_response(unsigned status, boost::json::value const& body);

/// `body`, already JSON text, as application/json (invalid UTF-8 replaced, as json_response).
response json_text_response(unsigned status, std::string body);

/// The SPEC §6 error body with the code's status. payload_too_large and internal close the
/// connection (the unread body is still on the wire; after a bug, start afresh).
response error_response(error const& failure);

/// Adds `request_id` to the `details` of a SPEC §6 error body (status >= 400, JSON, the shape
/// {"error": {"code", "message", "details": {…}}}), keeping its shape; other responses, and a
/// body whose details already name a request id, are left as they are. The session calls it on
/// every answer, so every error a client sees names the id of its X-Request-Id header.
void attach_request_id(response& reply, std::string_view request_id);

/// Shorthand for an error without details.
response error_response(error_code code, std::string message);

/// A body already serialised: CSV, Prometheus text, or JSON written without a DOM.
response text_response(unsigned status, std::string_view content_type, std::string body);

/// A response that asks the caller to run `work` off its I/O thread (response::offload).
response offloaded(std::function<response()> work);

/// `body` as text/csv (UTF-8). A non-empty `download_name` adds
/// `Content-Disposition: attachment; filename="<download_name>"`; it must be a plain file
/// name (no quote, backslash or control character: a read model's name, say).
response csv_response(std::string body, std::string_view download_name);

/// 405 with the Allow header listing `allowed` (e.g. "GET").
response method_not_allowed(std::string allowed);

}  // namespace ledger::http::detail
