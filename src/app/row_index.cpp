#include "ledger/app/row_index.hpp"

#include "ledger/json_text.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <charconv>

namespace ledger::app {
namespace {

namespace json = boost::json;

/// The text a filter value must equal for `cell` to match it (row_filter), or nullopt for a
/// cell no filter matches (doubles, arrays, objects).
std::optional<std::string> match_text(json::value const& cell) {
    std::array<char, 24> digits{};
    switch (cell.kind()) {
    case json::kind::string: return std::string(cell.get_string());
    case json::kind::null: return std::string();
    case json::kind::bool_: return std::string(cell.get_bool() ? "true" : "false");
    case json::kind::int64: {
        auto const written = std::to_chars(digits.begin(), digits.end(), cell.get_int64());
        return std::string(digits.data(), written.ptr);
    }
    case json::kind::uint64: {
        auto const written = std::to_chars(digits.begin(), digits.end(), cell.get_uint64());
        return std::string(digits.data(), written.ptr);
    }
    default: return std::nullopt;
    }
}

json::value const& cell_of(json::value const& row, std::string_view column) {
    static json::value const null_cell;
    auto const* object = row.if_object();
    auto const* cell = object ? object->if_contains(column) : nullptr;
    return cell ? *cell : null_cell;
}

bool has_key(json::value const& row, std::span<std::string_view const> key, json::array const& wanted) {
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (cell_of(row, key[i]) != wanted[i]) return false;
    }
    return true;
}

}  // namespace

row_index::row_index(json::array const& rows, std::span<std::string_view const> key)
    : rows_(rows), key_(key), texts_(rows.size()) {}

row_index::postings const& row_index::by_column(std::string const& column) {
    auto const found = columns_.find(column);
    if (found != columns_.end()) return found->second;
    postings index;
    for (std::uint32_t i = 0; i < rows_.size(); ++i) {
        auto text = match_text(cell_of(rows_[i], column));
        if (text) index[std::move(*text)].push_back(i);
    }
    return columns_.emplace(column, std::move(index)).first->second;
}

std::optional<std::uint32_t> row_index::find_key(json::array const& wanted) {
    if (!keys_built_) {
        for (std::uint32_t i = 0; i < rows_.size(); ++i) {
            keys_.emplace(to_json_text(key_of(rows_[i], key_)), i);  // the first row keeps it
        }
        keys_built_ = true;
    }
    auto const found = keys_.find(to_json_text(wanted));
    if (found != keys_.end() && has_key(rows_[found->second], key_, wanted)) return found->second;
    // Numbers equal by value but spelled alike are found above; anything else the slow way.
    for (std::uint32_t i = 0; i < rows_.size(); ++i) {
        if (has_key(rows_[i], key_, wanted)) return i;
    }
    return std::nullopt;
}

row_index::picked row_index::select(projection_selection const& selection) {
    picked out;
    std::uint32_t start = 0;
    if (selection.after) {
        auto const at = find_key(selection.after->key);
        out.cursor_found = at.has_value();
        if (!at) return out;
        start = *at + 1;
    }
    auto const limit = selection.limit.value_or(rows_.size() + 1);
    auto take = [&](std::uint32_t i) {
        if (out.rows.size() == limit) {
            out.more = true;
            return false;
        }
        out.rows.push_back(i);
        return true;
    };
    if (selection.filters.empty()) {
        for (std::uint32_t i = start; i < rows_.size(); ++i) {
            if (!take(i)) break;
        }
        return out;
    }
    // Walk the shortest posting list; check the other filters on each of its rows.
    std::vector<std::uint32_t> const* shortest = nullptr;
    static std::vector<std::uint32_t> const none;
    for (auto const& filter : selection.filters) {
        auto const& index = by_column(filter.column);
        auto const found = index.find(filter.value);
        auto const* list = found == index.end() ? &none : &found->second;
        if (shortest == nullptr || list->size() < shortest->size()) shortest = list;
    }
    for (auto it = std::lower_bound(shortest->begin(), shortest->end(), start); it != shortest->end(); ++it) {
        bool const passes = std::ranges::all_of(selection.filters, [&](row_filter const& f) {
            auto const text = match_text(cell_of(rows_[*it], f.column));
            return text && *text == f.value;
        });
        if (passes && !take(*it)) break;
    }
    return out;
}

std::string const& row_index::text(std::uint32_t i) {
    if (texts_[i].empty()) texts_[i] = to_json_text(rows_[i]);
    return texts_[i];
}

std::string row_index::answer_head(std::string_view name, std::optional<std::uint64_t> position,
                                   std::vector<std::uint32_t> const& picked_rows) {
    std::size_t size = 64 + name.size();
    for (auto const i : picked_rows) size += text(i).size() + 1;
    std::string out;
    out.reserve(size);
    out += R"({"name":)";
    append_json_text(out, json::value(json::string_view(name)));
    out += R"(,"position":)";
    out += position ? std::to_string(*position) : "null";
    out += R"(,"rows":[)";
    bool first = true;
    for (auto const i : picked_rows) {
        if (!first) out += ',';
        first = false;
        out += text(i);
    }
    out += ']';
    return out;
}

}  // namespace ledger::app
