#pragma once
// A buffer of bytes in one anonymous mapping advised MADV_HUGEPAGE: for the large buffers an
// as-of answer fills once and drops (an application table's checkpoint record put together from
// its chunks: ~145 MB at 10,000,000 demo events; split_scan's ring of events: ~138 MB). On a
// paravirtualised machine fresh memory is dear: a copy into `std::string` faulted 4 KiB at a
// time (~0.5 s of CPU per answer there; docs/performance.md, rm-asof500k); in 2 MiB pages the
// same copy costs less, and memory that stays mapped costs nothing (rm-asof6).
//
// So a dropped buffer's mapping is kept warm for the next one (up to warm_huge_page_limit bytes
// in the process) instead of being unmapped: the next as-of answer's record and ring then write
// memory that is already there, neither faulted nor zeroed again. Mappings kept longer than
// warm_huge_page_idle are unmapped by drop_idle_huge_pages (the release thread calls it:
// state_release.hpp), so a server that stops answering as-of questions gives them back.
// Where transparent huge pages are off the mapping is ordinary memory: the same bytes, the old
// cost. Move-only. Throws std::bad_alloc when nothing can be mapped.
// Threading: as any buffer (one writer, then any readers); the warm mappings are shared by
// every thread behind one mutex.

#include <chrono>
#include <cstddef>
#include <string_view>

namespace ledger::app {

/// Bytes of mappings kept warm at most (a record and a ring of two as-of answers at once at
/// 10,000,000 events); a dropped buffer that would go beyond is unmapped.
inline constexpr std::size_t warm_huge_page_limit = std::size_t{640} << 20;
/// How long a warm mapping may wait for its next buffer before drop_idle_huge_pages unmaps it.
inline constexpr std::chrono::seconds warm_huge_page_idle{30};

class huge_page_bytes {
public:
    /// `size` bytes, unwritten: the kernel's zeros in a fresh mapping, what an earlier buffer
    /// wrote in a warm one (every user writes what it reads).
    explicit huge_page_bytes(std::size_t size);
    huge_page_bytes(huge_page_bytes&& other) noexcept;
    huge_page_bytes& operator=(huge_page_bytes&& other) noexcept;
    huge_page_bytes(huge_page_bytes const&) = delete;
    huge_page_bytes& operator=(huge_page_bytes const&) = delete;
    /// Keeps the mapping warm (or unmaps it beyond warm_huge_page_limit).
    ~huge_page_bytes();

    char* data() noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::string_view view() const noexcept { return {data_, size_}; }

private:
    void give_back() noexcept;

    void* mapped_ = nullptr;   // what munmap gets back
    std::size_t mapped_bytes_ = 0;
    char* data_ = nullptr;     // at a 2 MiB boundary within the mapping
    std::size_t size_ = 0;
};

/// Unmaps the warm mappings kept at least `idle` (all of them for zero). Any thread.
void drop_idle_huge_pages(std::chrono::steady_clock::duration idle) noexcept;

/// Bytes of mappings kept warm now (tests, benchmarks).
std::size_t warm_huge_page_bytes() noexcept;

/// Asks the kernel to back the whole 2 MiB pages within [data, data + bytes) with huge pages
/// when they are first written (MADV_HUGEPAGE; a hint, ignored where unsupported): for a large
/// buffer someone else allocated and is about to fill, such as an as-of answer's reserved text.
/// Only for memory that malloc maps on its own (an allocation of 32 MiB or more, beyond glibc's
/// largest mmap threshold), so the advice ends with the buffer's munmap and never reaches the
/// heap's reused pages; smaller ranges are left as they are.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

}  // namespace ledger::app
