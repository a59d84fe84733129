// One HTTP connection, plain or TLS: read a request (bounded in size and time), let http::handle
// answer it, write the answer; or, for GET /v1/subscribe, stream Server-Sent Events. No API logic
// here. The session is a template over the stream, instantiated for beast::tcp_stream and
// beast::ssl_stream<beast::tcp_stream>; only the handshake and the goodbye differ.

#include "detail/log_format.hpp"
#include "detail/response_head.hpp"
#include "detail/responses.hpp"
#include "detail/server_context.hpp"

#include "ledger/app/envelope_json.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/json_text.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <random>
#include <string_view>

namespace ledger::http::detail {
namespace {

namespace bhttp = beast::http;
using beast_request = bhttp::request<bhttp::string_body>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// SSE pages: events read and written per round, so a slow client holds at most one page.
constexpr std::size_t sse_page_events = 64;
/// Bodies larger than this are read in pieces of this size (see read_request).
constexpr std::size_t large_body = std::size_t{64} << 10;
/// How long a closing TLS connection waits for the client's close_notify.
constexpr auto tls_shutdown_timeout = std::chrono::seconds(2);

/// A connection over `Stream`, which the session reads and writes; the registry sees only the
/// TCP layer.
template <class Stream>
class stream_connection final : public connection {
public:
    template <class... Args>
    explicit stream_connection(Args&&... args) : stream(std::forward<Args>(args)...) {}
    beast::tcp_stream& transport() override { return beast::get_lowest_layer(stream); }
    Stream stream;
};
using plain_connection = stream_connection<beast::tcp_stream>;
using tls_connection = stream_connection<beast::ssl_stream<beast::tcp_stream>>;

std::atomic<std::uint64_t> next_request_number{0};

/// A new request id: `req-` ‖ 8 hex digits drawn once per process ‖ `-` ‖ a counter, so ids
/// stay distinct across restarts in one journal.
std::string new_request_id() {
    // The prefix is formatted once: per request only the counter's digits (fmt::format per
    // request was a measurable part of an append's I/O-side CPU).
    static std::string const prefix = fmt::format("req-{:08x}-", std::uint32_t{std::random_device{}()});
    std::array<char, 20> digits{};  // 2^64 has 20 decimal digits
    auto const number = next_request_number.fetch_add(1, std::memory_order_relaxed);
    auto const end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
    std::string out;
    out.reserve(prefix.size() + static_cast<std::size_t>(end - digits.data()));
    out += prefix;
    out.append(digits.data(), end);
    return out;
}

/// The client's X-Request-Id when it is sane (1 to 64 characters of A-Z a-z 0-9 and
/// `-_.:/+=@`: safe in a header, a log line and JSON), else a new one.
std::string request_id_for(beast_request const& message) {
    auto const header = message.find("X-Request-Id");
    if (header != message.end()) {
        auto const value = header->value();
        bool sane = !value.empty() && value.size() <= 64;
        for (char const c : value) {
            sane = sane && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            std::string_view("-_.:/+=@").find(c) != std::string_view::npos);
        }
        if (sane) return std::string(value);
    }
    return new_request_id();
}

request to_request(beast_request&& message, std::string request_id) {
    request out;
    out.method = std::string(message.method_string());
    out.target = std::string(message.target());
    out.content_type = std::string(message[bhttp::field::content_type]);
    out.accept = std::string(message[bhttp::field::accept]);
    out.last_event_id = std::string(message["Last-Event-ID"]);
    out.authorization = std::string(message[bhttp::field::authorization]);
    out.if_none_match = std::string(message[bhttp::field::if_none_match]);
    out.origin = std::string(message[bhttp::field::origin]);
    out.content_length = message.body().size();
    out.body = std::move(message.body());
    out.request_id = std::move(request_id);
    return out;
}

bhttp::response<bhttp::string_body> to_beast(response&& answer, unsigned version, bool keep_alive,
                                             std::string const& request_id) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(answer.status), version};
    out.set(bhttp::field::server, "recruit-ledgerd");
    if (!answer.content_type.empty()) out.set(bhttp::field::content_type, answer.content_type);
    out.set("X-Request-Id", request_id);
    for (auto const& [name, value] : answer.headers) out.set(name, value);
    out.keep_alive(keep_alive);
    out.body() = std::move(answer.body);
    out.prepare_payload();
    return out;
}

