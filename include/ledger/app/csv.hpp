#pragma once
// RFC 4180 CSV of a read model, for GET /v1/projections/{name}?format=csv and the CLI's replay.

#include "ledger/app/projection_service.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace ledger::app {

/// Appends `field` to `out`, quoted (with doubled quotes) when it holds a comma, a quote, CR
/// or LF, or starts/ends with a space.
void append_csv_field(std::string& out, std::string_view field);

/// The text of one cell: strings as they are, numbers and booleans as JSON writes them, null
/// as an empty field, arrays and objects as compact JSON.
std::string csv_cell(boost::json::value const& value);

/// The header row (`columns`), then one row per element of `rows` with the cells in column
/// order (a missing key is an empty cell). Lines end with CRLF as RFC 4180 says.
std::string to_csv(projection_table const& table);

}  // namespace ledger::app
