// GET /v1/projections/{name} with filters, limit or cursor: one page of a read model.

#include "detail/projection_page.hpp"
#include "detail/responses.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace ledger::http::detail {
namespace {

/// The request's own target with `cursor` set to `next`, for the Link header.
std::string next_page_target(request const& http, std::string const& next) {
    auto const target = boost::urls::parse_origin_form(http.target);
    if (!target) return {};  // the router parsed it already; kept total for safety
    boost::urls::url link(*target);
    link.params().set("cursor", next);
    return std::string(link.buffer());
}

}  // namespace

response projection_page_response(route_input const& in, app::projection_query const& query,
                                  table_format format, api& api) {
    auto page = api.projections->query_page(query);
    if (!page) return error_response(page.error());
    response out;
    if (format != table_format::json) {
        out = csv_table_response(page->table, format);
    } else {
        // As app::to_json(table), with the rows moved rather than copied.
        boost::json::object body{
            {"name", page->table.name},
            {"position", page->table.position ? boost::json::value(*page->table.position)
                                              : boost::json::value()},
            {"rows", std::move(page->table.rows)}};
        if (query.selection.paged()) {
            body["next_cursor"] = page->next_cursor ? boost::json::value(*page->next_cursor)
                                                    : boost::json::value();
        }
        out = json_response(200, body);
    }
    if (page->next_cursor) {
        out.headers.emplace_back("Ledger-Next-Cursor", *page->next_cursor);
        out.headers.emplace_back("Link", "<" + next_page_target(in.http, *page->next_cursor) +
                                             ">; rel=\"next\"");
    }
    return out;
}

}  // namespace ledger::http::detail