/// At debug level: an info line per request would be megabytes a second of log at the rates
/// SPEC §9 asks for (docs/performance.md).
void log_access(request const& http, unsigned status, std::chrono::steady_clock::time_point started) {
    if (!spdlog::should_log(spdlog::level::debug)) return;  // the common case: no clock, no scope
    request_id_scope const scope(http.request_id);
    std::chrono::duration<double, std::milli> const took = std::chrono::steady_clock::now() - started;
    auto const path = std::string_view(http.target).substr(0, http.target.find('?'));
    spdlog::debug("access method={} path={} status={} duration_ms={:.3f} request_id={}", http.method,
                  path, status, took.count(), http.request_id);
}

/// One SSE message per event (id = position, event = type, data = the envelope), ending after
/// the message that passes `bytes`. Returns the text and how many events it holds.
std::pair<std::string, std::size_t> sse_page(std::vector<recorded_event> const& events, std::size_t bytes) {
    std::string out;
    std::size_t written = 0;
    for (; written < events.size() && (written == 0 || out.size() < bytes); ++written) {
        auto const& event = events[written];
        out += fmt::format("id: {}\nevent: {}\ndata: {}\n\n", event.position, event.type,
                           to_json_text(app::envelope_to_json(event)));
    }
    return {std::move(out), written};
}

/// A subscriber's place in the commit signal and the metrics, for the subscription's lifetime
/// (also when a read throws).
class subscriber_registration {
public:
    subscriber_registration(server_context& context, std::shared_ptr<commit_signal::waiter> const& waiter)
        : context_(context), handle_(context.commits.add(waiter)) {
        context_.api.metrics.subscriber_opened();
    }
    ~subscriber_registration() {
        context_.api.metrics.subscriber_closed();
        context_.commits.remove(handle_);
    }
    subscriber_registration(subscriber_registration const&) = delete;
    subscriber_registration& operator=(subscriber_registration const&) = delete;

private:
    server_context& context_;
    std::uint64_t handle_;
};

/// Streams events from `from`, then live ones, until the client goes or the server drains.
/// Each round reads one bounded page in a short read transaction and awaits its write before
/// reading more, so a slow client costs one page of memory and then times out.
template <class Stream>
asio::awaitable<void> stream_events(stream_connection<Stream>& conn, server_context& context,
                                    std::uint64_t from, app::personal_fields shown) {
    auto const waiter = std::make_shared<commit_signal::waiter>(conn.transport().get_executor());
    subscriber_registration const registration(context, waiter);
    for (;;) {
        waiter->notified = false;
        auto const events = context.api.store.read_log({from, sse_page_events, {}, {}});
        std::string text;
        if (!events.empty()) {
            // Cut by bytes as well as by count: the next round starts after the last one sent.
            auto [page, sent] = sse_page(app::reveal_personal_data(context.api.store, events, shown),
                                         context.api.page_bytes);
            from = events[sent - 1].position + 1;
            text = std::move(page);
        } else if (context.api.draining.load()) {
            break;
        } else {
            waiter->timer.expires_after(context.options.heartbeat);
            if (!waiter->notified) {
                co_await waiter->timer.async_wait(use_tuple);
            }
            if (waiter->notified) continue;  // news (or a drain): read again at once
            text = ": heartbeat\n\n";
        }
        conn.transport().expires_after(context.options.request_timeout);
        auto [failure, written] = co_await asio::async_write(conn.stream, asio::buffer(text), use_tuple);
        if (failure) break;
    }
}

