#pragma once
// Reliability tests talk to recruit-ledgerd over plain POSIX sockets, so they can send bytes no
// polite HTTP client would (garbage, truncated messages, absurd headers), and run the real
// server as a child process that can be killed and restarted on the same data directory.
// Every socket operation has a timeout and every wait is bounded.

#include "support/process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>


namespace ledger::testing {

/// One parsed HTTP response; status 0 when the connection closed (or timed out) before a
/// complete response arrived.
struct raw_response {
    unsigned status = 0;
    std::string head;
    std::string body;
    bool closed = false;  // the server closed the connection after (or instead of) answering
    bool timed_out = false;  // no answer within the socket timeout: neither refused nor served
};

/// A blocking TCP connection to 127.0.0.1:port with a per-operation timeout.
class raw_client {
public:
    explicit raw_client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr const*>(&address), sizeof address) == 0;
    }
    ~raw_client() { if (fd_ >= 0) ::close(fd_); }
    raw_client(raw_client const&) = delete;
    raw_client& operator=(raw_client const&) = delete;

    bool connected() const noexcept { return connected_; }

    /// Sends every byte; false when the peer is gone (no SIGPIPE) or the send timed out.
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            auto const n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// Reads one response (head, then Content-Length bytes of body).
    raw_response receive() {
        raw_response out;
        std::size_t head_end;
        while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill()) return closed_response();
        }
        out.head = buffer_.substr(0, head_end + 4);
        buffer_.erase(0, head_end + 4);
        if (out.head.size() > 12 && out.head.starts_with("HTTP/1.1 ")) {
            out.status = static_cast<unsigned>(std::stoul(out.head.substr(9, 3)));
        }
        auto const length = content_length(out.head);
        while (buffer_.size() < length) {
            if (!fill()) return closed_response();
        }
        out.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        out.closed = lower(out.head).find("connection: close") != std::string::npos;
        return out;
    }

    raw_response call(std::string_view bytes) {
        if (!send(bytes)) return closed_response();
        return receive();
    }

    /// True when the server closes the connection (EOF or reset) within the socket timeout.
    bool closed_by_peer() {
        char scratch[4096];
        for (int reads = 0; reads < 10'000; ++reads) {
            auto const n = ::recv(fd_, scratch, sizeof scratch, 0);
            if (n == 0) return true;
            if (n < 0) return errno == ECONNRESET;
        }
        return false;
    }

private:
    static std::string lower(std::string text) {
        for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return text;
    }
    static std::size_t content_length(std::string const& head) {
        auto const lowered = lower(head);
        auto const at = lowered.find("\r\ncontent-length:");
        return at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
    }
    raw_response closed_response() {
        raw_response out;
        out.closed = !timed_out_;
        out.timed_out = timed_out_;
        return out;
    }
    bool fill() {
        char chunk[16384];
        auto const n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) timed_out_ = true;
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    bool timed_out_ = false;
    std::string buffer_;
};

/// "METHOD target HTTP/1.1" with a JSON body, keep-alive; `headers` are extra header lines,
/// each ending in CRLF.
inline std::string http_request(std::string const& method, std::string const& target,
                                std::string const& body = {}, std::string const& headers = {}) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers;
    if (!body.empty() || method == "POST") {
        text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return text + "\r\n" + body;
}

/// recruit-ledgerd on an ephemeral loopback port over a data directory that outlives it, so a
/// test can kill it with SIGKILL and start it again on the same ledger.
class ledgerd {
public:
    /// `environment`: extra "NAME=value" entries for the server's environment.
    ledgerd(std::filesystem::path data, std::vector<std::string> extra = {},
            std::vector<std::string> environment = {})
        : data_(std::move(data)), extra_(std::move(extra)), environment_(std::move(environment)) {}
    ~ledgerd() { kill(SIGKILL); }
    ledgerd(ledgerd const&) = delete;
    ledgerd& operator=(ledgerd const&) = delete;

    /// Starts the server; false when it has not reported a port within ten seconds.
    bool start() {
        auto const port_file = data_.parent_path() / (data_.filename().string() + ".port");
        std::filesystem::remove(port_file);
        std::vector<std::string> arguments{"--data", data_.string(), "--listen", "127.0.0.1:0",
                                           "--port-file", port_file.string(), "--log-level", "error"};
        arguments.insert(arguments.end(), extra_.begin(), extra_.end());
        pid_ = spawn_program(RECRUIT_LEDGERD, arguments, environment_);
        if (pid_ <= 0) return false;
        port_ = wait_for_port_file(port_file);
        return port_ != 0;
    }

    /// Sends `signal` and reaps the child; true when it had been running.
    bool kill(int signal) {
        if (pid_ <= 0) return false;
        ::kill(pid_, signal);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return true;
    }

    /// Sends `signal` without waiting (see wait_exit).
    void signal(int number) const {
        if (pid_ > 0) ::kill(pid_, number);
    }

    /// Waits up to `timeout` for the server to exit by itself; its exit status, or nullopt
    /// (still running, or ended by a signal).
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
        if (pid_ <= 0) return std::nullopt;
        auto const deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? std::optional(WEXITSTATUS(status)) : std::nullopt;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return std::nullopt;
    }

    /// Whether the child is still running (it has not exited or crashed).
    bool running() const {
        int status = 0;
        return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
    }

    std::uint16_t port() const noexcept { return port_; }

private:
    std::filesystem::path data_;
    std::vector<std::string> extra_;
    std::vector<std::string> environment_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace ledger::testing
