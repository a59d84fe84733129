#include "ledger/app/huge_page_bytes.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace ledger::app {
namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;
}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
    constexpr std::size_t own_mapping = std::size_t{32} << 20;  // glibc's DEFAULT_MMAP_THRESHOLD_MAX
    if (data == nullptr || bytes < own_mapping) return;
    auto const start = reinterpret_cast<std::uintptr_t>(data);
    auto const first = (start + huge_page - 1) / huge_page * huge_page;
    auto const end = (start + bytes) / huge_page * huge_page;
    if (end > first) ::madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
}

huge_page_bytes::huge_page_bytes(std::size_t size) : size_(size) {
    if (size == 0) return;
    // One huge page more, so that the bytes start at a 2 MiB boundary (whole huge pages).
    auto const rounded = (size + huge_page - 1) / huge_page * huge_page;
    mapped_bytes_ = rounded + huge_page;
    auto* const mapped = ::mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    mapped_ = mapped;
    auto const address = reinterpret_cast<std::uintptr_t>(mapped);
    data_ = reinterpret_cast<char*>((address + huge_page - 1) / huge_page * huge_page);
    ::madvise(data_, rounded, MADV_HUGEPAGE);  // a hint: ignored where unsupported
}

huge_page_bytes::huge_page_bytes(huge_page_bytes&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)),
      mapped_bytes_(std::exchange(other.mapped_bytes_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

huge_page_bytes& huge_page_bytes::operator=(huge_page_bytes&& other) noexcept {
    if (this != &other) {
        if (mapped_ != nullptr) ::munmap(mapped_, mapped_bytes_);
        mapped_ = std::exchange(other.mapped_, nullptr);
        mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

huge_page_bytes::~huge_page_bytes() {
    if (mapped_ != nullptr) ::munmap(mapped_, mapped_bytes_);
}

}  // namespace ledger::app
