// http::route: matches the target against the SPEC §6 routes and calls the route's handler.

#include "ledger/http/api.hpp"

#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include <boost/url/parse.hpp>

#include "ledger/store/event_store.hpp"

#include <array>
#include <chrono>
#include <string_view>
#include <vector>

namespace ledger::http {
namespace {

using handler_fn = response (*)(detail::route_input const&, api&);

struct route_entry {
    std::string_view method;
    std::string_view path;  // the template; "{}" in a segment matches any one segment
    handler_fn handler;
};

constexpr std::array<route_entry, 14> routes{{
    {"POST", "/v1/streams/{stream}/events", detail::append_events},
    {"GET", "/v1/streams/{stream}", detail::read_stream},
    {"GET", "/v1/events", detail::read_log},
    {"GET", "/v1/subscribe", detail::subscribe},
    {"GET", "/v1/projections", detail::list_projections},
    {"GET", "/v1/projections/{name}", detail::get_projection},
    {"GET", "/v1/catalog", detail::get_catalog},
    {"GET", "/v1/audit/verify", detail::audit_verify},
    {"GET", "/v1/audit/head", detail::audit_head},
    {"POST", "/v1/candidates/{id}/erase", detail::erase_candidate},  // role: admin
    {"GET", "/v1/candidates/{id}", detail::candidate_access},        // role: auditor or admin
    {"GET", "/healthz", detail::healthz},
    {"GET", "/readyz", detail::readyz},
    {"GET", "/metrics", detail::get_metrics},
}};

std::vector<std::string_view> split_template(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        path.remove_prefix(1);  // the '/'
        auto const end = path.find('/');
        parts.push_back(path.substr(0, end));
        path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
    }
    return parts;
}

/// Whether `segments` fit the template; stores its one parameter segment in `param`.
bool matches(std::string_view path_template, std::vector<std::string> const& segments,
             std::string& param) {
    auto const parts = split_template(path_template);
    if (parts.size() != segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].starts_with('{')) {
            param = segments[i];
        } else if (parts[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

response dispatch(request const& http, boost::urls::url_view target, api& api) {
    std::vector<std::string> segments(target.segments().begin(), target.segments().end());
    std::string allowed;
    std::string_view matched_path = "unmatched";
    for (auto const& candidate : routes) {
        std::string param;
        if (!matches(candidate.path, segments, param)) continue;
        if (candidate.method != http.method) {
            allowed += allowed.empty() ? candidate.method : ", " + std::string(candidate.method);
            matched_path = candidate.path;
            continue;
        }
        auto out = candidate.handler({http, target.params(), std::move(param)}, api);
        out.route = std::string(candidate.path);
        return out;
    }
    auto out = allowed.empty()
                   ? detail::error_response(error_code::not_found, "no such path")
                   : detail::method_not_allowed(std::move(allowed));
    out.route = std::string(matched_path);
    return out;
}

}  // namespace

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
