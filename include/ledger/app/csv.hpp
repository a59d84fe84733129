#pragma once
// CSV of a read model, for GET /v1/projections/{name}?format=csv and the CLI's replay: the
// flattened grid of flat_table.hpp (no cell holds nested JSON, amounts in major units), in
// one of two dialects. Pure functions; thread-safe; allocation failure throws bad_alloc.

#include "ledger/app/projection_service.hpp"

#include <string>
#include <string_view>

namespace ledger::app {

/// How a CSV file is spelled.
struct csv_dialect {
    char separator = ',';
    char decimal_mark = '.';      // in decimal cells (ratios, medians, money); never in text
    bool byte_order_mark = false; // starts with EF BB BF, so Excel reads the file as UTF-8
    /// Text cells that a spreadsheet would run as a formula (starting with = + - @, TAB or CR)
    /// get a leading apostrophe, as OWASP advises against CSV injection.
    bool guard_formulas = false;
};

/// RFC 4180: `,`, decimal point, no byte-order mark, CRLF.
inline constexpr csv_dialect rfc4180_csv{};

/// What Excel on a Swedish, Norwegian or Danish desktop opens by double-click: UTF-8 with a
/// byte-order mark, `;` between cells, decimal comma, CRLF, formulas guarded.
inline constexpr csv_dialect spreadsheet_csv{';', ',', true, true};

/// Appends `field` to `out`, quoted (with doubled quotes) when it holds the separator, a
/// quote, CR or LF, or starts/ends with a space.
void append_csv_field(std::string& out, std::string_view field, char separator = ',');

/// The header row, then one row per row of `table`, flattened (flat_table.hpp). Lines end
/// with CRLF in both dialects.
std::string to_csv(projection_table const& table, csv_dialect const& dialect = rfc4180_csv);

}  // namespace ledger::app
