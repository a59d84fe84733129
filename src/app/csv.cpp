#include "ledger/app/csv.hpp"

#include <boost/json/serialize.hpp>

namespace ledger::app {

void append_csv_field(std::string& out, std::string_view field) {
    bool const needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
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

std::string csv_cell(boost::json::value const& value) {
    if (value.is_null()) return {};
    if (auto const* text = value.if_string()) return std::string(*text);
    return boost::json::serialize(value);
}

std::string to_csv(projection_table const& table) {
    std::string out;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        if (i != 0) out.push_back(',');
        append_csv_field(out, table.columns[i]);
    }
    out.append("\r\n");
    for (auto const& row : table.rows) {
        auto const* object = row.if_object();
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
            if (i != 0) out.push_back(',');
            auto const* cell = object ? object->if_contains(table.columns[i]) : nullptr;
            if (cell != nullptr) append_csv_field(out, csv_cell(*cell));
        }
        out.append("\r\n");
    }
    return out;
}

}  // namespace ledger::app
