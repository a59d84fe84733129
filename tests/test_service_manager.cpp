// recruit-ledgerd under a service manager: the sd_notify messages a Type=notify unit relies on,
// received on a NOTIFY_SOCKET the test binds, as systemd would.

#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

using namespace ledger::testing;

namespace {

/// A bound AF_UNIX datagram socket, as systemd's notify socket. Each receive waits ≤ 15 s.
class notify_socket {
public:
    explicit notify_socket(std::filesystem::path const& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        auto const text = path.string();
        REQUIRE(text.size() < sizeof(address.sun_path));
        std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr const*>(&address), sizeof(address)) == 0);
        timeval timeout{15, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    }
    ~notify_socket() { ::close(fd_); }
    notify_socket(notify_socket const&) = delete;
    notify_socket& operator=(notify_socket const&) = delete;

    /// Receives until a message containing `wanted` arrives; false after a receive times out.
    bool await(std::string const& wanted) {
        char buffer[4096];
        for (;;) {
            auto const got = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (got < 0) return false;
            if (std::string(buffer, static_cast<std::size_t>(got)).find(wanted) != std::string::npos) return true;
        }
    }

private:
    int fd_;
};

}  // namespace

#ifdef LEDGER_HAVE_SYSTEMD
TEST_CASE("the server tells its service manager it is ready, alive and stopping", "[service][e2e]") {
    temp_dir directory;
    notify_socket notifications(directory / "notify");
    // The child inherits these; this test case runs in its own process (ctest), so nothing else
    // sees them.
    ::setenv("NOTIFY_SOCKET", (directory / "notify").c_str(), 1);
    ::setenv("WATCHDOG_USEC", "200000", 1);
    server_process server;
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    CHECK(notifications.await("READY=1"));
    CHECK(notifications.await("WATCHDOG=1"));
    CHECK(server.stop(SIGTERM) == 0);
    CHECK(notifications.await("STOPPING=1"));
}
#endif
