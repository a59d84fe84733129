#pragma once
// The server's log lines (stderr): `text` (time, level, message) or `json`, one JSON object a
// line for journald and log shippers: {"time","level","logger","message"} with the message
// JSON-escaped, plus "request_id" on lines logged while a request_id_scope is active on the
// logging thread (the access log line, refusals). Call configure_logging once at startup,
// before other threads log. Throws nothing.

#include <string>
#include <string_view>

namespace ledger::http::detail {

/// Installs the stderr logger with `format` ("text" or "json") and `level`.
void configure_logging(std::string const& format, std::string const& level);

/// While alive, lines this thread logs carry `request_id` as a JSON member (--log-format json;
/// the text format has it in the message). Scopes nest; the id must outlive the scope.
/// Threading: per thread (thread_local), so it must not span a co_await.
class request_id_scope {
public:
    explicit request_id_scope(std::string_view request_id) noexcept;
    ~request_id_scope();
    request_id_scope(request_id_scope const&) = delete;
    request_id_scope& operator=(request_id_scope const&) = delete;

private:
    std::string_view previous_;
};

}  // namespace ledger::http::detail
