#pragma once
// File descriptors and the connection limit (SPEC §6: connection count is bounded). Every
// connection holds one descriptor; running out of them makes accept() fail with EMFILE, which
// the accept loop must survive without spinning.

#include <cstddef>

namespace ledger::http::detail {

/// Descriptors kept for everything but connections: the LMDB environment, the listening socket,
/// epoll and its wake-ups, the log, snapshot and backup files, TLS files.
inline constexpr std::size_t reserved_descriptors = 64;

/// Raises the soft RLIMIT_NOFILE to the hard limit, then returns `wanted`, lowered when the
/// limit leaves fewer than `wanted` descriptors beside reserved_descriptors (at least 1). Logs
/// the limit and, when it lowers `wanted`, says so. Call once at start-up, before serving.
std::size_t fit_connections_to_descriptors(std::size_t wanted);

}  // namespace ledger::http::detail
