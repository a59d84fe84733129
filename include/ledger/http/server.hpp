#pragma once
// recruit-ledgerd's configuration (SPEC §8) and its serving loop.

#include "ledger/http/api.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ledger::http {

struct server_options {
    std::filesystem::path data = "data";
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: an ephemeral port, reported through port_file and the log
    std::optional<std::filesystem::path> port_file;  // receives the bound port, once listening
    unsigned threads = 2;
    std::string log_level = "info";
    std::string log_format = "text";  // or "json": one JSON object a line
    std::optional<std::filesystem::path> tokens;    // bearer tokens; without, loopback only
    std::optional<std::filesystem::path> tls_cert;  // PEM; with tls_key: HTTPS only
    std::optional<std::filesystem::path> tls_key;

    std::size_t body_limit = std::size_t{4} << 20;     // bytes of one request body
    std::uint32_t header_limit = 16 * 1024;            // bytes of one request's headers
    std::size_t max_connections = 1024;                // further connections are closed at once
    std::chrono::seconds idle_timeout{60};             // keep-alive wait for the next request
    std::chrono::seconds request_timeout{30};          // to read one request, or write a response
    std::chrono::seconds heartbeat{15};                // SSE comment when nothing else was sent
    std::chrono::seconds drain_timeout{10};            // in-flight work allowed after SIGTERM
    /// After a fatal storage failure: how long the server still answers (everything 503,
    /// /healthz and /readyz naming the cause) before it exits 1, so a load balancer sees it.
    std::chrono::milliseconds failure_drain{2000};
    std::uint64_t snapshot_every = 50'000;    // events between read-model snapshots
    std::size_t max_queued_appends = 10'000;  // appends waiting for the writer; more get 503
};

/// Listens on options.host:options.port and serves `api` on options.threads threads until
/// SIGTERM or SIGINT; then stops accepting, lets in-flight requests finish (up to
/// drain_timeout), ends subscriptions and returns. On a fatal storage failure of api.store it
/// answers 503 for options.failure_drain, then stops the same way. Before it returns, the
/// store's writer is stopped (api.store.stop_appends), so no append callback outlives the
/// sessions; if a commit is still stuck on the disk then, it exits the process with status 1.
/// Registers a commit observer and a failure handler on api.store for the whole run.
/// Throws boost::system::system_error when it cannot listen, std::runtime_error (with the
/// reason) when the TLS certificate or key cannot be loaded or do not match.
void run_server(server_options const& options, api& api);

/// The whole server program: parses `arguments` (without the program name; see
/// command_line.hpp), opens the ledger with the domain rules and the read models, serves until
/// SIGTERM or SIGINT. Returns the exit code: 0 clean shutdown, 1 failure (including a fatal
/// storage failure while serving, and a data directory another process writes), 2 usage.
int server_main(std::vector<std::string> const& arguments);

}  // namespace ledger::http
