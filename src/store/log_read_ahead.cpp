#include "detail/log_read_ahead.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>

namespace ledger::store::detail {

namespace {
constexpr std::uintptr_t page_bytes = 4096;  // LMDB's page; a larger kernel page only rounds more
// A scan whose first windows were left after fewer values than this each (on average) has its
// pages scattered: populating a window for a few values would cost more than their faults.
constexpr std::size_t trial_windows = 4;
constexpr std::size_t min_values_per_window = 64;
}  // namespace

void log_read_ahead::populate_from(char const* value) noexcept {
    if (off_ || value < map_.data() || value >= map_.data() + map_.size()) return;
    if (windows_ >= trial_windows && values_ < windows_ * min_values_per_window) {
        off_ = true;
        return;
    }
    auto const first = reinterpret_cast<std::uintptr_t>(value) & ~(page_bytes - 1);
    auto const map_end = reinterpret_cast<std::uintptr_t>(map_.data() + map_.size());
    auto const last = std::min(first + window_bytes, map_end);
    ::madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_READ);  // a hint
    from_ = reinterpret_cast<char const*>(first);
    to_ = reinterpret_cast<char const*>(last);
    ++windows_;
}

}  // namespace ledger::store::detail
