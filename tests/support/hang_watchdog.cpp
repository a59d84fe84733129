// A test case that hangs is killed by ctest's --timeout with nothing printed: no stack, no hint
// of what it waited for. This Catch2 listener arms a watchdog for each test case: one still
// running shortly before ctest would kill it prints every thread's stack (gdb, installed by
// tools/install-deps.sh) and ends the process, so a rare hang in CI leaves the evidence behind.
//
// LEDGER_TEST_WATCHDOG_SECONDS sets the limit (default 600: the slowest case takes under 3
// minutes, even under ASan, and gdb needs minutes to read this binary's symbols on a loaded
// machine before tools/test.sh's 900 s timeout); 0 turns the watchdog off (for a debugger).

// Catch2 v2 declares its listener base only for translation units that ask for it.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

std::chrono::seconds watchdog_limit() {
    char const* text = std::getenv("LEDGER_TEST_WATCHDOG_SECONDS");
    return std::chrono::seconds(text != nullptr ? std::strtol(text, nullptr, 10) : 600);
}

/// gdb prints every thread's stack of this process to stderr (ctest's --output-on-failure shows
/// it). A child may trace its parent only if the parent allows it (Yama) or it runs as root.
void print_every_stack() {
    auto parent = std::to_string(::getpid());
    std::string gdb = "/usr/bin/gdb", batch = "-batch", no_init = "-nx", attach = "-p", run = "-ex",
                backtraces = "thread apply all bt";
    // Made before fork: the child of a threaded process only calls async-signal-safe functions.
    char* const arguments[] = {gdb.data(), batch.data(), no_init.data(), attach.data(), parent.data(),
                               run.data(), backtraces.data(), nullptr};
    ::prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    pid_t const child = ::fork();
    if (child == 0) {
        ::dup2(STDERR_FILENO, STDOUT_FILENO);
        ::execv(arguments[0], arguments);
        constexpr char missing[] = "watchdog: /usr/bin/gdb is not installed, no stacks\n";
        (void)!::write(STDERR_FILENO, missing, sizeof missing - 1);
        ::_exit(127);
    }
    if (child > 0) ::waitpid(child, nullptr, 0);
}

/// One thread per test process (each ctest entry runs one test case): it sleeps until the
/// running case's deadline and, if the case is still running then, reports it and ends the process.
class watchdog {
public:
    /// Never destroyed, its thread detached: a child forked by a test (which has no such
    /// thread) must not join it when it exits, and the thread ends with the process.
    static watchdog& instance() {
        static auto* const the_watchdog = new watchdog;
        return *the_watchdog;
    }

    void started(std::string name) {
        auto const limit = watchdog_limit();
        if (limit.count() <= 0) return;
        std::lock_guard const lock(mutex_);
        running_ = std::move(name);
        deadline_ = clock_type::now() + limit;
        changed_.notify_one();
    }

    void ended() {
        std::lock_guard const lock(mutex_);
        running_.reset();
        changed_.notify_one();
    }

private:
    // The thread starts with the test session (hang_watchdog's constructor), long before a
    // test case forks a child: a child forked while a thread is still starting can inherit a
    // sanitizer allocator's lock held (under ASan a forked child then never ran).
    watchdog() {
        if (watchdog_limit().count() > 0) std::thread([this] { watch(); }).detach();
    }

    void watch() {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (!running_) {
                changed_.wait(lock);
            } else if (changed_.wait_until(lock, deadline_) == std::cv_status::timeout && running_ &&
                       clock_type::now() >= deadline_) {
                std::fprintf(stderr, "watchdog: test case \"%s\" still running after %lld s; every thread's stack:\n",
                             running_->c_str(), static_cast<long long>(watchdog_limit().count()));
                print_every_stack();
                // Not abort(): Catch2's handler of SIGABRT would then end the running test's
                // sections on this thread while the test's own thread still uses them.
                std::fflush(stderr);
                std::_Exit(EXIT_FAILURE);
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<std::string> running_;
    clock_type::time_point deadline_{};
};

struct hang_watchdog : Catch::TestEventListenerBase {
    explicit hang_watchdog(Catch::ReporterConfig const& config) : TestEventListenerBase(config) {
        watchdog::instance();  // its thread starts now
    }

    void testCaseStarting(Catch::TestCaseInfo const& info) override { watchdog::instance().started(info.name); }
    void testCaseEnded(Catch::TestCaseStats const&) override { watchdog::instance().ended(); }
};

}  // namespace

CATCH_REGISTER_LISTENER(hang_watchdog)
