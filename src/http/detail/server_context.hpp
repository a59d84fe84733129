#pragma once
// What the server (server.cpp) shares with its sessions (session.cpp). Includes Asio, Beast and
// Asio SSL: only those two files include this header.

#include "ledger/http/server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace ledger::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

/// Wakes waiting SSE subscriptions when the store commits or the server drains.
/// Threading: add/remove/notify_all from any thread; a waiter's fields are touched only on its
/// timer's executor (the session's strand), where notify_all posts.
class commit_signal {
public:
    struct waiter {
        explicit waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
        asio::steady_timer timer;
        bool notified = false;  // set when news arrived since the session last cleared it
    };

    std::uint64_t add(std::shared_ptr<waiter> const& waiter);
    void remove(std::uint64_t handle);
    /// Safe on the store's writer thread: only posts.
    void notify_all();

private:
    std::mutex mutex_;
    std::uint64_t next_handle_ = 0;
    std::map<std::uint64_t, std::weak_ptr<waiter>> waiters_;
};

/// One accepted connection, plain or TLS (session.cpp holds the stream itself). Touched only on
/// the connection's strand.
class connection {
public:
    virtual ~connection() = default;
    /// The TCP layer under any TLS: timeouts, cancellation, shutdown.
    virtual beast::tcp_stream& transport() = 0;
    bool idle = true;  // waiting for the next request: safe to close when draining
};

/// Open connections, so that a drain can close the idle ones at once.
class connection_registry {
public:
    std::uint64_t add(std::shared_ptr<connection> const& connection);
    void remove(std::uint64_t handle);
    /// Posts to each connection's strand: close it if it waits for a request.
    void close_idle();

private:
    std::mutex mutex_;
    std::uint64_t next_handle_ = 0;
    std::map<std::uint64_t, std::weak_ptr<connection>> connections_;
};

struct server_context {
    http::api& api;
    server_options const& options;
    asio::ssl::context* tls;  // null: plain HTTP; else every connection is TLS
    commit_signal commits;
    connection_registry connections;
};

/// Serves one accepted connection (after a TLS handshake when context.tls is set) until the
/// client closes it, a timeout, an error or a drain. Runs on the socket's strand; never throws
/// (failures are logged).
asio::awaitable<void> run_session(asio::ip::tcp::socket socket, server_context& context);

}  // namespace ledger::http::detail