template <class Stream>
asio::awaitable<void> serve_subscription(stream_connection<Stream>& conn, server_context& context,
                                         unsigned version, response&& answer,
                                         std::string const& request_id) {
    auto const from = answer.subscribe->from_position;
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(answer.status), version};
    head.set(bhttp::field::server, "recruit-ledgerd");
    head.set(bhttp::field::content_type, answer.content_type);
    head.set(bhttp::field::cache_control, "no-cache");
    head.set("X-Request-Id", request_id);
    head.keep_alive(false);  // the event stream ends with the connection
    conn.transport().expires_after(context.options.request_timeout);
    auto [failure, written] = co_await bhttp::async_write(conn.stream, head, use_tuple);
    auto const shown = answer.subscribe->personal_data ? app::personal_fields::revealed
                                                       : app::personal_fields::redacted;
    if (!failure) co_await stream_events(conn, context, from, shown);
}

/// After refusing a request whose rest is still arriving: stop sending, then read and discard
/// briefly (at most 1 MiB, 1 s) so that closing with unread data does not reset the connection
/// before the client has read the answer.
template <class Stream>
asio::awaitable<void> linger(stream_connection<Stream>& conn) {
    beast::error_code ignored;
    conn.transport().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    conn.transport().expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> sink{};
    for (std::size_t discarded = 0; discarded < (std::size_t{1} << 20);) {
        // Below any TLS: the bytes are discarded unread either way.
        auto [failure, bytes] = co_await conn.transport().async_read_some(asio::buffer(sink), use_tuple);
        if (failure) break;
        discarded += bytes;
    }
}

/// Answers a request the session refuses before the handler sees it (too large, malformed, a
/// foreign Host or Origin, no token for a body), then the connection closes.
template <class Stream>
asio::awaitable<void> refuse(stream_connection<Stream>& conn, server_context& context, response answer,
                             std::string request_id) {
    context.api.metrics.record_request("unmatched", answer.status);
    attach_request_id(answer, request_id);
    {
        request_id_scope const scope(request_id);
        spdlog::info("access refused status={} request_id={}", answer.status, request_id);
    }
    auto out = to_beast(std::move(answer), 11, false, request_id);
    conn.transport().expires_after(context.options.request_timeout);
    co_await bhttp::async_write(conn.stream, out, use_tuple);
    co_await linger(conn);
}

template <class Stream>
asio::awaitable<void> refuse(stream_connection<Stream>& conn, server_context& context, error_code code,
                             std::string message) {
    // A named value, not a temporary in the co_await expression: GCC 12 destroys such
    // temporaries twice.
    auto answer = error_reply(error{code, std::move(message), {}});
    auto request_id = new_request_id();
    co_await refuse(conn, context, std::move(answer), std::move(request_id));
}

/// Whether a request whose headers `parser` holds announces a body.
bool has_body(bhttp::request_parser<bhttp::string_body> const& parser) {
    return parser.chunked() || parser.content_length().value_or(0) > 0;
}

/// The refusal of a request by its headers alone (SPEC §6 serving rules), or nullopt: a Host
/// the server does not serve, a state change from a foreign Origin, or, with tokens, a body
/// sent without a valid token (refused before a byte of it is read).
std::optional<response> refusal_by_headers(bhttp::request_parser<bhttp::string_body> const& parser,
                                           server_context const& context) {
    auto const& head = parser.get();
    auto const host = head[bhttp::field::host];
    if (auto refused = check_host(context.policy, host, head.version())) return error_reply(*refused);
    if (auto refused = check_origin(context.policy, head.method_string(), head[bhttp::field::origin], host)) {
        return error_reply(*refused);
    }
    auto const& authenticator = context.api.authenticator;
    if (authenticator.requires_tokens() && has_body(parser)) {
        auto const caller = authenticator.authenticate(head[bhttp::field::authorization]);
        if (!caller) {
            auto out = error_reply(caller.error());
            out.headers.emplace_back("WWW-Authenticate", "Bearer");
            return out;
        }
    }
    return std::nullopt;
}

