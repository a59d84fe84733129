#pragma once
// How a table the API serves (a read model today) is answered: JSON, RFC 4180 CSV or the
// spreadsheet CSV (app/csv.hpp), from the query and the Accept header. Pure; thread-safe.

#include "detail/routes.hpp"
#include "ledger/app/csv.hpp"
#include "ledger/error.hpp"

#include <array>
#include <string_view>

namespace ledger::http::detail {

/// The query parameters table_format_of reads, for routes that refuse unknown parameters.
inline constexpr std::array<std::string_view, 2> table_format_params{"format", "excel"};

enum class table_format {
    json,
    csv,              // RFC 4180 (app::rfc4180_csv)
    spreadsheet_csv,  // BOM, `;`, decimal comma (app::spreadsheet_csv), as a download
};

/// `format=json|csv`, else CSV when Accept names text/csv; `excel=1` asks for the spreadsheet
/// dialect and so means CSV without a format, `excel=0` is the default.
/// Errors: bad_request (details `parameter`, `value`) for another format or excel value, and
/// for excel=1 with format=json.
result<table_format> table_format_of(route_input const& in);

/// 200 with `table` as CSV (`format` csv or spreadsheet_csv); the spreadsheet variant is a
/// download: `Content-Disposition: attachment; filename="<table.name>.csv"`.
response csv_table_response(app::projection_table const& table, table_format format);

}  // namespace ledger::http::detail
