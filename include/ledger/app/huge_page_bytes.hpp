#pragma once
// A buffer of bytes in one anonymous mapping advised MADV_HUGEPAGE: for the large records an
// as-of answer reads once and drops (an application table's checkpoint record put together from
// its chunks: ~137 MB at 10,000,000 demo events). On a paravirtualised machine a page fault on
// fresh memory is dear, and a copy into `std::string` faulted 4 KiB at a time (~0.5 s of CPU per
// answer there; docs/performance.md, rm-asof500k); in 2 MiB pages the same copy costs a tenth.
// Where transparent huge pages are off the mapping is ordinary memory: the same bytes, the old
// cost. Move-only; freed (unmapped) with the object. Throws std::bad_alloc when nothing can be
// mapped. Threading: as any buffer (one writer, then any readers).

#include <cstddef>
#include <string_view>

namespace ledger::app {

class huge_page_bytes {
public:
    /// `size` bytes, unwritten (the kernel's zeros until written).
    explicit huge_page_bytes(std::size_t size);
    huge_page_bytes(huge_page_bytes&& other) noexcept;
    huge_page_bytes& operator=(huge_page_bytes&& other) noexcept;
    huge_page_bytes(huge_page_bytes const&) = delete;
    huge_page_bytes& operator=(huge_page_bytes const&) = delete;
    ~huge_page_bytes();

    char* data() noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::string_view view() const noexcept { return {data_, size_}; }

private:
    void* mapped_ = nullptr;   // what munmap gets back
    std::size_t mapped_bytes_ = 0;
    char* data_ = nullptr;     // at a 2 MiB boundary within the mapping
    std::size_t size_ = 0;
};

/// Asks the kernel to back the whole 2 MiB pages within [data, data + bytes) with huge pages
/// when they are first written (MADV_HUGEPAGE; a hint, ignored where unsupported): for a large
/// buffer someone else allocated and is about to fill, such as an as-of answer's reserved text.
/// Only for memory that malloc maps on its own (an allocation of 32 MiB or more, beyond glibc's
/// largest mmap threshold), so the advice ends with the buffer's munmap and never reaches the
/// heap's reused pages; smaller ranges are left as they are.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

}  // namespace ledger::app
