#pragma once
// GET /v1/projections/{name} with a selection (filters, limit, cursor; app/projection_selection.hpp).

#include "detail/routes.hpp"
#include "detail/table_format.hpp"
#include "ledger/app/projection_service.hpp"

namespace ledger::http::detail {

/// One page of the read model as JSON (with "next_cursor" when paged, null on the last page)
/// or CSV in `format`, and the next page's cursor in the Ledger-Next-Cursor and Link
/// (rel="next") headers when there is one. `api.projections` must not be null.
/// Errors: those of projection_service::query_page, as SPEC §6 error responses.
/// Threading: as the projection service; blocks while an as-of page is replayed.
response projection_page_response(route_input const& in, app::projection_query const& query,
                                  table_format format, api& api);

}  // namespace ledger::http::detail
