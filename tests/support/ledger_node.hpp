#pragma once
// A recruit-ledgerd in a child process for replication tests: its own data directory (given,
// so that a test can restart it on the same ledger), output to a log file, a loopback port it
// reports through a port file, and a few HTTP helpers. Every wait is bounded.

#include "support/nats_server.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <functional>

#include <sys/time.h>
#include <optional>
#include <string>
#include <vector>

namespace ledger::testing {

class ledger_node {
public:
    ledger_node(std::filesystem::path data, std::filesystem::path kek, std::vector<std::string> replication)
        : data_(std::move(data)), kek_(std::move(kek)), replication_(std::move(replication)) {
        start();
    }
    ~ledger_node() { kill9(); }
    ledger_node(ledger_node const&) = delete;
    ledger_node& operator=(ledger_node const&) = delete;

    void start() {
        auto const port_file = data_.string() + ".port";
        std::filesystem::remove(port_file);
        std::string command = "exec " + std::string(RECRUIT_LEDGERD) + " --data " + data_.string() + " --kek " +
                              kek_.string() + " --listen 127.0.0.1:0 --port-file " + port_file + " --log-level info";
        for (auto const& word : replication_) command += " " + word;
        command += " >>" + log().string() + " 2>&1";
        pid_ = spawn_program("/bin/sh", {"-c", command});
        REQUIRE(pid_ > 0);
        port_ = wait_for_port_file(port_file, std::chrono::seconds(20));
        REQUIRE(port_ != 0);
    }
    void kill9() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    /// SIGTERM; true when it exited (a sanitizer build may report the C client's global
    /// allocations at exit, so the status itself is not asserted).
    bool stop() {
        ::kill(pid_, SIGTERM);
        auto const status = wait_for_exit(pid_, std::chrono::seconds(15));
        if (status) pid_ = -1;
        return status.has_value();
    }
    void set_replication(std::vector<std::string> replication) { replication_ = std::move(replication); }

    std::filesystem::path const& data() const { return data_; }
    std::filesystem::path log() const { return data_.string() + ".log"; }
    std::uint16_t port() const { return port_; }

    /// One request on a new connection with five-second socket timeouts. Throws
    /// boost::system::system_error when the server is gone (tests kill servers under load, from
    /// writer threads, so this asserts nothing itself).
    boost::beast::http::response<boost::beast::http::string_body> call(boost::beast::http::verb method,
                                                                      std::string const& target,
                                                                      std::string body = {}) const {
        namespace beast_http = boost::beast::http;
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::address_v4::loopback(), port_});
        timeval timeout{5, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        auto request = make_request(method, target, std::move(body));
        request.set(beast_http::field::host, "127.0.0.1");
        request.prepare_payload();
        beast_http::write(socket, request);
        boost::beast::flat_buffer buffer;
        beast_http::response<beast_http::string_body> response;
        beast_http::read(socket, buffer, response);
        return response;
    }
    boost::json::value get_json(std::string const& target) const {
        return boost::json::parse(call(boost::beast::http::verb::get, target).body());
    }
    std::uint64_t events() const { return get_json("/v1/audit/head").at("events").to_number<std::uint64_t>(); }

private:
    std::filesystem::path data_;
    std::filesystem::path kek_;
    std::vector<std::string> replication_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

/// Waits until `done()`; false after `timeout`.
inline bool eventually(std::function<bool()> const& done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
}

/// The body of `node`'s GET /readyz once it answers 200. A server just (re)started answers 503
/// "read models are loading" (an error body without its replication status) until its read
/// models have loaded and folded to the head, so a test that reads the replication status waits
/// for that first. The bound: these ledgers hold at most a few thousand events, which load in
/// milliseconds on a quiet machine (1,000 folded per millisecond, read_model_readiness.hpp);
/// 20 s is thousands of times that, so it fails only for a server that never gets ready, even
/// on a CI machine at load 10. Fails the test, showing the last answer, when it is not ready.
inline boost::json::value ready_json(ledger_node const& node, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::string last;
    bool const ready = eventually(
        [&] {
            auto const reply = node.call(boost::beast::http::verb::get, "/readyz");
            last = reply.body();
            return reply.result_int() == 200;
        },
        timeout);
    INFO("the last /readyz answer: " << last);
    REQUIRE(ready);
    return boost::json::parse(last);
}

}  // namespace ledger::testing
