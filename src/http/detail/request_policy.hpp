#pragma once
// The browser-facing half of SPEC §6's serving rules, as pure functions over header values (no
// Beast, so they are tested directly): which Host names the server answers, which Origins may
// change state, and which cross-origin callers get CORS headers. The session applies them as
// soon as a request's headers have arrived, before its body is read.
//
// Threading: a request_policy is immutable once made; its functions may run on any thread.

#include "ledger/error.hpp"
#include "ledger/http/server.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::http::detail {

struct request_policy {
    std::vector<std::string> host_names;       // lower case, without port or brackets
    std::vector<std::string> allowed_origins;  // lower case, e.g. "https://dash.example:8443"
    bool tls = false;                          // the server's own origins are https://
};

/// The policy for a server configured with `options` that listens on `bound_address`:
/// loopback names (127.0.0.1, localhost, ::1), the --listen host and the bound address, and
/// every --allow-host name.
request_policy make_request_policy(server_options const& options, std::string const& bound_address);

/// nullopt when the server answers a request with this Host header value ("name", "name:port",
/// "[v6]:port"); any port is accepted. Else misdirected_request (421), or bad_request (400)
/// when an HTTP/1.1 request (`version` 11) has no Host at all.
std::optional<error> check_host(request_policy const& policy, std::string_view host, unsigned version);

/// nullopt when a request may proceed: GET and HEAD always; other methods when they carry no
/// Origin (not a browser), or the server's own origin (scheme://Host), or an allowed one.
/// Else forbidden (403).
std::optional<error> check_origin(request_policy const& policy, std::string_view method,
                                  std::string_view origin, std::string_view host);

/// Whether `origin` is one of the configured --allow-origin origins (CORS headers are sent).
bool is_cors_origin(request_policy const& policy, std::string_view origin);

}  // namespace ledger::http::detail
