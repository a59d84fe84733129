#pragma once
// The recruitment event catalogue (SPEC §5) as the rest of the system uses it: an appended
// event's JSON `data` in, its stored binary form out, and back to JSON for reads.
//
// Everything here is pure: no LMDB, no networking, no logging. Thread-safe.

#include "ledger/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::events {

/// An event's `data` in its stored form.
struct encoded_data {
    std::uint16_t schema_version = 1;
    std::string bytes;  // cereal portable binary of the event's struct
};

/// Validates `data`, the JSON object of the event at `index` of an append batch, against the
/// catalogue entry for `type`, normalises it (country "EL" becomes "GR") and encodes it.
/// Errors: unknown_event_type (details: index, type); invalid_event (details: index,
/// field such as "data.outcome", reason) for a missing or unknown field, a wrong JSON type, a
/// bad enum value, date, country or currency.
result<encoded_data> encode_data(std::string_view type, boost::json::value const& data,
                                 std::size_t index);

/// The JSON object of stored data, upgraded to the current schema version.
/// Throws ledger::codec_error for bytes that do not decode.
boost::json::object data_to_json(std::string_view type, std::uint16_t schema_version,
                                 std::string_view bytes);

/// Whether `type` names a catalogue event type.
bool is_known_type(std::string_view type);

/// Whether `category` is one of the stream categories of SPEC §5 (campaign, position,
/// candidate, target). A stream name with another category is invalid_stream_name.
bool is_known_category(std::string_view category);

/// The catalogue as data for GET /v1/catalog: categories, event types with their category and
/// fields (name, JSON type, required, allowed values, personal), and the domain rules.
boost::json::value catalog_json();

}  // namespace ledger::events
