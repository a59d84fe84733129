// GET /v1/projections/{name} with filters, limit or cursor: one page of a read model.

#include "detail/projection_page.hpp"
#include "detail/responses.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace ledger::http::detail {
namespace {

/// The request's own target with `cursor` set to `next`, for the Link header.
std::string next_page_target(std::string_view request_target, std::string const& next) {
    auto const target = boost::urls::parse_origin_form(request_target);
    if (!target) return {};  // the router parsed it already; kept total for safety
    boost::urls::url link(*target);
    link.params().set("cursor", next);
    return std::string(link.buffer());
}

}  // namespace

response projection_page_response(std::string_view request_target,
                                  app::projection_query const& query, table_format format,
                                  api& api) {
    response out;
    std::optional<std::string> next_cursor;
    if (format != table_format::json) {
        auto page = api.projections->query_page(query);
        if (!page) return error_response(page.error());
        out = csv_table_response(page->table, format);
        next_cursor = std::move(page->next_cursor);
    } else {
        // The page's JSON text as the service writes it (from cached row texts when live).
        auto page = api.projections->query_page_json(query);
        if (!page) return error_response(page.error());
        out = json_text_response(200, std::move(page->json));
        next_cursor = std::move(page->next_cursor);
    }
    if (next_cursor) {
        out.headers.emplace_back("Ledger-Next-Cursor", *next_cursor);
        out.headers.emplace_back("Link", "<" + next_page_target(request_target, *next_cursor) +
                                             ">; rel=\"next\"");
    }
    return out;
}

}  // namespace ledger::http::detail
