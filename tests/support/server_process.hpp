#pragma once
// The real recruit-ledgerd in a child process on an ephemeral loopback port, and a small
// blocking HTTP client with socket timeouts, for end-to-end tests. Every wait is bounded.

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>


namespace ledger::testing {

/// Runs recruit-ledgerd with `arguments`; returns its pid (or -1).
inline pid_t spawn_server(std::vector<std::string> const& arguments) {
    return spawn_program(RECRUIT_LEDGERD, arguments);
}

class server_process {
public:
    server_process() {
        auto const port_file = directory_ / "port";
        pid_ = spawn_server({"--data", (directory_ / "data").string(), "--listen", "127.0.0.1:0",
                             "--port-file", port_file.string(), "--log-level", "warn"});
        REQUIRE(pid_ > 0);
        port_ = wait_for_port_file(port_file);
        REQUIRE(port_ != 0);
    }
    ~server_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    server_process(server_process const&) = delete;
    server_process& operator=(server_process const&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    /// Sends `signal` and returns the exit status (nullopt: no clean exit within 15 s).
    std::optional<int> stop(int signal = SIGTERM) {
        ::kill(pid_, signal);
        auto const status = wait_for_exit(pid_, std::chrono::seconds(15));
        if (status) pid_ = -1;
        return status;
    }

private:
    temp_dir directory_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

/// A client connection whose every read and write gives up after five seconds. Operations
/// are asynchronous on a private io_context so that beast::tcp_stream's timeouts apply.
class test_connection {
public:
    explicit test_connection(std::uint16_t port) {
        stream_.connect(boost::asio::ip::tcp::endpoint{boost::asio::ip::address_v4::loopback(), port});
    }

    boost::beast::http::response<boost::beast::http::string_body> call(
        boost::beast::http::request<boost::beast::http::string_body> request) {
        namespace http = boost::beast::http;
        request.set(http::field::host, "127.0.0.1");
        request.prepare_payload();
        write(request);
        http::response<http::string_body> response;
        run([&](auto done) { http::async_read(stream_, buffer_, response, done); });
        return response;
    }

    /// Writes a whole message, or only its header when `header_only`.
    template <class Message>
    void write(Message& message, bool header_only = false) {
        namespace http = boost::beast::http;
        // Every HTTP/1.1 client sends Host; the server answers only its own names (SPEC §6).
        if constexpr (Message::is_request::value) {
            if (message.find(http::field::host) == message.end()) message.set(http::field::host, "127.0.0.1");
        }
        http::serializer<Message::is_request::value, typename Message::body_type> serializer(message);
        if (header_only) {
            run([&](auto done) { http::async_write_header(stream_, serializer, done); });
        } else {
            run([&](auto done) { http::async_write(stream_, serializer, done); });
        }
    }

    /// Writes `bytes` as they are, for malformed requests.
    void write_raw(std::string const& bytes) {
        run([&](auto done) { boost::asio::async_write(stream_, boost::asio::buffer(bytes), done); });
    }

    /// Reads raw bytes until `text` has arrived (or five seconds pass); returns all read.
    std::string read_until(std::string const& text) {
        std::string seen(static_cast<char const*>(buffer_.data().data()), buffer_.size());
        buffer_.consume(buffer_.size());
        char chunk[4096];
        while (seen.find(text) == std::string::npos) {
            std::size_t n = 0;
            auto const failure = run([&](auto done) {
                stream_.async_read_some(boost::asio::buffer(chunk), [&n, done](auto ec, std::size_t got) {
                    n = got;
                    done(ec, got);
                });
            }, false);
            if (failure) break;
            seen.append(chunk, n);
        }
        return seen;
    }

    /// Reads a response header (for a streaming body such as SSE).
    unsigned read_header() {
        namespace http = boost::beast::http;
        parser_.emplace();
        run([&](auto done) { http::async_read_header(stream_, buffer_, *parser_, done); });
        return parser_->get().result_int();
    }

private:
    /// Starts one operation with a completion `done(ec, n)` and runs it to completion or timeout.
    template <class Start>
    boost::system::error_code run(Start start, bool require_success = true) {
        boost::system::error_code result;
        stream_.expires_after(std::chrono::seconds(5));
        start([&result](boost::system::error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
        if (require_success) REQUIRE_FALSE(result);
        return result;
    }

    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_{io_};
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::response_parser<boost::beast::http::empty_body>> parser_;
};

inline boost::beast::http::request<boost::beast::http::string_body> make_request(
    boost::beast::http::verb method, std::string const& target, std::string body = {}) {
    boost::beast::http::request<boost::beast::http::string_body> request{method, target, 11};
    if (!body.empty()) request.set(boost::beast::http::field::content_type, "application/json");
    request.body() = std::move(body);
    return request;
}

}  // namespace ledger::testing
