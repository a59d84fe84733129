#pragma once
// The kill -9 harness of the crash tests: fork a child that works on a ledger (appends, folds)
// and reports its progress through a pipe, SIGKILL it at a chosen or random moment, reap it,
// and hand the parent everything the child reported, so the test can reopen the ledger and
// check it against what was acknowledged.
//
// What it guarantees (and what the crash tests rely on):
// - The child never returns into the test framework: `work` runs in the child, and should it
//   return or throw, the child _exits with `child_returned` or `child_threw` (so a child that
//   was meant to run until killed and did not shows as an exit code, never as a kill).
// - The kill is SIGKILL: no destructor, atexit handler or LMDB cleanup runs in the child.
// - The kill comes only after the child has reported at least `kill_plan::after_bytes` bytes
//   (e.g. "one batch committed"), or after it ended by itself, or after `kill_plan::give_up`
//   (then `killed_child::waited_out` is set and the test can fail with that); then after a
//   delay drawn uniformly from [min_delay, max_delay] with the caller's generator: a random
//   moment in the child's work, which is the point of the test, not a synchronisation.
// - Every byte the child wrote to its report pipe before it died is in `killed_child::reports`
//   (the pipe is drained to its end, which comes when the child is gone). Reports written with
//   one write() of at most PIPE_BUF bytes are whole: write them with `report`.
// - The parent keeps the pipe's read end open until the child is reaped, so the child never
//   dies of SIGPIPE before the kill; the child is always reaped (no zombie), and the call
//   returns within give_up + max_delay + the time the child takes to die.
//
// Threading: call from the test's thread; the harness uses one thread of its own to drain the
// pipe, started after the fork (the child is forked from the test's thread alone). The child
// inherits whatever else the test process holds (open stores must not be shared: give the
// child its own, opened in `work`).
// Errors: std::runtime_error when pipe or fork fails.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ledger::testing {

/// When to kill the child.
struct kill_plan {
    std::size_t after_bytes = 0;  // wait until the child has reported at least this many bytes
    std::chrono::milliseconds min_delay{0};  // then wait a random time in [min_delay, max_delay]
    std::chrono::milliseconds max_delay{0};
    std::chrono::milliseconds give_up{60'000};  // bound on waiting for after_bytes
};

/// How the child ended and what it reported.
struct killed_child {
    int status = 0;        // as waitpid gives it
    std::string reports;   // every byte the child wrote to its report pipe
    bool waited_out = false;  // the child reported fewer than after_bytes within give_up

    bool killed_by_sigkill() const noexcept { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
    /// The child's exit code when it exited by itself, else -1.
    int exit_code() const noexcept { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    /// The reports as records of `Record` (trivially copyable; a partial record is dropped).
    template <class Record>
    std::vector<Record> records() const {
        std::vector<Record> out(reports.size() / sizeof(Record));
        if (!out.empty()) std::memcpy(out.data(), reports.data(), out.size() * sizeof(Record));
        return out;
    }
};

/// Exit codes of a child whose `work` came back.
inline constexpr int child_returned = 120;
inline constexpr int child_threw = 121;
/// Exit code of a child whose `report` could not write.
inline constexpr int child_report_failed = 122;

/// Runs `work(report_fd)` in a forked child and kills it as `plan` says. `random` draws the delay.
killed_child run_and_kill(std::function<void(int report_fd)> const& work, kill_plan const& plan,
                          std::mt19937& random);

/// In the child: writes `size` bytes (≤ PIPE_BUF, so the parent gets them whole) to the report
/// pipe; _exits with child_report_failed when it cannot.
void report(int report_fd, void const* bytes, std::size_t size);

/// In the child: reports one record.
template <class Record>
void report(int report_fd, Record const& record) {
    report(report_fd, &record, sizeof record);
}

}  // namespace ledger::testing
