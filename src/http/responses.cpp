#include "detail/responses.hpp"

#include <boost/json/serialize.hpp>

namespace ledger::http::detail {

response json_response(unsigned status, boost::json::value const& body) {
    response out;
    out.status = status;
    out.content_type = "application/json";
    out.body = boost::json::serialize(body);
    out.keep_alive = true;
    return out;
}

response error_response(error const& failure) {
    auto out = json_response(http_status(failure.code), to_json(failure));
    // After 413 the unread body is still on the wire; after a bug, start afresh.
    out.keep_alive =
        failure.code != error_code::payload_too_large && failure.code != error_code::internal;
    return out;
}

response error_response(error_code code, std::string message) {
    return error_response(error{code, std::move(message), {}});
}

response text_response(unsigned status, std::string_view content_type, std::string body) {
    response out;
    out.status = status;
    out.content_type = std::string(content_type);
    out.body = std::move(body);
    out.keep_alive = true;
    return out;
}

response method_not_allowed(std::string allowed) {
    auto out = error_response(error_code::method_not_allowed,
                              "this path accepts only " + allowed);
    out.headers.emplace_back("Allow", std::move(allowed));
    return out;
}

}  // namespace ledger::http::detail
