#include "ledger/app/projection_selection.hpp"

#include "ledger/base64.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace ledger::app {
namespace {

namespace json = boost::json;

/// Each read model's key fields (what identifies a row, SPEC §7) and the fields it can be
/// filtered on. A test checks that every column named here is one of the model's columns.
struct selection_columns {
    std::string_view projection;
    std::span<std::string_view const> key;
    std::span<std::string_view const> filters;
};

constexpr std::array<std::string_view, 1> campaign_key{"campaign_id"};
constexpr std::array<std::string_view, 3> campaign_filters{"campaign_id", "kind", "organiser"};
constexpr std::array<std::string_view, 3> funnel_key{"kind", "organiser", "year"};
constexpr std::array<std::string_view, 3> hires_key{"organisation", "year", "role"};
constexpr std::array<std::string_view, 2> vacancies_key{"organisation", "role"};
constexpr std::array<std::string_view, 2> origin_key{"country_of_training", "year"};

constexpr std::array<selection_columns, 7> selection_table{{
    {"recruits-per-campaign", campaign_key, campaign_filters},
    {"funnel", funnel_key, funnel_key},
    {"hires-vs-target", hires_key, hires_key},
    {"vacancies", vacancies_key, vacancies_key},
    {"outreach", campaign_key, campaign_key},
    {"origin", origin_key, origin_key},
    {"retention", campaign_key, campaign_key},
}};

selection_columns const* columns_of(std::string_view projection) {
    auto const found = std::ranges::find(selection_table, projection, &selection_columns::projection);
    return found == selection_table.end() ? nullptr : &*found;
}

error bad_parameter(std::string_view name, std::string message) {
    json::object details;
    details["parameter"] = name;
    return error{error_code::bad_request, std::move(message), std::move(details)};
}

error unknown_parameter(std::string_view name, selection_columns const& columns,
                        std::span<std::string_view const> other_names) {
    auto failure = bad_parameter(name, "unknown query parameter " + std::string(name));
    json::array accepted;
    for (auto const known : other_names) accepted.emplace_back(known);
    accepted.emplace_back("limit");
    accepted.emplace_back("cursor");
    for (auto const column : columns.filters) accepted.emplace_back(column);
    failure.details["accepted"] = std::move(accepted);
    return failure;
}

result<std::size_t> parse_limit(std::string_view text) {
    std::size_t value = 0;
    auto const* const end = text.data() + text.size();
    auto const [stop, failure] = std::from_chars(text.data(), end, value);
    if (text.empty() || failure != std::errc{} || stop != end || value == 0 || value > max_page_rows) {
        auto e = bad_parameter("limit", "limit must be an integer from 1 to " +
                                            std::to_string(max_page_rows));
        e.details["value"] = text;
        return e;
    }
    return value;
}

bool is_key_cell(json::value const& cell) {
    return cell.is_null() || cell.is_string() || cell.is_int64() || cell.is_uint64() || cell.is_bool();
}

/// Whether `cell` reads as `wanted` (see row_filter).
bool cell_matches(json::value const& cell, std::string_view wanted) {
    std::array<char, 24> digits{};
    switch (cell.kind()) {
    case json::kind::string: return cell.get_string() == wanted;
    case json::kind::null: return wanted.empty();
    case json::kind::bool_: return wanted == (cell.get_bool() ? "true" : "false");
    case json::kind::int64: {
        auto const written = std::to_chars(digits.begin(), digits.end(), cell.get_int64());
        return std::string_view(digits.data(), written.ptr) == wanted;
    }
    case json::kind::uint64: {
        auto const written = std::to_chars(digits.begin(), digits.end(), cell.get_uint64());
        return std::string_view(digits.data(), written.ptr) == wanted;
    }
    default: return false;  // doubles, arrays and objects are never key fields
    }
}

json::value const& cell_of(json::object const& row, std::string_view column) {
    static json::value const null_cell;
    auto const* cell = row.if_contains(column);
    return cell ? *cell : null_cell;
}

json::value const& cell_of(json::value const& row, std::string_view column) {
    static json::object const no_cells;
    auto const* object = row.if_object();
    return cell_of(object ? *object : no_cells, column);
}

bool passes(json::object const& row, std::span<row_filter const> filters) {
    return std::ranges::all_of(filters, [&](row_filter const& f) {
        return cell_matches(cell_of(row, f.column), f.value);
    });
}

bool has_key(json::object const& row, std::span<std::string_view const> key, json::array const& wanted) {
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (cell_of(row, key[i]) != wanted[i]) return false;
    }
    return true;
}

std::string to_base64url(std::string_view bytes) {
    auto text = base64_encode(bytes);
    while (!text.empty() && text.back() == '=') text.pop_back();
    std::ranges::replace(text, '+', '-');
    std::ranges::replace(text, '/', '_');
    return text;
}

