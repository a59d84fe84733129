#include "detail/responses.hpp"

#include "ledger/json_text.hpp"

#include <boost/json/parse.hpp>

#include <cassert>
#include <string_view>

namespace ledger::http::detail {
namespace {

/// Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong
/// forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text) {
    auto const byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto const lead = byte(0);
    if (lead < 0x80) return 1;
    std::size_t const length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
    if (length == 0 || text.size() < length) return 0;
    unsigned char low = 0x80, high = 0xBF;  // the second byte's range depends on the lead
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
    if (byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    }
    return length;
}

/// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD. Error
/// details echo client input (e.g. a percent-decoded stream name), which may be any bytes;
/// the response must still be UTF-8 JSON (SPEC §6). JSON's own syntax is ASCII, so this
/// keeps the document valid.
std::string replace_invalid_utf8(std::string text) {
    // Nearly every body is valid: find the first bad byte, ASCII a byte at a time, before
    // copying anything.
    std::size_t valid = 0;
    while (valid < text.size()) {
        if (static_cast<unsigned char>(text[valid]) < 0x80) {
            ++valid;
            continue;
        }
        auto const length = utf8_sequence_length(std::string_view(text).substr(valid));
        if (length == 0) break;
        valid += length;
    }
    if (valid == text.size()) return text;
    std::string out(text, 0, valid);
    for (std::size_t at = valid; at < text.size();) {
        auto const length = utf8_sequence_length(std::string_view(text).substr(at));
        out += length == 0 ? std::string_view("\xEF\xBF\xBD") : std::string_view(text).substr(at, length);
        at += length == 0 ? 1 : length;
    }
    return out;
}

}  // namespace

response json_response(unsigned status, boost::json::value const& body) {
    return json_text_response(status, to_json_text(body));
}

response json_text_response(unsigned status, std::string body) {
    response out;
    out.status = status;
    out.content_type = "application/json";
    out.body = replace_invalid_utf8(std::move(body));
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

void attach_request_id(response& reply, std::string_view request_id) {
    if (reply.status < 400 || request_id.empty() || reply.content_type != "application/json") return;
    boost::system::error_code failed;
    auto body = boost::json::parse(reply.body, failed);
    if (failed || !body.is_object()) return;
    auto* const error = body.as_object().if_contains("error");
    if (error == nullptr || !error->is_object()) return;
    auto* const details = error->as_object().if_contains("details");
    if (details == nullptr || !details->is_object() || details->as_object().contains("request_id")) return;
    details->as_object()["request_id"] = request_id;
    reply.body = replace_invalid_utf8(to_json_text(body));
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

response offloaded(std::function<response()> work) {
    response out;
    out.offload = std::move(work);
    return out;
}

response csv_response(std::string body, std::string_view download_name) {
    auto out = text_response(200, "text/csv; charset=utf-8", std::move(body));
    if (!download_name.empty()) {
        assert(download_name.find_first_of("\"\\\r\n") == std::string_view::npos);
        out.headers.emplace_back("Content-Disposition",
                                 "attachment; filename=\"" + std::string(download_name) + "\"");
    }
    return out;
}

response method_not_allowed(std::string allowed) {
    auto out = error_response(error_code::method_not_allowed,
                              "this path accepts only " + allowed);
    out.headers.emplace_back("Allow", std::move(allowed));
    return out;
}

}  // namespace ledger::http::detail
