#pragma once
// A real nats-server with JetStream for replication tests: started by the test on a free
// loopback port with its own store directory, killed when the test ends. Every wait is bounded.

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ledger::testing {

/// A loopback TCP port nobody listens on right now.
inline std::uint16_t free_port() {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

inline std::string file_text(std::filesystem::path const& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Waits until `path` contains `text`; false after `timeout`.
inline bool wait_for_text(std::filesystem::path const& path, std::string const& text,
                          std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (file_text(path).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

class nats_server {
public:
    nats_server() : port_(free_port()) { start(); }
    ~nats_server() { kill9(); }
    /// (Re)starts the server on the same port and store.
    void start() {
        auto const log = directory_ / "nats.log";
        std::filesystem::remove(log);
        pid_ = spawn_program("/usr/sbin/nats-server",
                             {"-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd",
                              (directory_ / "store").string(), "-l", log.string()});
        REQUIRE(pid_ > 0);
        REQUIRE(wait_for_text(log, "Server is ready"));
    }
    void kill9() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    nats_server(nats_server const&) = delete;
    nats_server& operator=(nats_server const&) = delete;

    std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

private:
    temp_dir directory_;
    std::uint16_t port_;
    pid_t pid_ = -1;
};

}  // namespace ledger::testing

namespace ledger::testing {

/// Three clustered nats-servers with JetStream (R3 streams), each with its own store and log.
class nats_cluster {
public:
    /// Starts the first `started` nodes (two of three elect a metadata leader but cannot place
    /// an R3 stream: a test starts the last one later with start()).
    explicit nats_cluster(std::size_t started = 3) {
        for (auto& p : client_ports_) p = free_port();
        for (auto& p : route_ports_) p = free_port();
        for (std::size_t i = 0; i < started; ++i) start(i);
        bool const elected = [&] {
            auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (std::chrono::steady_clock::now() < deadline) {
                for (std::size_t i = 0; i < started; ++i) {
                    if (file_text(log(i)).find("new metadata leader") != std::string::npos) return true;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            return false;
        }();
        REQUIRE(elected);
    }
    void start(std::size_t i) {
        std::string routes;
        for (std::size_t j = 0; j < 3; ++j) {
            if (j == i) continue;
            routes += (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(route_ports_[j]);
        }
        pids_[i] = spawn_program("/usr/sbin/nats-server",
                                 {"-js", "-a", "127.0.0.1", "-p", std::to_string(client_ports_[i]), "-n",
                                  "n" + std::to_string(i), "--cluster_name", "ledger", "--cluster",
                                  "nats://127.0.0.1:" + std::to_string(route_ports_[i]), "--routes", routes,
                                  "-sd", (directory_ / ("store" + std::to_string(i))).string(), "-l",
                                  log(i).string()});
        REQUIRE(pids_[i] > 0);
    }
    ~nats_cluster() {
        for (std::size_t i = 0; i < 3; ++i) kill9(i);
    }
    nats_cluster(nats_cluster const&) = delete;
    nats_cluster& operator=(nats_cluster const&) = delete;

    void kill9(std::size_t i) {
        if (pids_[i] <= 0) return;
        ::kill(pids_[i], SIGKILL);
        ::waitpid(pids_[i], nullptr, 0);
        pids_[i] = -1;
    }
    std::string urls() const {
        std::string out;
        for (auto p : client_ports_) out += (out.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(p);
        return out;
    }

private:
    std::filesystem::path log(std::size_t i) const { return directory_ / ("nats" + std::to_string(i) + ".log"); }
    temp_dir directory_;
    std::array<std::uint16_t, 3> client_ports_{};
    std::array<std::uint16_t, 3> route_ports_{};
    std::array<pid_t, 3> pids_{-1, -1, -1};
};

}  // namespace ledger::testing
