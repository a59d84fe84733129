#include "ledger/app/huge_page_bytes.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace ledger::app {
namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;

/// Mappings of dropped buffers, kept for the next ones (see the header).
class warm_mappings {
public:
    struct mapping {
        void* address = nullptr;
        std::size_t bytes = 0;
        std::chrono::steady_clock::time_point kept;
    };

    /// The smallest kept mapping of at least `bytes` and at most twice that (a small buffer
    /// does not take a ring's mapping), or none.
    mapping take(std::size_t bytes) {
        std::lock_guard const lock(mutex_);
        auto best = kept_.end();
        for (auto it = kept_.begin(); it != kept_.end(); ++it) {
            if (it->bytes >= bytes && it->bytes / 2 <= bytes && (best == kept_.end() || it->bytes < best->bytes)) {
                best = it;
            }
        }
        if (best == kept_.end()) return {};
        return remove(best);
    }

    /// The largest kept mapping of less than `bytes`, or none (to be grown: grow()).
    mapping take_smaller(std::size_t bytes) {
        std::lock_guard const lock(mutex_);
        auto best = kept_.end();
        for (auto it = kept_.begin(); it != kept_.end(); ++it) {
            if (it->bytes < bytes && (best == kept_.end() || it->bytes > best->bytes)) best = it;
        }
        if (best == kept_.end()) return {};
        return remove(best);
    }

    /// mutex_ held.
    mapping remove(std::vector<mapping>::iterator best) {
        auto const found = *best;
        kept_.erase(best);
        total_ -= found.bytes;
        return found;
    }

    /// Keeps `address` unless the limit would be passed (false: the caller unmaps it).
    bool keep(void* address, std::size_t bytes) noexcept {
        std::lock_guard const lock(mutex_);
        if (total_ + bytes > warm_huge_page_limit) return false;
        try {
            kept_.push_back({address, bytes, std::chrono::steady_clock::now()});
        } catch (std::bad_alloc const&) {
            return false;
        }
        total_ += bytes;
        return true;
    }

    void drop_idle(std::chrono::steady_clock::duration idle) noexcept {
        std::vector<mapping> dropped;
        {
            std::lock_guard const lock(mutex_);
            auto const now = std::chrono::steady_clock::now();
            auto const stays = std::partition(kept_.begin(), kept_.end(),
                                              [&](mapping const& m) { return now - m.kept < idle; });
            for (auto it = stays; it != kept_.end(); ++it) {
                total_ -= it->bytes;
                ::munmap(it->address, it->bytes);
            }
            kept_.erase(stays, kept_.end());
        }
    }

    std::size_t total() noexcept {
        std::lock_guard const lock(mutex_);
        return total_;
    }

private:
    std::mutex mutex_;
    std::vector<mapping> kept_;
    std::size_t total_ = 0;
};

/// `kept` grown to `bytes` (its written pages moved, not copied or faulted again: a record of
/// the last interval then reuses the smaller record an earlier answer read), at an address of
/// the same offset within a 2 MiB page so that its huge pages stay whole; null when it cannot
/// be (`kept` is then unmapped).
void* grow(warm_mappings::mapping const& kept, std::size_t bytes) noexcept {
    // A reservation to move it into, one huge page larger so that the offset can be kept.
    auto* const reserved = ::mmap(nullptr, bytes + huge_page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserved == MAP_FAILED) {
        ::munmap(kept.address, kept.bytes);
        return nullptr;
    }
    auto const from = reinterpret_cast<std::uintptr_t>(reserved);
    auto const offset = reinterpret_cast<std::uintptr_t>(kept.address) % huge_page;
    auto const target = from + (offset + huge_page - from % huge_page) % huge_page;
    auto* const moved = ::mremap(kept.address, kept.bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED,
                                 reinterpret_cast<void*>(target));
    if (moved == MAP_FAILED) {
        ::munmap(reserved, bytes + huge_page);
        ::munmap(kept.address, kept.bytes);
        return nullptr;
    }
    // What is left of the reservation before and after it.
    if (target > from) ::munmap(reserved, target - from);
    auto const end = target + bytes;
    auto const reserved_end = from + bytes + huge_page;
    if (reserved_end > end) ::munmap(reinterpret_cast<void*>(end), reserved_end - end);
    return moved;
}

/// Never destroyed: buffers may be dropped during static destruction (the process's end
/// unmaps what is kept).
warm_mappings& warm() {
    static auto* const mappings = new warm_mappings;
    return *mappings;
}

}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
    constexpr std::size_t own_mapping = std::size_t{32} << 20;  // glibc's DEFAULT_MMAP_THRESHOLD_MAX
    if (data == nullptr || bytes < own_mapping) return;
    auto const start = reinterpret_cast<std::uintptr_t>(data);
    auto const first = (start + huge_page - 1) / huge_page * huge_page;
    auto const end = (start + bytes) / huge_page * huge_page;
    if (end > first) ::madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
}

void drop_idle_huge_pages(std::chrono::steady_clock::duration idle) noexcept { warm().drop_idle(idle); }

std::size_t warm_huge_page_bytes() noexcept { return warm().total(); }

huge_page_bytes::huge_page_bytes(std::size_t size) : size_(size) {
    if (size == 0) return;
    // One huge page more, so that the bytes start at a 2 MiB boundary (whole huge pages).
    auto const rounded = (size + huge_page - 1) / huge_page * huge_page;
    auto const needed = rounded + huge_page;
    if (auto const kept = warm().take(needed); kept.address != nullptr) {
        // Already advised, and (where it was written) already backed: nothing faults.
        mapped_ = kept.address;
        mapped_bytes_ = kept.bytes;
    } else if (auto const smaller = warm().take_smaller(needed); smaller.address != nullptr) {
        mapped_ = grow(smaller, needed);
        mapped_bytes_ = needed;
    }
    if (mapped_ == nullptr) {
        auto* const mapped = ::mmap(nullptr, needed, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) throw std::bad_alloc();
        mapped_ = mapped;
        mapped_bytes_ = needed;
    }
    auto const address = reinterpret_cast<std::uintptr_t>(mapped_);
    data_ = reinterpret_cast<char*>((address + huge_page - 1) / huge_page * huge_page);
    // The whole mapping advised (a hint: ignored where unsupported), so that it stays one
    // mapping of one kind, which grow() needs; its unaligned start is never a huge page.
    ::madvise(mapped_, mapped_bytes_, MADV_HUGEPAGE);
}

huge_page_bytes::huge_page_bytes(huge_page_bytes&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)),
      mapped_bytes_(std::exchange(other.mapped_bytes_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

huge_page_bytes& huge_page_bytes::operator=(huge_page_bytes&& other) noexcept {
    if (this != &other) {
        give_back();
        mapped_ = std::exchange(other.mapped_, nullptr);
        mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

huge_page_bytes::~huge_page_bytes() { give_back(); }

void huge_page_bytes::give_back() noexcept {
    if (mapped_ == nullptr) return;
    if (!warm().keep(mapped_, mapped_bytes_)) ::munmap(mapped_, mapped_bytes_);
    mapped_ = nullptr;
}

}  // namespace ledger::app
