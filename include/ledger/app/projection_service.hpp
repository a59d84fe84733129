#pragma once
// What HTTP and the CLI ask of the read models (SPEC §7), independent of how they are kept.

#include "ledger/app/projection_selection.hpp"
#include "ledger/error.hpp"
#include "ledger/time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::app {

struct projection_summary {
    std::string name;  // e.g. "recruits-per-campaign"
    std::string description;
    std::optional<std::uint64_t> position;  // last log position folded in; nullopt: none yet
    std::uint64_t lag = 0;                  // committed events not yet folded in
};

struct projection_query {
    std::string name;
    std::optional<std::uint64_t> as_of_position;  // fold events with position <= N
    std::optional<timestamp> as_of;               // fold events recorded at or before T
    std::optional<std::uint64_t> min_position;    // wait until the live model has folded N
    std::chrono::milliseconds wait = std::chrono::seconds(5);  // how long min_position waits
    /// Filters, page size and cursor. query() and query_json() answer the whole table and
    /// leave this alone; query_page() applies it (a service may push it down by overriding).
    projection_selection selection;
};

/// A read model as rows. Each row is a JSON object with exactly `columns` as keys.
struct projection_table {
    std::string name;
    std::optional<std::uint64_t> position;  // last log position folded in; nullopt: none
    std::vector<std::string> columns;       // the SPEC §7 field order (CSV header)
    boost::json::array rows;
};

/// The JSON form the API answers and `recruit-ledger replay` prints:
/// {"name", "position" (null when nothing was folded), "rows"}.
boost::json::object to_json(projection_table const& table);

/// One page of a read model: the selected rows, and where the next page starts (nullopt when
/// no row after this page passes the filters).
struct projection_page {
    projection_table table;
    std::optional<std::string> next_cursor;  // encode_cursor text
};

/// The page `selection` asks for of a table with these name, position, columns and rows (a
/// read model's rows, in its order): the rows select_rows picks, and the next cursor when
/// more rows pass. nullopt when the selection's cursor row is not among `rows`.
/// For query_page and services that override it; pure.
std::optional<projection_page> select_page(std::string const& name,
                                           std::optional<std::uint64_t> position,
                                           std::vector<std::string> columns,
                                           boost::json::array const& rows,
                                           projection_selection const& selection);

/// The rows `selected` picked from `name`'s rows at `position` as a page, with the next cursor
/// (after the last row, by the key columns `key`) when more rows pass; nullopt when the
/// selection's cursor row was not among the rows. Pure.
std::optional<projection_page> page_of(std::string const& name, std::optional<std::uint64_t> position,
                                       std::vector<std::string> columns, selected_rows selected,
                                       std::span<std::string_view const> key);

/// The error of a page whose cursor names no row of `name`'s table at the cursor's position:
/// bad_request, details {"parameter": "cursor"}.
error cursor_not_found(std::string const& name);

/// One page as the JSON text GET /v1/projections/{name} answers: {"name","position","rows"},
/// and "next_cursor" (a string, or null on the last page) when the selection is paged; with
/// the next cursor beside it for the response headers.
struct projection_page_text {
    std::string json;
    std::optional<std::string> next_cursor;
};

/// The JSON text of `page` as projection_page_text::json describes it.
std::string page_json_text(projection_page const& page, bool paged);

class projection_service {
public:
    virtual ~projection_service() = default;

    /// Every read model with its position and lag.
    virtual std::vector<projection_summary> list() const = 0;

    /// One read model, live or as of a position or time.
    /// Errors: projection_not_found; bad_request (both as_of_position and as_of);
    /// unavailable (details: min_position, position) when min_position is not folded in
    /// within `wait`; unavailable (details: name) when a live read model is still loading.
    virtual result<projection_table> query(projection_query const& query) const = 0;

    /// query() as the JSON text of to_json(), byte for byte. This default serialises query();
    /// the runner keeps the live answer's text until the read model folds more, since the
    /// answer at a position never changes (GET /v1/projections/{name} then costs a copy).
    virtual result<std::string> query_json(projection_query const& query) const;

    /// The rows of query() that query.selection asks for (projection_selection.hpp). This
    /// default selects from query()'s table; when the cursor's row is gone from a table at
    /// another position, it answers as of the cursor's position instead (so a paged read
    /// never skips or repeats a row). Errors: those of query(); bad_request (details:
    /// parameter "cursor") for a cursor whose row is not in the table at its position.
    virtual result<projection_page> query_page(projection_query const& query) const;

    /// query_page() as JSON text, byte for byte page_json_text(query_page(query)). This default
    /// does just that; the runner writes a live page from its cached row texts through an
    /// index of the filterable fields (row_index.hpp) without copying the rows.
    virtual result<projection_page_text> query_page_json(projection_query const& query) const;

    /// Whether every read model has loaded its snapshot (or had none), so that live queries
    /// answer; until then GET /readyz answers 503. Services that load nothing are always loaded.
    virtual bool loaded() const { return true; }

    /// Read-model snapshots that could not be made since start-up (logged, tried again at the
    /// next group; the appends went on), for GET /metrics.
    virtual std::uint64_t snapshot_failures() const { return 0; }
};

}  // namespace ledger::app
