#include "ledger/app/flat_table.hpp"

#include "ledger/app/money_text.hpp"
#include "ledger/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace ledger::app {
namespace {

namespace json = boost::json;

using leaf = std::pair<std::string, flat_cell>;  // path below the column ("" at the top), cell

flat_cell scalar_cell(json::value const& value) {
    switch (value.kind()) {
    case json::kind::null: return {};
    case json::kind::bool_: return {flat_cell::kind::text, value.get_bool() ? "true" : "false"};
    case json::kind::int64: return {flat_cell::kind::integer, std::to_string(value.get_int64())};
    case json::kind::uint64: return {flat_cell::kind::integer, std::to_string(value.get_uint64())};
    case json::kind::double_:
        if (!std::isfinite(value.get_double())) return {};
        return {flat_cell::kind::decimal, json_number_text(value.get_double())};
    case json::kind::string: return {flat_cell::kind::text, std::string(value.get_string())};
    default: return {};  // containers never reach here: collect_leaves walks into them
    }
}

std::string joined(std::string const& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "_" + std::string(key);
}

/// Every scalar below `value`, depth first, keyed by the `_`-joined path from the column.
void collect_leaves(json::value const& value, std::string const& path, std::vector<leaf>& out) {
    if (auto const* object = value.if_object()) {
        for (auto const& member : *object) collect_leaves(member.value(), joined(path, member.key()), out);
    } else if (auto const* array = value.if_array()) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            collect_leaves((*array)[i], joined(path, std::to_string(i)), out);
        }
    } else if (!path.empty() || !value.is_null()) {
        out.emplace_back(path, scalar_cell(value));  // a null map is no key, only empty cells
    }
}

bool is_money(std::string_view column) {
    return std::ranges::find(money_columns, column) != money_columns.end();
}

/// A money map's leaves: `<CUR>` in major units when the currency is known, else
/// `<CUR>_minor` as stored. Anything but a map falls back to the generic walk.
void collect_money(json::value const& value, std::vector<leaf>& out) {
    auto const* object = value.if_object();
    if (object == nullptr) return collect_leaves(value, "", out);
    for (auto const& member : *object) {
        std::string currency(member.key());
        auto const exponent = minor_unit_exponent(currency);
        auto const* amount = member.value().if_int64();
        if (exponent && amount) {
            out.emplace_back(currency, flat_cell{flat_cell::kind::decimal,
                                                 major_units_text(*amount, *exponent)});
        } else if (exponent && member.value().is_null()) {
            out.emplace_back(currency, flat_cell{});
        } else {
            collect_leaves(member.value(), currency + "_minor", out);
        }
    }
}

json::value const* cell_of(json::value const& row, std::string const& column) {
    auto const* object = row.if_object();
    return object ? object->if_contains(column) : nullptr;
}

/// One read-model column, flattened into `out` (its columns appended, each row's cells too).
void flatten_column(projection_table const& table, std::string const& column, flat_table& out) {
    bool const money = is_money(column);
    std::vector<std::vector<leaf>> leaves(table.rows.size());
    std::vector<std::string> paths;  // first-seen order
    std::set<std::string> seen;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (auto const* value = cell_of(table.rows[r], column)) {
            money ? collect_money(*value, leaves[r]) : collect_leaves(*value, "", leaves[r]);
        }
        for (auto const& found : leaves[r]) {
            if (seen.insert(found.first).second) paths.push_back(found.first);
        }
    }
    if (money) std::ranges::sort(paths);
    if (paths.empty()) paths.emplace_back();  // all null: keep the column, empty
    for (auto const& path : paths) out.columns.push_back(path.empty() ? column : column + "_" + path);
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (auto const& path : paths) {
            auto const found = std::ranges::find(leaves[r], path, &leaf::first);
            out.rows[r].push_back(found == leaves[r].end() ? flat_cell{} : std::move(found->second));
        }
    }
}

}  // namespace

flat_table flatten(projection_table const& table) {
    flat_table out;
    out.rows.resize(table.rows.size());
    for (auto const& column : table.columns) flatten_column(table, column, out);
    return out;
}

}  // namespace ledger::app
