#pragma once
// The append use case's input side: the JSON body of POST /v1/streams/{stream}/events
// (SPEC §6) turned into a store request, and the store's answer turned back into JSON.
//
// Pure functions: no I/O, no logging. Thread-safe.

#include "ledger/error.hpp"
#include "ledger/store/append.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ledger::app {

/// Parses `body` for `stream` into an append request recorded by `actor`.
///
/// Shape: {"expected_version": int|"any"|"no_stream"|"exists" (default "any"),
///         "events": [{"id"?, "type", "occurred_at", "data", "metadata"?,
///                     "correlation_id"?, "causation_id"?}, ...]}.
/// Each event's `data` is validated and encoded by the catalogue, and the event carries the
/// catalogue's struct of it (`decoded`, see app::decoded_event) for the domain policy.
/// Errors: bad_request (body not an object, bad expected_version, events missing or empty);
/// invalid_event (details: index — null for the top level —, field, reason) for an unknown
/// field, a bad id, occurred_at, metadata or correlation/causation id; the catalogue's
/// unknown_event_type / invalid_event for `type` and `data`.
/// The stream name is not checked here (see check_stream_name).
result<store::append_request> parse_append_body(std::string_view stream,
                                                boost::json::value const& body,
                                                std::string actor);

/// The request parse_append_body(stream, json::parse(body), actor) makes, read from the text
/// without a DOM (append_text.cpp), for a body of the usual shape that it accepts; nullopt for
/// anything else: malformed JSON, any refusal, a repeated member, non-null metadata, `data`
/// before `type`. The caller then parses the DOM, whose answer (or error) stands.
/// Same purity and thread-safety as parse_append_body.
std::optional<store::append_request> parse_append_text(std::string_view stream, std::string_view body,
                                                       std::string const& actor);

/// The SPEC §6 success body, serialised: {"stream", "first_version", "last_version",
/// "first_position", "last_position"}. Written directly rather than through a JSON DOM: every
/// append answers with it.
std::string append_success_json(store::append_success const& success);

}  // namespace ledger::app
