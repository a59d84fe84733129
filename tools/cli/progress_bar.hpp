#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal (quiet in pipes,
// logs and CI), redrawn at most ten times a second.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ledger::cli {

class progress_bar {
public:
    explicit progress_bar(std::string label) : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {}
    ~progress_bar() {
        if (drawn_) std::fputc('\n', stderr);
    }
    progress_bar(progress_bar const&) = delete;
    progress_bar& operator=(progress_bar const&) = delete;

    /// Shows `done` of `total` (total 0: unknown, shows a count only).
    void update(std::uint64_t done, std::uint64_t total) {
        if (!enabled_) return;
        auto const now = std::chrono::steady_clock::now();
        if (drawn_ && done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        drawn_ = true;
        if (total == 0) {
            std::fprintf(stderr, "\r%s %llu", label_.c_str(), static_cast<unsigned long long>(done));
            return;
        }
        constexpr int width = 30;
        auto const filled = static_cast<int>(width * done / total);
        std::string const bar = std::string(static_cast<std::size_t>(filled), '#') +
                                std::string(static_cast<std::size_t>(width - filled), '-');
        std::fprintf(stderr, "\r%s [%s] %3llu%% %llu/%llu", label_.c_str(), bar.c_str(),
                     static_cast<unsigned long long>(100 * done / total),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    }

private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace ledger::cli
