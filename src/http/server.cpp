// The listening side of recruit-ledgerd: accept loop, connection bounds, signals and drain.

#include "detail/server_context.hpp"

#include "ledger/store/event_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <fstream>
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
            auto executor = connection->stream.get_executor();
            asio::post(executor, [connection = std::move(connection)] {
                if (connection->idle) connection->stream.cancel();
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
        auto connection = std::make_shared<detail::connection>(std::move(socket));
        auto executor = connection->stream.get_executor();
        asio::co_spawn(executor, detail::run_session(std::move(connection), context), asio::detached);
    }
}

/// On SIGTERM/SIGINT: stop accepting, end subscriptions and idle connections, wait for
/// in-flight requests (bounded), then stop the I/O threads.
asio::awaitable<void> drain_on_signal(asio::signal_set& signals, tcp::acceptor& acceptor,
                                      detail::server_context& context) {
    auto [failure, number] = co_await signals.async_wait(use_tuple);
    if (failure) co_return;
    spdlog::info("signal {} received: draining", number);
    context.api.draining.store(true);
    beast::error_code ignored;
    acceptor.close(ignored);
    context.commits.notify_all();
    auto const deadline = std::chrono::steady_clock::now() + context.options.drain_timeout;
    asio::steady_timer poll(acceptor.get_executor());
    while (context.api.metrics.connections() > 0 && std::chrono::steady_clock::now() < deadline) {
        context.connections.close_idle();
        poll.expires_after(std::chrono::milliseconds(50));
        co_await poll.async_wait(use_tuple);
    }
    if (context.api.metrics.connections() > 0) spdlog::warn("drain timed out; closing remaining connections");
    static_cast<asio::io_context&>(acceptor.get_executor().context()).stop();
}

tcp::endpoint listen_endpoint(asio::io_context& io, server_options const& options) {
    tcp::resolver resolver(io);
    auto const results = resolver.resolve(options.host, std::to_string(options.port),
                                          tcp::resolver::numeric_service);
    return results.begin()->endpoint();
}

}  // namespace

void run_server(server_options const& options, api& api) {
    detail::server_context context{api, options, {}, {}};
    asio::io_context io(static_cast<int>(options.threads));
    tcp::acceptor acceptor(io, listen_endpoint(io, options));
    asio::signal_set signals(io, SIGINT, SIGTERM);
    auto const observer = api.store.add_observer([&](std::span<recorded_event const> events) {
        api.metrics.record_commit(events.size());
        context.commits.notify_all();
    });

    auto const bound = acceptor.local_endpoint();
    spdlog::info("listening on {}:{} with {} threads ({})", bound.address().to_string(), bound.port(),
                 options.threads, options.tokens ? "bearer tokens required" : "no tokens: loopback only");
    if (options.port_file) write_port_file(*options.port_file, bound.port());

    asio::co_spawn(io, accept_loop(acceptor, context), asio::detached);
    asio::co_spawn(io, drain_on_signal(signals, acceptor, context), asio::detached);
    std::vector<std::jthread> threads;
    for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
    io.run();
    threads.clear();
    api.store.remove_observer(observer);
    spdlog::info("stopped");
}

}  // namespace ledger::http
