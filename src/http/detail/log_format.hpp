#pragma once
// The server's log lines (stderr): `text` (time, level, message) or `json`, one JSON object a
// line for journald and log shippers: {"time","level","logger","message"} with the message
// JSON-escaped. Call once at startup, before other threads log. Throws nothing.

#include <string>

namespace ledger::http::detail {

/// Installs the stderr logger with `format` ("text" or "json") and `level`.
void configure_logging(std::string const& format, std::string const& level);

}  // namespace ledger::http::detail
