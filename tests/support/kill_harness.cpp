#include "support/kill_harness.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace ledger::testing {

void report(int report_fd, void const* bytes, std::size_t size) {
    if (write(report_fd, bytes, size) != static_cast<ssize_t>(size)) _exit(child_report_failed);
}

killed_child run_and_kill(std::function<void(int report_fd)> const& work, kill_plan const& plan,
                          std::mt19937& random) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_t const child = fork();
    if (child < 0) {
        close(fds[0]);
        close(fds[1]);
        throw std::runtime_error("fork failed");
    }
    if (child == 0) {
        close(fds[0]);
        try {
            work(fds[1]);
        } catch (...) {
            _exit(child_threw);
        }
        _exit(child_returned);
    }
    close(fds[1]);  // only the child writes: the pipe ends when the child is gone

    killed_child result;
    std::mutex mutex;
    std::condition_variable changed;
    bool ended = false;
    std::thread reader([&] {
        std::array<char, 4096> buffer{};
        for (ssize_t n; (n = read(fds[0], buffer.data(), buffer.size())) != 0;) {
            if (n < 0) {
                if (errno == EINTR) continue;
                break;
            }
            std::lock_guard lock(mutex);
            result.reports.append(buffer.data(), static_cast<std::size_t>(n));
            changed.notify_all();
        }
        std::lock_guard lock(mutex);
        ended = true;
        changed.notify_all();
    });
    {
        std::unique_lock lock(mutex);
        result.waited_out = !changed.wait_for(lock, plan.give_up, [&] {
            return ended || result.reports.size() >= plan.after_bytes;
        });
    }
    // The moment of the kill: random within the plan's bounds (the point of the test).
    auto const delay = std::uniform_int_distribution<long long>(plan.min_delay.count(),
                                                                std::max(plan.min_delay, plan.max_delay).count())(random);
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(child, SIGKILL);  // also fine on a child that already exited and waits to be reaped
    while (waitpid(child, &result.status, 0) < 0 && errno == EINTR) {
    }
    reader.join();  // the pipe has ended: every byte the child wrote is in result.reports
    close(fds[0]);  // only now: the child must not die of SIGPIPE before the kill
    return result;
}

}  // namespace ledger::testing
