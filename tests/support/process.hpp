#pragma once
// Runs a program to completion and captures its exit code, stdout and stderr: for end-to-end
// tests of the project's own executables.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace ledger::testing {

struct process_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

namespace detail {
inline std::string drain(int fd) {
    std::string text;
    std::array<char, 4096> buffer{};
    for (ssize_t n; (n = read(fd, buffer.data(), buffer.size())) > 0;) {
        text.append(buffer.data(), static_cast<std::size_t>(n));
    }
    close(fd);
    return text;
}
}  // namespace detail

/// Runs `program` with `args`; `input` is written to its stdin.
inline process_result run_process(std::string const& program, std::vector<std::string> const& args,
                                  std::string const& input = {}) {
    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
    pid_t const child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
        std::vector<char*> argv{const_cast<char*>(program.c_str())};
        for (auto const& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(program.c_str(), argv.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    process_result result;
    std::thread out_reader([&] { result.out = detail::drain(out[0]); });
    std::thread err_reader([&] { result.err = detail::drain(err[0]); });
    for (std::size_t written = 0; written < input.size();) {
        auto const n = write(in[1], input.data() + written, input.size() - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    close(in[1]);
    out_reader.join();
    err_reader.join();
    int status = 0;
    waitpid(child, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

/// Starts `program` with `arguments` in the background, with this process's environment plus
/// `environment` ("NAME=value" entries, e.g. LD_PRELOAD); returns its pid (or -1).
inline pid_t spawn_program(std::string const& program, std::vector<std::string> const& arguments,
                           std::vector<std::string> environment = {}) {
    std::vector<std::string> all{program};
    all.insert(all.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : all) argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    auto const overridden = [&](std::string_view inherited) {
        auto const name = inherited.substr(0, inherited.find('=') + 1);  // "NAME="
        return std::any_of(environment.begin(), environment.end(),
                           [&](std::string const& entry) { return entry.starts_with(name); });
    };
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (!overridden(*entry)) envp.push_back(*entry);  // an entry of `environment` wins
    }
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
    return pid;
}

/// The child's exit status, or nullopt if it has not exited within `timeout` (or was killed).
inline std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return WIFEXITED(status) ? std::optional(WEXITSTATUS(status)) : std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

/// The port a server wrote to `port_file` once listening; 0 if none appeared within `timeout`.
inline std::uint16_t wait_for_port_file(std::filesystem::path const& port_file,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::uint16_t port = 0;
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (port == 0 && std::chrono::steady_clock::now() < deadline) {
        std::ifstream(port_file) >> port;
        if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return port;
}

}  // namespace ledger::testing
