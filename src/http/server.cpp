// The listening side of recruit-ledgerd: accept loop, connection bounds, signals and drain.

#include "detail/descriptor_limit.hpp"
#include "detail/server_context.hpp"
#include "detail/service_manager.hpp"

#include "ledger/store/event_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace ledger::http::detail {

std::uint64_t commit_signal::add(std::shared_ptr<waiter> const& waiter) {
    std::lock_guard lock(mutex_);
    waiters_.emplace(next_handle_, waiter);
    return next_handle_++;
}

void commit_signal::remove(std::uint64_t handle) {
    std::lock_guard lock(mutex_);
    waiters_.erase(handle);
}

void commit_signal::notify_all() {
    std::lock_guard lock(mutex_);
    for (auto const& [handle, weak] : waiters_) {
        if (auto waiter = weak.lock()) {
            auto executor = waiter->timer.get_executor();
            asio::post(executor, [waiter = std::move(waiter)] {
                waiter->notified = true;
                waiter->timer.cancel();
            });
        }
    }
}

std::uint64_t connection_registry::add(std::shared_ptr<connection> const& connection) {
    std::lock_guard lock(mutex_);
    connections_.emplace(next_handle_, connection);
    return next_handle_++;
}

void connection_registry::remove(std::uint64_t handle) {
    std::lock_guard lock(mutex_);
    connections_.erase(handle);
}

void connection_registry::close_idle() {
    std::lock_guard lock(mutex_);
    for (auto const& [handle, weak] : connections_) {
        if (auto connection = weak.lock()) {
            auto executor = connection->transport().get_executor();
            asio::post(executor, [connection = std::move(connection)] {
                if (connection->idle) connection->transport().cancel();
            });
        }
    }
}

bool client_counts::try_claim(asio::ip::address const& address, std::size_t cap) {
    std::lock_guard lock(mutex_);
    auto& count = counts_[address];
    if (cap != 0 && count >= cap) {
        if (count == 0) counts_.erase(address);
        return false;
    }
    ++count;
    return true;
}

void client_counts::release(asio::ip::address const& address) {
    std::lock_guard lock(mutex_);
    auto const found = counts_.find(address);
    if (found != counts_.end() && --found->second == 0) counts_.erase(found);
}

}  // namespace ledger::http::detail

namespace ledger::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void write_port_file(std::filesystem::path const& path, std::uint16_t port) {
    // Written to a temporary name and renamed, so a reader never sees a partial number.
    auto const temporary = std::filesystem::path(path.string() + ".tmp");
    std::ofstream(temporary) << port << '\n';
    std::filesystem::rename(temporary, path);
}

/// At most one log line a second for a repeated condition, with the count of lines it left out.
/// Used by one coroutine at a time (the accept loop).
class log_throttle {
public:
    /// Whether to log now; `suppressed` receives how many were left out since the last line.
    bool admit(std::uint64_t& suppressed) {
        auto const now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::seconds(1)) {
            ++suppressed_;
            return false;
        }
        last_ = now;
        suppressed = std::exchange(suppressed_, 0);
        return true;
    }

private:
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
};

/// Whether an accept failed for want of descriptors or memory: retrying at once would spin.
bool is_exhaustion(beast::error_code const& failure) {
    return failure == asio::error::no_descriptors || failure == boost::system::errc::too_many_files_open_in_system ||
           failure == asio::error::no_buffer_space || failure == asio::error::no_memory;
}

/// Whether a new connection from `remote` may be served: under --max-connections and under the
/// per-client cap (loopback exempt unless --cap-loopback-clients yes). Claims its client slot.
std::optional<detail::client_slot> admit(detail::server_context& context, tcp::endpoint const& remote,
                                         log_throttle& refusals) {
    std::uint64_t suppressed = 0;
    if (context.api.metrics.connections() >= static_cast<std::int64_t>(context.max_connections)) {
        if (refusals.admit(suppressed)) {
            spdlog::warn("connection limit {} reached; closing new connections ({} similar suppressed)",
                         context.max_connections, suppressed);
        }
        return std::nullopt;
    }
    auto const address = remote.address();
    if (address.is_loopback() && !context.options.cap_loopback_clients) return detail::client_slot{};
    if (!context.clients.try_claim(address, context.options.max_client_connections)) {
        if (refusals.admit(suppressed)) {
            spdlog::warn("client {} holds {} connections (--max-client-connections); closing its new ones "
                         "({} similar suppressed)", address.to_string(), context.options.max_client_connections,
                         suppressed);
        }
        return std::nullopt;
    }
    return detail::client_slot{context.clients, address};
}

