#include "detail/table_format.hpp"

#include "detail/responses.hpp"

namespace ledger::http::detail {
namespace {

error bad_parameter(std::string_view name, std::string_view value, std::string message) {
    boost::json::object details;
    details["parameter"] = name;
    details["value"] = value;
    return error{error_code::bad_request, std::move(message), std::move(details)};
}

}  // namespace

result<table_format> table_format_of(route_input const& in) {
    auto const excel = text_param(in.query, "excel");
    if (excel && *excel != "0" && *excel != "1") {
        return bad_parameter("excel", *excel, "excel must be 0 or 1");
    }
    bool const spreadsheet = excel == "1";
    auto const format = text_param(in.query, "format");
    if (format && *format != "csv" && *format != "json") {
        return bad_parameter("format", *format, "format must be json or csv");
    }
    if (spreadsheet && format == "json") {
        return bad_parameter("excel", *excel, "excel=1 asks for CSV; it cannot be used with format=json");
    }
    bool const csv = format ? *format == "csv"
                            : spreadsheet || in.http.accept.find("text/csv") != std::string::npos;
    if (!csv) return table_format::json;
    return spreadsheet ? table_format::spreadsheet_csv : table_format::csv;
}

response csv_table_response(app::projection_table const& table, table_format format) {
    if (format == table_format::spreadsheet_csv) {
        return csv_response(app::to_csv(table, app::spreadsheet_csv), table.name + ".csv");
    }
    return csv_response(app::to_csv(table, app::rfc4180_csv), {});
}

}  // namespace ledger::http::detail
