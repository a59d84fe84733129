#pragma once
// JSON text as people and programs read it: boost::json::serialize, except that numbers are
// never in exponent form (SPEC §6: `0.692`, `40.5`, not `6.92E-1`, `4.05E1`).
//
// Doubles are written in the shortest plain decimal that reads back as the same double
// (std::to_chars with chars_format::fixed): 0.692 → `0.692`, 1.0 → `1`, 40.5 → `40.5`,
// 1e21 → `1000000000000000000000`. A double with an integral value has no `.0`, so a reader
// may see it as an integer; its numeric value is the same. -0.0 is written `0`. NaN and the
// infinities, which JSON cannot spell, are written `null`. Integers, booleans and null are
// written as Boost.JSON writes them; strings and keys are escaped by Boost.JSON itself, so
// the text differs from serialize() only in how doubles are spelled.
//
// Pure functions; thread-safe. Allocation failure throws std::bad_alloc.

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger {

/// `value` as compact JSON text with plain-decimal numbers.
std::string to_json_text(boost::json::value const& value);

/// Appends to_json_text(value) to `out`.
void append_json_text(std::string& out, boost::json::value const& value);

/// Appends `text` as a JSON string: the bytes append_json_text writes for a string value (and
/// for a key), escaped as Boost.JSON escapes it. For writers of rows as text (read models).
void append_json_string(std::string& out, std::string_view text);
/// Appends an integer as append_json_text writes an int64 or uint64 value.
void append_json_integer(std::string& out, std::int64_t number);
void append_json_integer(std::string& out, std::uint64_t number);

/// One double as to_json_text writes it (`null` for NaN and the infinities).
std::string json_number_text(double number);

}  // namespace ledger
