// http::route: matches the target against the SPEC §6 routes and calls the route's handler.

#include "ledger/http/api.hpp"
#include "ledger/replication/replication.hpp"
#include "ledger/http/route_table.hpp"

#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include <boost/url/decode_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/segments_encoded_view.hpp>

#include "ledger/store/event_store.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string_view>
#include <variant>

namespace ledger::http {
namespace {

using handler_fn = response (*)(detail::route_input const&, api&);

struct route_entry {
    std::string_view method;
    std::string_view path;  // the template; "{…}" matches any one segment, "{*}" last: one or more
    handler_fn handler;
    std::optional<app::role> required;  // the role needed (app::grants); nullopt: none
};

using app::role;
constexpr std::optional<role> no_role = std::nullopt;

// The roles are SPEC §6's table; the access export is for auditors (and admins).
constexpr std::array<route_entry, 23> routes{{
    {"POST", "/v1/streams/{stream}/events", detail::append_events, role::writer},
    {"GET", "/v1/streams/{stream}", detail::read_stream, role::reader},
    {"GET", "/v1/events", detail::read_log, role::reader},
    {"GET", "/v1/subscribe", detail::subscribe, role::reader},
    {"GET", "/v1/projections", detail::list_projections, role::reader},
    {"GET", "/v1/projections/{name}", detail::get_projection, role::reader},
    {"GET", "/v1/catalog", detail::get_catalog, role::reader},
    {"GET", "/v1/openapi.json", detail::get_openapi, role::reader},
    {"GET", "/v1/info", detail::get_info, role::reader},
    {"GET", "/v1/audit/verify", detail::audit_verify, role::auditor},
    {"GET", "/v1/audit/head", detail::audit_head, role::auditor},
    {"GET", "/v1/audit/checkpoint", detail::audit_checkpoint, role::auditor},
    {"GET", "/v1/audit/checkpoints", detail::audit_checkpoints, role::auditor},
    {"GET", "/v1/audit/proof/inclusion", detail::audit_inclusion, role::auditor},
    {"GET", "/v1/audit/proof/consistency", detail::audit_consistency, role::auditor},
    {"GET", "/v1/audit/key", detail::audit_key, role::auditor},
    {"POST", "/v1/candidates/{id}/erase", detail::erase_candidate, role::admin},
    {"GET", "/v1/candidates/{id}", detail::candidate_access, role::auditor},
    {"GET", "/healthz", detail::healthz, no_role},
    {"GET", "/readyz", detail::readyz, no_role},
    {"GET", "/metrics", detail::get_metrics, no_role},
    {"GET", "/", detail::dashboard_file, no_role},
    {"GET", "/assets/{*}", detail::dashboard_file, no_role},
}};

/// The caller of a route that needs `required`, or the 401 (with the RFC 6750 challenge) or
/// 403 response that refuses it.
std::variant<app::principal, response> authorize(request const& http, std::optional<role> required,
                                                 api const& api) {
    if (!required) return app::principal{};
    auto caller = api.authenticator.authenticate(http.authorization);
    if (!caller) {
        auto refusal = detail::error_response(caller.error());
        refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
        return refusal;
    }
    if (!app::grants(caller->granted, *required)) {
        boost::json::object details;
        details["required_role"] = app::to_string(*required);
        return detail::error_response(error{
            error_code::forbidden, "the token's role does not allow this request", std::move(details)});
    }
    return std::move(*caller);
}

/// Takes the next segment off a route template ("/v1/streams/{stream}" → "v1", …).
std::string_view next_part(std::string_view& path_template) {
    path_template.remove_prefix(1);  // the '/'
    auto const end = path_template.find('/');
    auto const part = path_template.substr(0, end);
    path_template.remove_prefix(part.size());
    return part;
}

/// Whether the path's segments fit the template ("{…}" matches any one segment). Compares
/// decoded text without allocating: this runs for every route on every request.
bool matches(std::string_view path_template, boost::urls::segments_encoded_view segments) {
    if (path_template == "/") return segments.empty();
    auto segment = segments.begin();
    while (!path_template.empty()) {
        auto const part = next_part(path_template);
        if (segment == segments.end()) return false;
        if (part == "{*}") return true;
        if (!part.starts_with('{') && **segment != part) return false;
        ++segment;
    }
    return segment == segments.end();
}

/// The decoded segment at the matched template's "{…}" part, or "" when it has none.
std::string template_param(std::string_view path_template, boost::urls::segments_encoded_view segments) {
    for (auto const& segment : segments) {
        if (next_part(path_template).starts_with('{')) {
            auto const decoded = *segment;
            return std::string(decoded.begin(), decoded.end());
        }
    }
    return {};
}

response dispatch(request const& http, boost::urls::url_view target, api& api) {
    auto const segments = target.encoded_segments();
    std::string allowed;
    std::string_view matched_path = "unmatched";
    for (auto const& candidate : routes) {
        if (!matches(candidate.path, segments)) continue;
        if (candidate.method != http.method) {
            allowed += allowed.empty() ? candidate.method : ", " + std::string(candidate.method);
            matched_path = candidate.path;
            continue;
        }
        auto caller = authorize(http, candidate.required, api);
        // Fail-stop: after a fatal storage failure only the health, metrics and dashboard
        // routes (those without a role) answer; the API refuses rather than serve a dead store.
        if (candidate.required && std::holds_alternative<app::principal>(caller) && api.store.failure()) {
            caller = detail::error_response(error_code::unavailable,
                                            "the ledger's storage failed; the server is stopping");
        }
        auto out = std::holds_alternative<response>(caller)
                       ? std::move(std::get<response>(caller))
                       : candidate.handler({http, target.params(), template_param(candidate.path, segments),
                                            std::move(std::get<app::principal>(caller))}, api);
        if (out.append && api.replication != nullptr) {
            // A follower (or a fenced former leader) takes no appends (SPEC §12).
            if (auto refusal = api.replication->append_refusal()) {
                out = detail::error_response(*refusal);
            }
        }
        out.route = candidate.path;
        return out;
    }
    auto out = allowed.empty()
                   ? detail::error_response(error_code::not_found, "no such path")
                   : detail::method_not_allowed(std::move(allowed));
    out.route = matched_path;
    return out;
}

}  // namespace

std::vector<routed_operation> routed_operations() {
    std::vector<routed_operation> out;
    for (auto const& entry : routes) out.push_back({entry.method, entry.path, entry.required});
    return out;
}

response route(request const& http, api& api) {
    auto const target = boost::urls::parse_origin_form(http.target);
    if (!target) {
        auto out = detail::error_response(error_code::bad_request, "the request target is not a valid path");
        out.route = "unmatched";
        return out;
    }
    return dispatch(http, *target, api);
}

response handle(request const& http, api& api) {
    auto routed = route(http, api);
    if (routed.offload) {
        auto out = routed.offload();
        out.route = routed.route;
        return out;
    }
    if (routed.wait) {
        auto out = routed.wait->blocking();
        out.route = routed.route;
        return out;
    }
    if (!routed.append) return routed;
    auto const events = routed.append->events.size();
    auto const started = std::chrono::steady_clock::now();
    auto const result = api.store.append(std::move(*routed.append));
    std::chrono::duration<double> const took = std::chrono::steady_clock::now() - started;
    auto out = finish_append(result, events, took.count(), api);
    out.route = std::move(routed.route);
    return out;
}

response error_reply(error const& failure) { return detail::error_response(failure); }

response internal_error_response(std::string const& request_id) {
    boost::json::object details;
    details["request_id"] = request_id;
    return detail::error_response(
        error{error_code::internal, "internal error; the server log has the details", details});
}

}  // namespace ledger::http