std::optional<std::string> from_base64url(std::string_view text) {
    if (text.find_first_of("+/=") != std::string_view::npos) return std::nullopt;
    std::string padded(text);
    std::ranges::replace(padded, '-', '+');
    std::ranges::replace(padded, '_', '/');
    padded.append((4 - padded.size() % 4) % 4, '=');
    return base64_decode(padded);
}

}  // namespace

std::optional<std::span<std::string_view const>> key_columns(std::string_view projection) {
    auto const* columns = columns_of(projection);
    if (columns == nullptr) return std::nullopt;
    return columns->key;
}

std::optional<std::span<std::string_view const>> filter_columns(std::string_view projection) {
    auto const* columns = columns_of(projection);
    if (columns == nullptr) return std::nullopt;
    return columns->filters;
}

std::string encode_cursor(page_cursor const& cursor) {
    json::object document;
    document["name"] = cursor.name;
    document["position"] = cursor.position ? json::value(*cursor.position) : json::value();
    document["after"] = cursor.key;
    return to_base64url(json::serialize(document));
}

std::optional<page_cursor> decode_cursor(std::string_view text) {
    constexpr std::size_t longest = 4096;  // far more than any key this server writes
    if (text.empty() || text.size() > longest) return std::nullopt;
    auto const bytes = from_base64url(text);
    if (!bytes) return std::nullopt;
    boost::system::error_code failed;
    auto const document = json::parse(*bytes, failed);
    auto const* object = failed ? nullptr : document.if_object();
    if (object == nullptr || object->size() != 3) return std::nullopt;
    auto const* name = object->if_contains("name");
    auto const* position = object->if_contains("position");
    auto const* after = object->if_contains("after");
    if (!name || !name->is_string() || !position || !after || !after->is_array()) return std::nullopt;
    page_cursor cursor{std::string(name->get_string()), std::nullopt, after->get_array()};
    if (position->is_uint64()) cursor.position = position->get_uint64();
    else if (position->is_int64() && position->get_int64() >= 0) {
        cursor.position = static_cast<std::uint64_t>(position->get_int64());
    } else if (!position->is_null()) return std::nullopt;
    if (!std::ranges::all_of(cursor.key, is_key_cell)) return std::nullopt;
    return cursor;
}

result<projection_selection> parse_selection(std::string_view projection,
                                             std::span<query_parameter const> parameters,
                                             std::span<std::string_view const> other_names) {
    auto const* columns = columns_of(projection);
    if (columns == nullptr) {
        json::object details;
        details["name"] = projection;
        return error{error_code::projection_not_found, "no such projection", std::move(details)};
    }
    projection_selection selection;
    std::vector<std::string_view> seen;
    for (auto const& [name, value] : parameters) {
        if (std::ranges::find(other_names, name) != other_names.end()) continue;
        bool const is_filter = std::ranges::find(columns->filters, name) != columns->filters.end();
        if (!is_filter && name != "limit" && name != "cursor") {
            return unknown_parameter(name, *columns, other_names);
        }
        if (std::ranges::find(seen, name) != seen.end()) {
            return bad_parameter(name, name + " is given more than once");
        }
        seen.push_back(name);
        if (is_filter) {
            selection.filters.push_back(row_filter{name, value});
        } else if (name == "limit") {
            auto const limit = parse_limit(value);
            if (!limit) return limit.error();
            selection.limit = *limit;
        } else {
            auto cursor = decode_cursor(value);
            if (!cursor || cursor->name != projection || cursor->key.size() != columns->key.size()) {
                return bad_parameter("cursor", "cursor is not one this server issued for " +
                                                   std::string(projection));
            }
            selection.after = std::move(*cursor);
        }
    }
    return selection;
}

row_picker::verdict row_picker::consider(json::object const& row) {
    if (seeking_) {
        // Rows are unique by key, so the cursor's row is the first (and only) one with it.
        if (has_key(row, key_, selection_.after->key)) seeking_ = false;
        return verdict::skip;
    }
    if (!passes(row, selection_.filters)) return verdict::skip;
    if (selection_.limit && picked_.rows.size() == *selection_.limit) {
        picked_.more = true;
        return verdict::stop;
    }
    return verdict::take;
}

selected_rows row_picker::finish() && {
    if (seeking_) return selected_rows{.rows = {}, .cursor_found = false, .more = false};
    return std::move(picked_);
}

selected_rows select_rows(json::array const& rows, projection_selection const& selection,
                          std::span<std::string_view const> key) {
    row_picker picker(selection, key);
    static json::object const no_cells;  // rows are objects; anything else has null cells
    for (auto const& row : rows) {
        auto const* object = row.if_object();
        auto const verdict = picker.consider(object ? *object : no_cells);
        if (verdict == row_picker::verdict::stop) break;
        if (verdict == row_picker::verdict::take) picker.add(row);
    }
    return std::move(picker).finish();
}

json::array key_of(json::value const& row, std::span<std::string_view const> key) {
    json::array cells;
    for (auto const column : key) cells.push_back(cell_of(row, column));
    return cells;
}

}  // namespace ledger::app
