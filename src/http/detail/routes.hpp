#pragma once
// The route handlers behind http::handle (router.cpp). Each is parse → use case → respond.

#include "ledger/app/authenticator.hpp"
#include "ledger/error.hpp"
#include "ledger/http/api.hpp"
#include "ledger/http/message.hpp"

#include <boost/url/params_view.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ledger::http::detail {

/// A matched request: its decoded query, the `{stream}` / `{name}` path segment, if any, and
/// who sent it (authenticated for routes that need a role; empty for those that need none).
struct route_input {
    request const& http;
    boost::urls::params_view query;
    std::string path_param;
    app::principal caller;
};

/// A query parameter as a non-negative integer: nullopt when absent, bad_request when it is
/// not one (or exceeds `max`).
result<std::optional<std::uint64_t>> integer_param(boost::urls::params_view query,
                                                   std::string_view name,
                                                   std::uint64_t max = UINT64_MAX);

/// A query parameter's decoded text, or nullopt when absent.
std::optional<std::string> text_param(boost::urls::params_view query, std::string_view name);

/// Whether a Content-Type names application/json (any case, parameters ignored).
bool is_json_media_type(std::string_view content_type);

response append_events(route_input const& in, api& api);
response read_stream(route_input const& in, api& api);
response read_log(route_input const& in, api& api);
response subscribe(route_input const& in, api& api);
response list_projections(route_input const& in, api& api);
response get_projection(route_input const& in, api& api);
response get_catalog(route_input const& in, api& api);
response get_openapi(route_input const& in, api& api);
response get_info(route_input const& in, api& api);
response audit_verify(route_input const& in, api& api);
response audit_head(route_input const& in, api& api);
/// The verifiable audit routes (audit_routes.cpp, SPEC §11).
response audit_checkpoint(route_input const& in, api& api);
response audit_inclusion(route_input const& in, api& api);
response audit_consistency(route_input const& in, api& api);
response audit_key(route_input const& in, api& api);
response audit_checkpoints(route_input const& in, api& api);
response healthz(route_input const& in, api& api);
response readyz(route_input const& in, api& api);
response get_metrics(route_input const& in, api& api);
response erase_candidate(route_input const& in, api& api);
response candidate_access(route_input const& in, api& api);
/// The embedded dashboard file at the request's path (dashboard_routes.cpp).
response dashboard_file(route_input const& in, api& api);

}  // namespace ledger::http::detail
