// GET / and GET /assets/…: the dashboard's embedded files (SPEC §13). No role: the page holds
// no data; its data calls carry the token.

#include "detail/dashboard_assets.hpp"
#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace ledger::http::detail {
namespace {

/// Only this origin's scripts, styles, images and connections; no frames, plugins or base
/// rewriting. The dashboard uses no inline script or style, so nothing needs 'unsafe-inline'.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find_first_of("?#"));
}

/// Whether an If-None-Match header names `etag` (a list, or "*").
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    return if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

response dashboard_file(route_input const& in, api&) {
    auto const path = path_of(in.http.target);
    auto const assets = dashboard_assets();
    auto const found = std::ranges::find(assets, path, &dashboard_asset::path);
    if (found == assets.end()) return error_response(error_code::not_found, "no such dashboard file");
    // 304 and 200 carry the same validators; "no-cache" makes the browser revalidate, so a new
    // server version is picked up at the next load while unchanged files cost a 304.
    auto out = etag_matches(in.http.if_none_match, found->etag)
                   ? text_response(304, found->content_type, {})
                   : text_response(200, found->content_type, std::string(found->bytes));
    out.headers.emplace_back("ETag", std::string(found->etag));
    out.headers.emplace_back("Cache-Control", "no-cache");
    out.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
    out.headers.emplace_back("X-Content-Type-Options", "nosniff");
    out.headers.emplace_back("Referrer-Policy", "no-referrer");
    out.headers.emplace_back("X-Frame-Options", "DENY");
    return out;
}

}  // namespace ledger::http::detail
