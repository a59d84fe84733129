// bench-bare_server: the HTTP baseline of SPEC §9. A minimal Boost.Beast HTTP/1.1 keep-alive
// server, built the way recruit-ledgerd's sessions are (C++20 coroutines, one strand per
// connection, N threads on one io_context, a bounded request parser), that answers without any
// ledger work: every POST gets 201 with an append-sized JSON body, every GET a canned 200 JSON
// body. tools/bench/run-all.sh runs it beside recruit-ledgerd under the same wrk load, so the
// ledger's HTTP throughput is reported as a share of what Beast alone manages on this machine.
//
//   bench-bare_server [--listen PORT] [--threads N] [--port-file FILE]
//                     [--get-body PATH_PREFIX=FILE]...
//
// --get-body answers GETs whose target starts with PATH_PREFIX with FILE's bytes (run-all.sh
// saves recruit-ledgerd's real responses, so both servers send the same sizes); other GETs get
// a small JSON body. Runs until SIGINT/SIGTERM. Errors: exits 2 on a bad argument.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct settings {
    unsigned short port = 0;
    unsigned threads = 2;  // recruit-ledgerd's default
    std::string port_file;
    std::vector<std::pair<std::string, std::string>> get_bodies;  // target prefix → body
};

// The size of recruit-ledgerd's 201 to a single-event append.
constexpr std::string_view append_body =
    R"({"stream":"campaign-bench-17","first_version":1234,"last_version":1234,)"
    R"("first_position":123456,"last_position":123456})";
constexpr std::string_view default_get_body = R"({"status":"ok"})";

std::string_view body_for(settings const& s, bhttp::request<bhttp::string_body> const& request) {
    if (request.method() == bhttp::verb::post) return append_body;
    for (auto const& [prefix, body] : s.get_bodies) {
        if (request.target().starts_with(prefix)) return body;
    }
    return default_get_body;
}

bhttp::response<bhttp::string_body> answer(settings const& s,
                                           bhttp::request<bhttp::string_body> const& request) {
    auto const status = request.method() == bhttp::verb::post ? bhttp::status::created : bhttp::status::ok;
    bhttp::response<bhttp::string_body> out{status, request.version()};
    out.set(bhttp::field::server, "bench-bare_server");
    out.set(bhttp::field::content_type, "application/json");
    out.keep_alive(request.keep_alive());
    out.body() = std::string(body_for(s, request));
    out.prepare_payload();
    return out;
}

asio::awaitable<void> session(beast::tcp_stream stream, settings const& s) {
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(std::size_t{4} << 20);
        stream.expires_after(std::chrono::seconds(60));
        auto [read_failure, read_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
        if (read_failure) break;
        auto const response = answer(s, parser.get());
        auto [write_failure, written] = co_await bhttp::async_write(stream, response, use_tuple);
        if (write_failure || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::io_context& io, settings const& s) {
    for (;;) {
        auto [failure, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
        if (failure == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (failure) continue;
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket)), s), asio::detached);
    }
}

std::string read_file(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        std::string const value = argv[i + 1];
        if (flag == "--listen") s.port = static_cast<unsigned short>(std::stoul(value));
        else if (flag == "--threads") s.threads = static_cast<unsigned>(std::stoul(value));
        else if (flag == "--port-file") s.port_file = value;
        else if (flag == "--get-body" && value.find('=') != std::string::npos) {
            auto const equals = value.find('=');
            s.get_bodies.emplace_back(value.substr(0, equals), read_file(value.substr(equals + 1)));
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    if ((argc - 1) % 2 != 0 || s.threads == 0) throw std::invalid_argument("options take one value each");
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    try {
        s = parse(argc, argv);
    } catch (std::exception const& failure) {
        std::fprintf(stderr, "bench-bare_server: %s\n", failure.what());
        return 2;
    }
    asio::io_context io(static_cast<int>(s.threads));
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port));
    if (!s.port_file.empty()) {
        // Written then renamed, so a reader never sees a partial number.
        std::ofstream(s.port_file + ".tmp") << acceptor.local_endpoint().port() << '\n';
        std::rename((s.port_file + ".tmp").c_str(), s.port_file.c_str());
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](auto const&, int) { io.stop(); });
    asio::co_spawn(io, accept_loop(acceptor, io, s), asio::detached);
    std::vector<std::jthread> threads;
    for (unsigned i = 1; i < s.threads; ++i) threads.emplace_back([&io] { io.run(); });
    io.run();
    return 0;
}
