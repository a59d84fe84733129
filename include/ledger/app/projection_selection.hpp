#pragma once
// Asking a read model for less than everything (issue 14): exact-match filters on a row's key
// fields, a page size and an opaque cursor for the next page, for
// GET /v1/projections/{name}?organiser=…&limit=…&cursor=… (JSON and CSV alike).
//
// A cursor names the projection, the position of the table its page was cut from and the key
// of the page's last row. The next page is the rows after that key, in the read model's own
// row order, that pass the filters: the same position always gives the same pages, and a live
// read model that moved on still returns every row that existed throughout exactly once
// (keyset paging). When the key is gone from a newer table (a retraction removed its row),
// projection_service::query_page answers that page as of the cursor's position instead.
//
// Pure functions on values; thread-safe. Errors are bad_request with details naming the
// query parameter ({"parameter": …}), or projection_not_found for a name without key fields.

#include "ledger/error.hpp"

#include <boost/json/array.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::app {

/// Most rows one page may ask for (`limit`).
inline constexpr std::size_t max_page_rows = 10'000;

/// A row passes when its `column` cell equals `value`: a string cell exactly, a number cell
/// written as an integer (year=2024), a boolean as true/false; a null cell only when `value`
/// is empty (organiser=), the way CSV shows null.
struct row_filter {
    std::string column;
    std::string value;
    friend bool operator==(row_filter const&, row_filter const&) = default;
};

/// Where the previous page stopped.
struct page_cursor {
    std::string name;                       // the projection it was issued for
    std::optional<std::uint64_t> position;  // of the table the previous page was cut from
    boost::json::array key;                 // the key cells of that page's last row
    friend bool operator==(page_cursor const&, page_cursor const&) = default;
};

struct projection_selection {
    std::vector<row_filter> filters;    // every one must pass
    std::optional<std::size_t> limit;   // 1..max_page_rows rows per page
    std::optional<page_cursor> after;   // continue after this row
    /// No filter, no limit, no cursor: the whole table, answered exactly as without paging.
    bool empty() const noexcept { return filters.empty() && !limit && !after; }
    /// Whether the answer says where the next page starts (a limit or a cursor was given).
    bool paged() const noexcept { return limit || after; }
    friend bool operator==(projection_selection const&, projection_selection const&) = default;
};

/// The columns that identify a row of `projection` (its key, in row order), or nullopt for a
/// name that is not a read model.
std::optional<std::span<std::string_view const>> key_columns(std::string_view projection);

/// The columns `projection` can be filtered on: its key fields (recruits-per-campaign also its
/// kind and organiser), or nullopt for a name that is not a read model.
std::optional<std::span<std::string_view const>> filter_columns(std::string_view projection);

/// A decoded query parameter.
struct query_parameter {
    std::string name;
    std::string value;
};

/// The selection in `parameters` (filters named after filter_columns, `limit`, `cursor`).
/// Every other parameter must be one of `other_names` (those the caller reads itself, e.g.
/// as_of); any other name is bad_request naming it. A selection parameter given twice, a
/// limit that is not an integer from 1 to max_page_rows and a cursor this server did not
/// issue for `projection` are bad_request.
result<projection_selection> parse_selection(std::string_view projection,
                                             std::span<query_parameter const> parameters,
                                             std::span<std::string_view const> other_names);

/// The cursor's opaque text (base64url of a small JSON document; URL-safe as it is).
std::string encode_cursor(page_cursor const& cursor);

/// The cursor spelled by `text`, or nullopt when it is not one encode_cursor wrote.
std::optional<page_cursor> decode_cursor(std::string_view text);

/// One page of rows.
struct selected_rows {
    boost::json::array rows;
    bool cursor_found = true;  // false: the cursor's row is not among `rows` given
    bool more = false;         // rows after this page pass the filters too
};

/// select_rows one row at a time, for rows rendered one by one (an as-of page renders only the
/// rows it keeps: read_model::render). Shown the rows in the read model's order, it says of
/// each whether the page takes it; it needs only the row's key and filter cells to say so.
class row_picker {
public:
    enum class verdict { skip, take, stop };  // stop: the page is full and `more` is known
    row_picker(projection_selection const& selection, std::span<std::string_view const> key)
        : selection_(selection), key_(key), seeking_(selection.after.has_value()) {}
    /// What the page does with `row` (a JSON object holding at least the key and filter
    /// cells); after take, the caller adds the whole row with `add`.
    verdict consider(boost::json::object const& row);
    void add(boost::json::value row) { picked_.rows.push_back(std::move(row)); }
    /// The page: cursor_found is false when no row shown had the cursor's key.
    selected_rows finish() &&;

private:
    projection_selection const& selection_;
    std::span<std::string_view const> key_;
    bool seeking_;  // the cursor's row is not seen yet
    selected_rows picked_;
};

/// The rows of `rows` (a read model's rows in its order) that come after the selection's
/// cursor row, pass its filters, and fit in its limit. `key` names the key columns.
selected_rows select_rows(boost::json::array const& rows, projection_selection const& selection,
                          std::span<std::string_view const> key);

/// The key cells of `row` (nulls for missing ones), for the next cursor.
boost::json::array key_of(boost::json::value const& row, std::span<std::string_view const> key);

}  // namespace ledger::app
