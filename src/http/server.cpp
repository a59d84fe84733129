// The listening side of recruit-ledgerd: accept loop, connection bounds, signals and drain.

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

#include <array>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>
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

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, detail::server_context& context) {
    auto& io = static_cast<asio::io_context&>(acceptor.get_executor().context());
    for (;;) {
        auto [failure, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
        if (failure == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (failure) {
            spdlog::warn("accept failed: {}", failure.message());
            continue;
        }
        if (context.api.metrics.connections() >= static_cast<std::int64_t>(context.options.max_connections)) {
            spdlog::warn("connection limit {} reached; closing a new connection",
                         context.options.max_connections);
            continue;  // the socket closes as it goes out of scope
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, detail::run_session(std::move(socket), context), asio::detached);
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
    asio::io_context io(static_cast<int>(options.threads));
    tcp::acceptor acceptor(io, listen_endpoint(io, options));
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
