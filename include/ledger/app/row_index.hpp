#pragma once
// Selecting a page of a read model's rendered rows without scanning or copying them all
// (issue 14: "filter by an index on the key fields"): for one array of rows (a read model's
// rows at one position, in its order), indexes built on first use — per filterable column the
// rows whose cell matches each value, and the rows by key for cursors — and each row's JSON
// text, written once. select() picks exactly the rows app::select_rows picks.
//
// Threading: not thread-safe (the runner holds its cache lock). The rows must outlive the
// index and not change while it is used.

#include "ledger/app/projection_selection.hpp"

#include <boost/json/array.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ledger::app {

class row_index {
public:
    row_index(boost::json::array const& rows, std::span<std::string_view const> key);

    struct picked {
        std::vector<std::uint32_t> rows;  // indices into the rows, in order
        bool cursor_found = true;
        bool more = false;
    };

    /// The rows select_rows(rows, selection, key) would pick, as indices.
    picked select(projection_selection const& selection);

    /// to_json_text(rows[i]), written on first use.
    std::string const& text(std::uint32_t i);

    /// `{"name":…,"position":…,"rows":[…]` for the picked rows: the JSON answer without its
    /// closing brace (the caller adds "next_cursor" when paged).
    std::string answer_head(std::string_view name, std::optional<std::uint64_t> position,
                            std::vector<std::uint32_t> const& picked_rows);

private:
    using postings = std::unordered_map<std::string, std::vector<std::uint32_t>>;
    postings const& by_column(std::string const& column);
    std::optional<std::uint32_t> find_key(boost::json::array const& wanted);

    boost::json::array const& rows_;
    std::span<std::string_view const> key_;
    std::unordered_map<std::string, postings> columns_;
    std::unordered_map<std::string, std::uint32_t> keys_;  // key cells' JSON text → first row
    bool keys_built_ = false;
    std::vector<std::string> texts_;
};

}  // namespace ledger::app
