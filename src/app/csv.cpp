#include "ledger/app/csv.hpp"

#include "ledger/app/flat_table.hpp"

#include <algorithm>

namespace ledger::app {
namespace {

bool looks_like_formula(std::string_view text) {
    return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

/// A cell's text in `dialect`: decimals with its mark, guarded text, the rest as it is.
std::string cell_text(flat_cell cell, csv_dialect const& dialect) {
    if (cell.type == flat_cell::kind::decimal) {
        std::ranges::replace(cell.text, '.', dialect.decimal_mark);
    } else if (cell.type == flat_cell::kind::text && dialect.guard_formulas &&
               looks_like_formula(cell.text)) {
        cell.text.insert(0, 1, '\'');
    }
    return std::move(cell.text);
}

}  // namespace

void append_csv_field(std::string& out, std::string_view field, char separator) {
    char const specials[] = {separator, '"', '\r', '\n'};
    bool const needs_quotes =
        field.find_first_of(std::string_view(specials, sizeof specials)) != std::string_view::npos ||
        (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!needs_quotes) {
        out.append(field);
        return;
    }
    out.push_back('"');
    for (char const c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

std::string to_csv(projection_table const& table, csv_dialect const& dialect) {
    auto flat = flatten(table);
    std::string out = dialect.byte_order_mark ? "\xEF\xBB\xBF" : "";
    for (std::size_t i = 0; i < flat.columns.size(); ++i) {
        if (i != 0) out.push_back(dialect.separator);
        append_csv_field(out, flat.columns[i], dialect.separator);
    }
    out.append("\r\n");
    for (auto& row : flat.rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i != 0) out.push_back(dialect.separator);
            append_csv_field(out, cell_text(std::move(row[i]), dialect), dialect.separator);
        }
        out.append("\r\n");
    }
    return out;
}

}  // namespace ledger::app
