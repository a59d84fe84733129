#pragma once
// The log's pages ahead of a scan's cursor put into the process's page tables in one call per
// window (MADV_POPULATE_READ) instead of one page fault per 4 KiB page (issue 14, branch
// rm-asof9). A scan of the last 500,000 events at 10,000,000 first touches ~120 MB of the map
// in this process; its faults were ~11 % of the last interval's as-of answer's CPU (rm-asof7),
// and populating the same pages costs ~a tenth of faulting them (rm-asof6).
//
// Only where the log's leaf pages follow each other in the file (a compacted or append-grown
// log: the values the cursor returns move forward through the map) does a window pay: each
// window starts at the page of a value outside the last one, and a scan whose values land in a
// new window every few events (pages scattered by free-page reuse) stops populating after a few
// windows. Populating is only a hint: a failed call changes nothing (the reads fault as before).
//
// Threading: one object per scan call, inside its read transaction (the map does not move while
// one is open). Errors: none.

#include <cstddef>
#include <span>
#include <string_view>

namespace ledger::store::detail {

class log_read_ahead {
public:
    /// `map`: the map's bytes in use (lmdb::env::mapped()), read inside a read transaction.
    explicit log_read_ahead(std::span<char const> map) noexcept : map_(map) {}

    /// The cursor is at `value` (a view into the map): its window is populated unless it is.
    void at(std::string_view value) noexcept {
        auto const* const p = value.data();
        ++values_;
        if (p >= from_ && p < to_) return;
        populate_from(p);
    }

    /// Windows populated so far (tests).
    std::size_t windows() const noexcept { return windows_; }

    /// Bytes of each window: ~1,000 events of ~240 B (half a batch of an as-of scan's 2,048).
    static constexpr std::size_t window_bytes = std::size_t{256} << 10;

private:
    void populate_from(char const* value) noexcept;

    std::span<char const> map_;
    char const* from_ = nullptr;  // the window populated last: [from_, to_)
    char const* to_ = nullptr;
    std::size_t windows_ = 0;  // windows populated by this scan
    std::size_t values_ = 0;   // values the cursor met
    bool off_ = false;         // the values are not in sequence: no more windows
};

}  // namespace ledger::store::detail