/// Whether a read failed on a malformed message (rather than a closed or timed-out connection).
bool is_malformed(beast::error_code const& failure) {
    auto const& http_category = bhttp::make_error_code(bhttp::error::bad_target).category();
    return failure.category() == http_category && failure != bhttp::error::end_of_stream &&
           failure != bhttp::error::partial_message;
}

/// How far a request could be read without awaiting anything beyond its header.
enum class read_state { whole, more, closed };

/// After a header read without failure: `whole` when nothing more is to be awaited — no 100
/// Continue to send, the body (if any) already in `buffer` (then parsed from it: a small body
/// arrives with its header, so one asynchronous operation per request, as for the bare
/// server) and the headers not refused; `more` when read_rest must take over, from the
/// refusal by headers on (a refusal is found again there). `closed` when parsing the body
/// failed: the header read already refused a declared length over the limit, so this is a
/// broken message, which read_rest would close the connection on as well.
read_state read_from_buffer(bhttp::request_parser<bhttp::string_body>& parser, beast::flat_buffer& buffer,
                            server_context const& context) {
    if (parser.get()[bhttp::field::expect] == "100-continue") return read_state::more;
    if (!parser.is_done() && parser.content_length().value_or(UINT64_MAX) > buffer.size()) return read_state::more;
    if (refusal_by_headers(parser, context)) return read_state::more;
    if (parser.is_done()) return read_state::whole;
    beast::error_code failure;
    buffer.consume(parser.put(buffer.data(), failure));
    if (failure || !parser.is_done()) return read_state::closed;
    return read_state::whole;
}

/// The rest of reading a request after its header read (which ended with `header_failure`)
/// when read_from_buffer could not finish it: a failed header answered, a refusal by headers
/// answered, 100 Continue sent, then the body read within the parser's limit. Returns whether
/// the request is whole; if not, the connection should close.
template <class Stream>
asio::awaitable<bool> read_rest(stream_connection<Stream>& conn, server_context& context, beast::flat_buffer& buffer,
                                bhttp::request_parser<bhttp::string_body>& parser, beast::error_code header_failure) {
    // Beast checks a declared Content-Length against body_limit while parsing the header, so
    // an oversized body is refused here, unread.
    if (header_failure == bhttp::error::body_limit) {
        co_await refuse(conn, context, error_code::payload_too_large, "the body exceeds the server's limit");
    } else if (header_failure == bhttp::error::header_limit) {
        co_await refuse(conn, context, error_code::bad_request, "the request headers are too large");
    } else if (is_malformed(header_failure)) {
        co_await refuse(conn, context, error_code::bad_request, "the request is not valid HTTP/1.1");
    }
    if (header_failure) co_return false;
    if (auto refused = refusal_by_headers(parser, context)) {
        auto request_id = request_id_for(parser.get());  // named: see refuse
        co_await refuse(conn, context, std::move(*refused), std::move(request_id));
        co_return false;
    }
    if (parser.get()[bhttp::field::expect] == "100-continue") {
        bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, parser.get().version()};
        co_await bhttp::async_write(conn.stream, proceed, use_tuple);
    }
    beast::error_code body_failure;
    if (!parser.is_done() && parser.content_length().value_or(UINT64_MAX) <= buffer.size()) {
        buffer.consume(parser.put(buffer.data(), body_failure));
    }
    if (!body_failure && !parser.is_done()) {
        // Beast reads at most the buffer's free capacity at a time (at least 512 bytes): a body
        // of 200 KB would take hundreds of reads (each an operation with its timer). Room for
        // reads of up to 64 KiB; serve_connection gives it back after the request.
        if (parser.content_length().value_or(0) > large_body) buffer.reserve(buffer.size() + large_body);
        conn.transport().expires_after(context.options.request_timeout);
        auto [failure, bytes] = co_await bhttp::async_read(conn.stream, buffer, parser, use_tuple);
        body_failure = failure;
    }
    if (body_failure == bhttp::error::body_limit) {
        co_await refuse(conn, context, error_code::payload_too_large, "the body exceeds the server's limit");
    }
    co_return !body_failure;
}