/// Accepts connections until the acceptor closes. Out of descriptors it backs off (50 ms,
/// doubling to 500 ms) instead of spinning on a listening socket that stays readable, and logs
/// at most a line a second.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, detail::server_context& context) {
    auto& io = static_cast<asio::io_context&>(acceptor.get_executor().context());
    asio::steady_timer backoff_timer(acceptor.get_executor());
    auto backoff = std::chrono::milliseconds(0);
    log_throttle failures;
    log_throttle refusals;
    for (;;) {
        auto [failure, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
        if (failure == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (failure) {
            std::uint64_t suppressed = 0;
            if (failures.admit(suppressed)) {
                spdlog::warn("accept failed: {} ({} similar suppressed)", failure.message(), suppressed);
            }
            if (!is_exhaustion(failure)) continue;
            backoff = std::clamp(backoff * 2, std::chrono::milliseconds(50), std::chrono::milliseconds(500));
            backoff_timer.expires_after(backoff);
            co_await backoff_timer.async_wait(use_tuple);
            continue;
        }
        backoff = std::chrono::milliseconds(0);
        beast::error_code ignored;
        auto const remote = socket.remote_endpoint(ignored);
        if (ignored) continue;  // already gone
        auto slot = admit(context, remote, refusals);
        if (!slot) continue;  // the socket closes as it goes out of scope
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, detail::run_session(std::move(socket), context, std::move(*slot)), asio::detached);
    }
}

/// Stops accepting, ends subscriptions and idle connections, waits for in-flight requests (up
/// to `timeout`), then stops the I/O threads.
asio::awaitable<void> drain(tcp::acceptor& acceptor, detail::server_context& context,
                            std::chrono::steady_clock::duration timeout) {
    detail::notify_stopping();
    context.api.draining.store(true);
    beast::error_code ignored;
    acceptor.close(ignored);
    context.commits.notify_all();
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    asio::steady_timer poll(acceptor.get_executor());
    while (context.api.metrics.connections() > 0 && std::chrono::steady_clock::now() < deadline) {
        context.connections.close_idle();
        poll.expires_after(std::chrono::milliseconds(50));
        co_await poll.async_wait(use_tuple);
    }
    if (context.api.metrics.connections() > 0) spdlog::warn("drain timed out; closing remaining connections");
    static_cast<asio::io_context&>(acceptor.get_executor().context()).stop();
}

/// On SIGTERM/SIGINT: drain (see above).
asio::awaitable<void> drain_on_signal(asio::signal_set& signals, tcp::acceptor& acceptor,
                                      detail::server_context& context) {
    auto [failure, number] = co_await signals.async_wait(use_tuple);
    if (failure) co_return;
    spdlog::info("signal {} received: draining", number);
    co_await drain(acceptor, context, context.options.drain_timeout);
}

/// After a fatal storage failure (fail-stop): for options.failure_drain the server still
/// accepts, so /healthz and /readyz can tell a load balancer the cause (the API answers 503),
/// then it drains as briefly and stops; server_main exits 1 and systemd restarts it.
asio::awaitable<void> stop_after_failure(tcp::acceptor& acceptor, detail::server_context& context) {
    asio::steady_timer linger(acceptor.get_executor(), context.options.failure_drain);
    co_await linger.async_wait(use_tuple);
    co_await drain(acceptor, context, context.options.failure_drain);
}

/// Throws std::runtime_error naming `what` and OpenSSL's reason when `ok` is false.
void check_tls(bool ok, std::string const& what) {
    if (ok) return;
    auto const code = ERR_get_error();  // the first error: the cause, not its consequences
    ERR_clear_error();
    std::array<char, 256> full{};
    ERR_error_string_n(code, full.data(), full.size());
    // A short reason when OpenSSL has one (system errors have none), else the full error string.
    char const* const reason = ERR_reason_error_string(code);
    throw std::runtime_error("TLS: " + what + ": " + (reason ? reason : full.data()));
}

