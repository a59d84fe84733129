#pragma once
// recruit-ledgerd's configuration (SPEC §8) and its serving loop.

#include "ledger/http/api.hpp"
#include "ledger/replication/options.hpp"

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
    /// The key-encryption key file (docs/privacy.md); without it, the systemd credential
    /// recruit-ledger-kek or `<data>.kek` beside the data directory.
    std::optional<std::filesystem::path> kek;
    /// A new KEK to rotate to while serving (docs/privacy.md, online rotation); without it, the
    /// systemd credential recruit-ledger-kek-new when present.
    std::optional<std::filesystem::path> new_kek;
    std::size_t kek_rotation_batch = 256;             // keys per rotation write transaction
    std::chrono::milliseconds kek_rotation_pause{10};  // between two of them, for the appends

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
    std::uint64_t checkpoint_every = 500'000;  // events between as-of checkpoints (+ month starts)
    unsigned checkpoint_chunk_bits = 15;  // as-of checkpoints in ~2^bits-byte shared chunks; 0: whole
    int checkpoint_compression_level = 1;  // zstd level of their chunks; 0: plain (docs/read-models.md)
    bool checkpoint_compress_table = true;  // the application table's chunks compressed too (0: plain)
    std::size_t max_queued_appends = 10'000;  // appends waiting for the writer; more get 503
    /// The Ed25519 key that signs audit checkpoints (`recruit-ledger audit keygen`); without it
    /// DIR/audit-signing.key, made on first start (docs/audit.md).
    std::optional<std::filesystem::path> signing_key;
    std::uint64_t witness_every = 10'000;        // events between witnessed (signed) checkpoints
    std::chrono::seconds witness_interval{60};     // or this long, when the log grew

    // SPEC §6 serving rules.
    /// Host names answered besides the loopback names (127.0.0.1, localhost, [::1]) and the
    /// listen address; other Host headers are refused 421 misdirected_request.
    std::vector<std::string> allowed_hosts;
    /// Origins (e.g. "https://dash.example") besides the server's own whose state-changing
    /// requests are accepted; they also get CORS headers. None by default: no CORS headers.
    std::vector<std::string> allowed_origins;
    unsigned workers = 2;             // threads for slow reads (replays, scans, verify, export)
    std::size_t worker_queue = 8;     // slow reads that may wait for a worker; more get 503
    std::size_t page_bytes = std::size_t{1} << 20;  // a page or SSE batch ends past this
    std::uint64_t scan_events = 100'000;            // events one filtered log read examines
    std::size_t max_client_connections = 64;        // per remote address; 0: no cap
    bool cap_loopback_clients = false;              // loopback clients are exempt by default

    /// --replicate / --follow (SPEC §12, docs/replication.md).
    replication::replication_options replication;
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
