#pragma once
// The API's error codes and the one table that maps each to its HTTP status (SPEC §6).
//
// Every layer reports an expected failure (validation, conflict, rule, not found) as a
// `ledger::error` value; only the HTTP boundary turns it into a response. Codes are part of the
// public API: add new ones, never rename.

#include <boost/assert/source_location.hpp>
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace ledger {

enum class error_code {
    bad_request,
    invalid_json,
    invalid_stream_name,
    unauthenticated,
    forbidden,
    stream_not_found,
    projection_not_found,
    not_found,
    method_not_allowed,
    wrong_expected_version,
    duplicate_event_id,
    payload_too_large,
    unsupported_media_type,
    unknown_event_type,
    invalid_event,
    event_not_allowed_in_stream,
    rule_violation,
    unavailable,
    storage_full,
    read_only,  // 503: a replication follower (or a fenced former leader) takes no appends (SPEC §12)
    misdirected_request,  // 421: a Host name this server does not serve (SPEC §6 serving rules)
    internal,  // a bug: never produced on purpose
};

/// The code as it appears in the JSON error body, e.g. "wrong_expected_version".
std::string_view to_string(error_code code) noexcept;

/// The HTTP status that carries `code` (SPEC §6).
unsigned http_status(error_code code) noexcept;

/// An expected failure: what went wrong, for a person, and structured details for a program.
struct error {
    error_code code = error_code::internal;
    std::string message;
    boost::json::object details;
};

/// The outcome of an operation that can fail in an expected way.
template <class T>
using result = boost::system::result<T, error>;

/// Makes `result<T>::value()` on an error throw (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(error const& e, boost::source_location const& where);

/// Builds the SPEC §6 error body: {"error": {"code", "message", "details"}}.
boost::json::object to_json(error const& e);

}  // namespace ledger
