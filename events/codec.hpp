#pragma once
// Typed access to the catalogue's JSON and binary forms, for code that works with event
// structs rather than raw `data` (projections, tests, the demo generator). catalog.hpp offers
// the same conversions for code that only moves JSON and bytes around.
//
// Everything here is pure and thread-safe.

#include "events/recruitment_event.hpp"
#include "ledger/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace ledger::events {

/// Validates `data` (the JSON `data` of the event at `index` of a batch) as an event of
/// `type` and returns the event, normalised ("EL" becomes "GR").
/// Errors: unknown_event_type (details: index, type); invalid_event (details: index, field,
/// reason).
result<recruitment_event> event_from_json(std::string_view type, boost::json::value const& data,
                                          std::size_t index);

/// The JSON object of an event's data: present fields in declaration order, dates as
/// "YYYY-MM-DD", date-times as "…T…Z" with six fraction digits, enums by name.
boost::json::object event_to_json(recruitment_event const& event);

/// The stored binary form of an event's data at its type's current schema version.
std::string encode_event(recruitment_event const& event);

}  // namespace ledger::events
