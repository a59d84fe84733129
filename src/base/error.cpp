#include "ledger/error.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace ledger {
namespace {

struct error_row {
    error_code code;
    std::string_view name;
    unsigned status;
};

// The one table of codes and statuses; its order follows the enum.
constexpr std::array<error_row, 22> error_table{{
    {error_code::bad_request, "bad_request", 400},
    {error_code::invalid_json, "invalid_json", 400},
    {error_code::invalid_stream_name, "invalid_stream_name", 400},
    {error_code::unauthenticated, "unauthenticated", 401},
    {error_code::forbidden, "forbidden", 403},
    {error_code::stream_not_found, "stream_not_found", 404},
    {error_code::projection_not_found, "projection_not_found", 404},
    {error_code::not_found, "not_found", 404},
    {error_code::method_not_allowed, "method_not_allowed", 405},
    {error_code::wrong_expected_version, "wrong_expected_version", 409},
    {error_code::duplicate_event_id, "duplicate_event_id", 409},
    {error_code::payload_too_large, "payload_too_large", 413},
    {error_code::unsupported_media_type, "unsupported_media_type", 415},
    {error_code::unknown_event_type, "unknown_event_type", 422},
    {error_code::invalid_event, "invalid_event", 422},
    {error_code::event_not_allowed_in_stream, "event_not_allowed_in_stream", 422},
    {error_code::rule_violation, "rule_violation", 422},
    {error_code::unavailable, "unavailable", 503},
    {error_code::storage_full, "storage_full", 507},
    {error_code::read_only, "read_only", 503},
    {error_code::misdirected_request, "misdirected_request", 421},
    {error_code::internal, "internal", 500},
}};

constexpr error_row const& row(error_code code) noexcept {
    return error_table[static_cast<std::size_t>(code)];
}

constexpr bool table_follows_enum() {
    for (std::size_t i = 0; i < error_table.size(); ++i) {
        if (static_cast<std::size_t>(error_table[i].code) != i) {
            return false;
        }
    }
    return true;
}
static_assert(table_follows_enum(), "error_table must list the codes in enum order");

}  // namespace

std::string_view to_string(error_code code) noexcept { return row(code).name; }

unsigned http_status(error_code code) noexcept { return row(code).status; }

void throw_exception_from_error(error const& e, boost::source_location const&) {
    throw std::runtime_error(std::string(to_string(e.code)) + ": " + e.message);
}

boost::json::object to_json(error const& e) {
    boost::json::object body;
    body["code"] = to_string(e.code);
    body["message"] = e.message;
    body["details"] = e.details;
    boost::json::object wrapper;
    wrapper["error"] = std::move(body);
    return wrapper;
}

}  // namespace ledger