/// An allowed cross-origin caller (--allow-origin) may read the answer; nobody else gets CORS
/// headers, so browsers keep other pages from reading it.
void add_cors_headers(response& reply, request const& http, request_policy const& policy) {
    if (http.origin.empty() || !is_cors_origin(policy, http.origin)) return;
    reply.headers.emplace_back("Access-Control-Allow-Origin", http.origin);
    reply.headers.emplace_back("Access-Control-Expose-Headers", "X-Request-Id");  // for error reports
    reply.headers.emplace_back("Vary", "Origin");
}

/// The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method) from an
/// --allow-origin origin, or nullopt: anyone else's OPTIONS goes to the router (405).
std::optional<response> preflight(request const& http, request_policy const& policy) {
    if (http.method != "OPTIONS" || http.origin.empty() || !is_cors_origin(policy, http.origin)) return std::nullopt;
    response out;  // no body, so no content type
    out.status = 204;
    out.route = "preflight";
    out.headers = {{"Access-Control-Allow-Methods", "GET, HEAD, POST"},
                   {"Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID, X-Request-Id"},
                   {"Access-Control-Max-Age", "600"}};
    return out;
}

/// The answer to `http` as the router gives it; a CORS preflight is answered first.
response routed_answer(request const& http, server_context& context) {
    auto preflight_answer = preflight(http, context.policy);
    return preflight_answer ? std::move(*preflight_answer) : answer(http, context.api);
}

/// What every answer gets once its work is done: the request id, CORS headers, its count in
/// the metrics and the access log line.
void finish_reply(response& reply, request const& http, server_context& context,
                  std::chrono::steady_clock::time_point started) {
    attach_request_id(reply, http.request_id);
    add_cors_headers(reply, http, context.policy);
    context.api.metrics.record_request(reply.route, reply.status);
    log_access(http, reply.status, started);
}

/// Writes a chunked message (none is made here today) through Beast's serializer; returns
/// whether it was written.
template <class Stream>
asio::awaitable<bool> write_through_beast(stream_connection<Stream>& conn,
                                          bhttp::response<bhttp::string_body> const& message) {
    auto [failure, written] = co_await bhttp::async_write(conn.stream, message, use_tuple);
    // Beast reports end_of_stream after a message that closes the connection.
    co_return !failure || failure == bhttp::error::end_of_stream;
}

/// Plain connections have nothing to negotiate.
asio::awaitable<bool> handshake(plain_connection&, server_context&) {
    co_return true;
}

/// The TLS handshake, bounded like reading a request. A client that fails it (plain HTTP on the
/// TLS port, an old protocol, a scanner) is no server problem: logged at debug, then closed.
asio::awaitable<bool> handshake(tls_connection& conn, server_context& context) {
    conn.transport().expires_after(context.options.request_timeout);
    auto [failure] = co_await conn.stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (failure) spdlog::debug("TLS handshake failed: {}", failure.message());
    co_return !failure;
}

/// Ends the sending side, so the client reads everything before the connection closes.
asio::awaitable<void> say_goodbye(plain_connection& conn) {
    beast::error_code ignored;
    conn.transport().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    co_return;
}

