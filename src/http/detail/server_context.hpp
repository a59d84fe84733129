#pragma once
// What the server (server.cpp) shares with its sessions (session.cpp). Includes Asio, Beast and
// Asio SSL: only those two files include this header.

#include "detail/request_policy.hpp"
#include "detail/worker_pool.hpp"
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
#include <utility>

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

/// Open connections per remote address, for the per-client cap (--max-client-connections).
/// Threading: any thread.
class client_counts {
public:
    /// Claims a connection for `address`; false when it already holds `cap` (0: no cap).
    bool try_claim(asio::ip::address const& address, std::size_t cap);
    void release(asio::ip::address const& address);

private:
    std::mutex mutex_;
    std::map<asio::ip::address, std::size_t> counts_;
};

/// One claimed place in client_counts, released when the session that holds it ends.
class client_slot {
public:
    client_slot() = default;
    client_slot(client_counts& counts, asio::ip::address address) : counts_(&counts), address_(address) {}
    client_slot(client_slot&& other) noexcept : counts_(std::exchange(other.counts_, nullptr)), address_(other.address_) {}
    client_slot& operator=(client_slot&&) = delete;
    ~client_slot() {
        if (counts_ != nullptr) counts_->release(address_);
    }

private:
    client_counts* counts_ = nullptr;
    asio::ip::address address_;
};

struct server_context {
    http::api& api;
    server_options const& options;
    asio::ssl::context* tls;  // null: plain HTTP; else every connection is TLS
    commit_signal commits;
    connection_registry connections;
    request_policy policy{};           // Host and Origin rules (set before accepting)
    worker_pool* workers = nullptr;    // slow reads run here (set before accepting)
    std::size_t max_connections = 0;   // options.max_connections, fitted to the descriptor limit
    client_counts clients{};
};

/// route(), with infrastructure failures logged (with the request id) and answered as 500.
/// Never blocks (deferred_work.cpp).
response answer(request const& http, api& api);

/// `routed` with the work route() left pending besides an append carried out
/// (deferred_work.cpp): response::offload run on context.workers (503 unavailable with
/// Retry-After at once when they are saturated), response::wait awaited on a timer woken by
/// commits; anything else is returned as it is (an append goes to await_append). Runs on the
/// session's strand and never blocks it; never throws (failures are logged and answered as 500).
asio::awaitable<response> complete(response routed, server_context& context, std::string const& request_id);

/// A routed append (deferred_work.cpp): submits `routed.append` to the
/// group-commit writer and completes with the answer (finish_append's, with routed's route)
/// on the caller's strand. `routed` and `request_id` must live until it completes. Allocates
/// no coroutine frame of its own (the session awaits it once per append); never throws.
asio::awaitable<response> await_append(response& routed, server_context& context, std::string const& request_id);

/// Serves one accepted connection (after a TLS handshake when context.tls is set) until the
/// client closes it, a timeout, an error or a drain; `slot` is its place under the per-client
/// cap. Runs on the socket's strand; never throws (failures are logged).
asio::awaitable<void> run_session(asio::ip::tcp::socket socket, server_context& context, client_slot slot);

}  // namespace ledger::http::detail
