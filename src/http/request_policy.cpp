#include "detail/request_policy.hpp"

#include <algorithm>
#include <cctype>

namespace ledger::http::detail {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// A Host (or an origin's authority) split into its lower-case name (brackets removed) and
/// port text ("" when absent). nullopt when it is malformed.
struct authority {
    std::string name;
    std::string port;
};

std::optional<authority> parse_authority(std::string_view text) {
    authority out;
    if (text.starts_with('[')) {
        auto const close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.name = lower(text.substr(1, close - 1));
        text.remove_prefix(close + 1);
        if (!text.empty() && !text.starts_with(':')) return std::nullopt;
        if (!text.empty()) out.port = std::string(text.substr(1));
    } else {
        auto const colon = text.find(':');
        out.name = lower(text.substr(0, colon));
        if (colon != std::string_view::npos) out.port = std::string(text.substr(colon + 1));
    }
    bool const numeric = std::all_of(out.port.begin(), out.port.end(),
                                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (out.name.empty() || !numeric || out.port.size() > 5) return std::nullopt;
    return out;
}

/// "scheme://name:port" with the scheme's default port made explicit, or "" when malformed.
std::string normal_origin(std::string_view scheme, std::string_view authority_text) {
    auto const parsed = parse_authority(authority_text);
    if (!parsed) return {};
    auto const port = parsed->port.empty() ? (scheme == "https" ? "443" : "80") : parsed->port;
    bool const v6 = parsed->name.find(':') != std::string::npos;
    return std::string(scheme) + "://" + (v6 ? "[" + parsed->name + "]" : parsed->name) + ":" + port;
}

/// An Origin header value ("https://host:port") normalised as normal_origin, or "".
std::string normal_origin(std::string_view origin) {
    auto const lowered = lower(origin);
    auto const separator = lowered.find("://");
    if (separator == std::string::npos) return {};
    auto const scheme = std::string_view(lowered).substr(0, separator);
    if (scheme != "http" && scheme != "https") return {};
    return normal_origin(scheme, std::string_view(lowered).substr(separator + 3));
}

}  // namespace

request_policy make_request_policy(server_options const& options, std::string const& bound_address) {
    request_policy policy;
    policy.tls = options.tls_cert.has_value();
    policy.host_names = {"127.0.0.1", "localhost", "::1", lower(options.host), lower(bound_address)};
    for (auto const& name : options.allowed_hosts) {
        if (auto const parsed = parse_authority(name)) policy.host_names.push_back(parsed->name);
    }
    for (auto const& origin : options.allowed_origins) {
        if (auto normal = normal_origin(origin); !normal.empty()) policy.allowed_origins.push_back(std::move(normal));
    }
    return policy;
}

std::optional<error> check_host(request_policy const& policy, std::string_view host, unsigned version) {
    if (host.empty()) {
        if (version < 11) return std::nullopt;  // HTTP/1.0 may omit it; no browser does
        return error{error_code::bad_request, "the request has no Host header", {}};
    }
    auto const parsed = parse_authority(host);
    if (parsed && std::find(policy.host_names.begin(), policy.host_names.end(), parsed->name) !=
                      policy.host_names.end()) {
        return std::nullopt;
    }
    boost::json::object details;
    details["host"] = host;
    return error{error_code::misdirected_request,
                 "this server does not answer for that Host (see --allow-host)", std::move(details)};
}

std::optional<error> check_origin(request_policy const& policy, std::string_view method,
                                  std::string_view origin, std::string_view host) {
    if (method == "GET" || method == "HEAD" || origin.empty()) return std::nullopt;
    auto const normal = normal_origin(origin);
    if (!normal.empty()) {
        if (normal == normal_origin(policy.tls ? "https" : "http", host)) return std::nullopt;
        if (std::find(policy.allowed_origins.begin(), policy.allowed_origins.end(), normal) !=
            policy.allowed_origins.end()) {
            return std::nullopt;
        }
    }
    boost::json::object details;
    details["origin"] = origin;
    return error{error_code::forbidden,
                 "state-changing requests from another origin are refused (see --allow-origin)",
                 std::move(details)};
}

bool is_cors_origin(request_policy const& policy, std::string_view origin) {
    auto const normal = normal_origin(origin);
    return !normal.empty() && std::find(policy.allowed_origins.begin(), policy.allowed_origins.end(),
                                        normal) != policy.allowed_origins.end();
}

}  // namespace ledger::http::detail
