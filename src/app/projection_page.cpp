// projection_service::query_page's default: select one page from query()'s table.

#include "ledger/app/projection_service.hpp"

#include "ledger/json_text.hpp"

namespace ledger::app {
error cursor_not_found(std::string const& name) {
    boost::json::object details;
    details["parameter"] = "cursor";
    return error{error_code::bad_request,
                 "cursor does not name a row of " + name + " at its position", std::move(details)};
}

std::optional<projection_page> select_page(std::string const& name,
                                           std::optional<std::uint64_t> position,
                                           std::vector<std::string> columns,
                                           boost::json::array const& rows,
                                           projection_selection const& selection) {
    auto const key = key_columns(name);
    if (!key) return std::nullopt;
    return page_of(name, position, std::move(columns), select_rows(rows, selection, *key), *key);
}

std::optional<projection_page> page_of(std::string const& name, std::optional<std::uint64_t> position,
                                       std::vector<std::string> columns, selected_rows selected,
                                       std::span<std::string_view const> key) {
    if (!selected.cursor_found) return std::nullopt;
    projection_page page{projection_table{name, position, std::move(columns), std::move(selected.rows)},
                         std::nullopt};
    if (selected.more) page.next_cursor = encode_cursor(page_cursor{name, position, key_of(page.table.rows.back(), key)});
    return page;
}

std::string page_json_text(projection_page const& page, bool paged) {
    boost::json::object body{
        {"name", page.table.name},
        {"position", page.table.position ? boost::json::value(*page.table.position) : boost::json::value()},
        {"rows", page.table.rows}};
    if (paged) body["next_cursor"] = page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value();
    return to_json_text(body);
}

result<projection_page_text> projection_service::query_page_json(projection_query const& q) const {
    auto page = query_page(q);
    if (!page) return page.error();
    return projection_page_text{page_json_text(*page, q.selection.paged()), std::move(page->next_cursor)};
}

result<projection_page> projection_service::query_page(projection_query const& q) const {
    if (!key_columns(q.name)) {
        return error{error_code::projection_not_found, "no projection named " + q.name,
                     {{"name", q.name}}};
    }
    auto table = query(q);
    if (!table) return table.error();
    auto page = select_page(q.name, table->position, table->columns, table->rows, q.selection);
    auto const& cursor = q.selection.after;
    if (!page && cursor && cursor->position && cursor->position != table->position) {
        // The cursor's row is gone from this newer (or older) table: answer at the position
        // the previous page came from, where it is, so that no row is skipped or repeated.
        auto at_cursor = q;
        at_cursor.as_of = std::nullopt;
        at_cursor.min_position = std::nullopt;
        at_cursor.as_of_position = cursor->position;
        table = query(at_cursor);
        if (!table) return table.error();
        page = select_page(q.name, table->position, table->columns, table->rows, q.selection);
    }
    if (!page) return cursor_not_found(q.name);
    return std::move(*page);
}

}  // namespace ledger::app