/// The server's TLS settings: TLS 1.2 or later, the server's choice of AEAD ciphers with forward
/// secrecy, no compression, and the PEM certificate chain and key (which must match).
/// Throws std::runtime_error with the reason when a file is unreadable or invalid.
std::optional<asio::ssl::context> tls_context(server_options const& options) {
    if (!options.tls_cert || !options.tls_key) return std::nullopt;
    std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_server);
    auto* const native = tls->native_handle();
    ERR_clear_error();
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    check_tls(SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) == 1, "setting TLS 1.2 as the minimum");
    // TLS 1.2 suites (Mozilla "intermediate"); TLS 1.3 keeps OpenSSL's defaults, all AEAD.
    check_tls(SSL_CTX_set_cipher_list(native, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") == 1,
              "setting the cipher list");
    auto const cert = options.tls_cert->string();
    auto const key = options.tls_key->string();
    check_tls(SSL_CTX_use_certificate_chain_file(native, cert.c_str()) == 1, "cannot load the certificate chain (PEM) from " + cert);
    check_tls(SSL_CTX_use_PrivateKey_file(native, key.c_str(), SSL_FILETYPE_PEM) == 1, "cannot load the private key (PEM) from " + key);
    check_tls(SSL_CTX_check_private_key(native) == 1, "the private key in " + key + " does not match the certificate in " + cert);
    return tls;
}

tcp::endpoint listen_endpoint(asio::io_context& io, server_options const& options) {
    tcp::resolver resolver(io);
    auto const results = resolver.resolve(options.host, std::to_string(options.port),
                                          tcp::resolver::numeric_service);
    return results.begin()->endpoint();
}

}  // namespace

void run_server(server_options const& options, api& api) {
    auto tls = tls_context(options);  // before listening: a bad certificate never serves
    detail::server_context context{api, options, tls ? &*tls : nullptr, {}, {}};
    context.max_connections = detail::fit_connections_to_descriptors(options.max_connections);
    asio::io_context io(static_cast<int>(options.threads));
    tcp::acceptor acceptor(io, listen_endpoint(io, options));
    // Declared after io: destroyed (its admitted work finished) before io and its sessions.
    detail::worker_pool workers(options.workers, options.worker_queue);
    context.workers = &workers;
    context.policy = detail::make_request_policy(options, acceptor.local_endpoint().address().to_string());
    asio::signal_set signals(io, SIGINT, SIGTERM);
    auto const observer = api.store.add_observer([&](std::span<recorded_event const> events) {
        api.metrics.record_commit(events.size());
        context.commits.notify_all();
    });

    auto const bound = acceptor.local_endpoint();
    spdlog::info("listening on {}:{} ({}) with {} threads ({})", bound.address().to_string(), bound.port(),
                 tls ? "HTTPS" : "HTTP", options.threads,
                 options.tokens ? "bearer tokens required" : "no tokens: loopback only");
    if (options.port_file) write_port_file(*options.port_file, bound.port());
    detail::notify_ready();
    auto const watchdog = detail::start_watchdog(io);

    api.store.set_failure_handler([&](std::string const& cause) {
        spdlog::critical("fatal storage failure ({}): answering 503 and stopping", cause);
        asio::co_spawn(io, stop_after_failure(acceptor, context), asio::detached);
    });
    asio::co_spawn(io, accept_loop(acceptor, context), asio::detached);
    asio::co_spawn(io, drain_on_signal(signals, acceptor, context), asio::detached);
    std::vector<std::jthread> threads;
    for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
    io.run();
    threads.clear();
    if (api.before_stop) api.before_stop();  // the writer still commits
    // Append callbacks post to the sessions' strands: stop the writer while the io_context and
    // the sessions it holds still exist (queued appends are refused, unwritten).
    bool const writer_stopped = api.store.stop_appends(
        std::chrono::duration_cast<std::chrono::milliseconds>(options.drain_timeout));
    api.store.set_failure_handler({});
    api.store.remove_observer(observer);
    if (!writer_stopped) {
        // A commit is stuck on the disk: its callback would outlive the sessions. Its outcome
        // is unknown either way; exiting now lets LMDB recover it on the next open.
        spdlog::critical("a commit did not finish within {} s of the drain; exiting without it",
                         options.drain_timeout.count());
        std::_Exit(1);
    }
    spdlog::info("stopped");
}

}  // namespace ledger::http