/// Sends close_notify and waits briefly for the client's (so neither side mistakes the end for
/// a truncation), then ends the TCP sending side. Fails fast when the client is already gone.
asio::awaitable<void> say_goodbye(tls_connection& conn) {
    conn.transport().expires_after(tls_shutdown_timeout);
    co_await conn.stream.async_shutdown(use_tuple);
    beast::error_code ignored;
    conn.transport().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

/// A connection's place in the registry (so a drain can close it while idle), for the
/// connection's lifetime (also when serving throws).
class connection_registration {
public:
    connection_registration(server_context& context, std::shared_ptr<connection> const& conn)
        : context_(context), handle_(context.connections.add(conn)) {}
    ~connection_registration() { context_.connections.remove(handle_); }
    connection_registration(connection_registration const&) = delete;
    connection_registration& operator=(connection_registration const&) = delete;

private:
    server_context& context_;
    std::uint64_t handle_;
};

/// Reads requests, answers them and writes the answers until the connection closes.
///
/// Every step of a request is awaited here, in the connection's one coroutine, with the
/// request's state (parser, request, answer) in its frame, which is allocated once per
/// connection: a coroutine per step (reading, serving, completing an append, writing) allocated
/// a frame per request, each over the 1,020 bytes Asio's per-thread cache of frames recycles,
/// so through aligned_alloc and free every time (docs/performance.md, issue 18, http-alloc).
/// The rare paths (a refusal, 100 Continue, a body still to read, slow reads, a subscription)
/// keep coroutines of their own. A response is written as one rendered head and its body in
/// one gathered write, the bytes bhttp::async_write would send (detail/response_head.hpp).
template <class Stream>
asio::awaitable<void> serve_connection(std::shared_ptr<stream_connection<Stream>> conn,
                                       server_context& context) {
    connection_registration const registration(context, conn);
    if (!co_await handshake(*conn, context)) co_return;
    beast::flat_buffer buffer;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    while (!context.api.draining.load()) {
        parser.emplace().header_limit(context.options.header_limit);
        parser->body_limit(context.options.body_limit);
        conn->idle = true;
        conn->transport().expires_after(context.options.idle_timeout);
        auto [header_failure, header_bytes] = co_await bhttp::async_read_header(conn->stream, buffer, *parser, use_tuple);
        conn->idle = false;
        auto const state = header_failure ? read_state::more : read_from_buffer(*parser, buffer, context);
        if (state == read_state::closed) break;
        if (state == read_state::more && !co_await read_rest(*conn, context, buffer, *parser, header_failure)) break;

        auto const started = std::chrono::steady_clock::now();
        auto const version = parser->get().version();
        bool const client_keeps_alive = parser->get().keep_alive();
        auto request_id = request_id_for(parser->get());
        auto const http = to_request(parser->release(), std::move(request_id));
        auto routed = routed_answer(http, context);
        response reply;
        if (routed.append) {
            reply = co_await await_append(routed, context, http.request_id);
        } else if (routed.offload || routed.wait) {
            reply = co_await complete(std::move(routed), context, http.request_id);
        } else {
            reply = std::move(routed);
        }
        finish_reply(reply, http, context, started);
        if (reply.subscribe) {
            co_await serve_subscription(*conn, context, version, std::move(reply), http.request_id);
            break;
        }
        bool const keep_alive = reply.keep_alive && client_keeps_alive && !context.api.draining.load();
        auto const out = to_beast(std::move(reply), version, keep_alive, http.request_id);
        conn->transport().expires_after(context.options.request_timeout);
        if (out.chunked()) {
            if (!co_await write_through_beast(*conn, out)) break;
        } else {
            auto const head = response_head(out);
            std::array<asio::const_buffer, 2> const buffers{asio::buffer(head), asio::buffer(out.body())};
            auto [failure, written] = co_await asio::async_write(conn->stream, buffers, use_tuple);
            if (failure) break;
        }
        if (!keep_alive) break;
        // An idle connection keeps a small buffer, not the room a large body needed.
        if (buffer.capacity() > large_body && buffer.size() == 0) buffer.shrink_to_fit();
    }
    co_await say_goodbye(*conn);
}

}  // namespace

asio::awaitable<void> run_session(asio::ip::tcp::socket socket, server_context& context, client_slot slot) {
    client_slot const held = std::move(slot);  // released when the session ends
    context.api.metrics.connection_opened();
    try {
        beast::tcp_stream transport(std::move(socket));
        if (context.tls) {
            co_await serve_connection(std::make_shared<tls_connection>(std::move(transport), *context.tls), context);
        } else {
            co_await serve_connection(std::make_shared<plain_connection>(std::move(transport)), context);
        }
    } catch (std::exception const& failure) {
        spdlog::error("connection failed: {}", failure.what());
    }
    context.api.metrics.connection_closed();
}

}  // namespace ledger::http::detail
