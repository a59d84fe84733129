#include "projections/detail/fold_arena.hpp"

#include <sys/mman.h>

#include <atomic>
#include <bit>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LEDGER_SANITIZED_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define LEDGER_SANITIZED_HEAP 1
#endif
#endif

namespace ledger::projections::detail {

thread_local fold_arena* fold_arena::current_ = nullptr;

fold_arena::scope::scope(fold_arena* arena) noexcept : outer_(current_) { current_ = arena; }
fold_arena::scope::~scope() { current_ = outer_; }
fold_arena* fold_arena::current() noexcept { return current_; }

namespace {

constexpr std::uintptr_t huge_page = std::uintptr_t{2} << 20;
/// The writable end grows by this much at a time (four huge pages: few mprotect calls, little
/// charged ahead of use).
constexpr std::uintptr_t growth_step = 4 * huge_page;

std::atomic<std::size_t> live{0};

/// The class of a block of `bytes` (1 … largest_arena_block), and the size of a class. Above
/// 256, doubling e ([2^e, 2^(e+1)), e ≥ 8) has four classes of 2^e + (q + 1) · 2^(e-2), q < 4.
std::size_t class_of(std::size_t bytes) noexcept {
    if (bytes <= 256) return (bytes + 15) / 16 - (bytes == 0 ? 0 : 1);
    auto const last = bytes - 1;  // the class is the first whose size is > last
    auto const e = static_cast<std::size_t>(std::bit_width(last)) - 1;
    auto const q = (last >> (e - 2)) & 3;
    return 16 + (e - 8) * 4 + q;
}
std::size_t size_of_class(std::size_t index) noexcept {
    if (index < 16) return (index + 1) * 16;
    auto const e = 8 + (index - 16) / 4;
    auto const q = (index - 16) % 4;
    return (std::size_t{1} << e) + (q + 1) * (std::size_t{1} << (e - 2));
}

}  // namespace

fold_arena* fold_arena::make(std::size_t reservation) {
    live.fetch_add(1, std::memory_order_relaxed);
    return new fold_arena(reservation);
}

std::size_t fold_arena::live_arenas() noexcept { return live.load(std::memory_order_relaxed); }

fold_arena::~fold_arena() {
    if (mapped_ != 0) ::munmap(reinterpret_cast<void*>(mapped_), mapped_bytes_);
    live.fetch_sub(1, std::memory_order_relaxed);
}

void fold_arena::destroy() noexcept { delete this; }

void* fold_arena::allocate(std::size_t bytes) {
    if (bytes <= largest_arena_block) {
        auto const index = class_of(bytes);
        if (void* const block = free_[index]) {
            free_[index] = *static_cast<void**>(block);
            return block;
        }
        if (void* const block = carve(size_of_class(index))) return block;
    }
    return ::operator new(bytes);
}

void fold_arena::deallocate(void* block, std::size_t bytes) noexcept {
    if (block == nullptr) return;
    if (!owns(block)) {
        ::operator delete(block);
        return;
    }
    auto const index = class_of(bytes);
    *static_cast<void**>(block) = free_[index];
    free_[index] = block;
}

void* fold_arena::carve(std::size_t bytes) noexcept {
    if (failed_) return nullptr;
    if (mapped_ == 0) {
        // Address space only: nothing is charged or backed until made writable below. One
        // huge page more, so that the arena starts at a 2 MiB boundary (whole huge pages).
        mapped_bytes_ = reservation_ + huge_page;
        void* const mapped = ::mmap(nullptr, mapped_bytes_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mapped == MAP_FAILED) {
            failed_ = true;
            mapped_bytes_ = 0;
            return nullptr;
        }
        mapped_ = reinterpret_cast<std::uintptr_t>(mapped);
        begin_ = (mapped_ + huge_page - 1) / huge_page * huge_page;
        end_ = begin_ + reservation_;
        next_ = writable_ = begin_;
        // A hint (ignored where transparent huge pages are off): the kernel backs each 2 MiB
        // page of it with one huge page when first written.
        ::madvise(reinterpret_cast<void*>(begin_), reservation_, MADV_HUGEPAGE);
    }
    if (bytes > end_ - next_) return nullptr;  // used up: operator new from here on
    if (next_ + bytes > writable_) {
        auto const wanted = (next_ + bytes - writable_ + growth_step - 1) / growth_step * growth_step;
        auto const grow = wanted < end_ - writable_ ? wanted : end_ - writable_;
        if (::mprotect(reinterpret_cast<void*>(writable_), grow, PROT_READ | PROT_WRITE) != 0) return nullptr;
        writable_ += grow;
    }
    void* const block = reinterpret_cast<void*>(next_);
    next_ += bytes;
    return block;
}

fold_arena* arena_owner::get() {
#if defined(LEDGER_SANITIZED_HEAP)
    return nullptr;
#else
    if (arena_ == nullptr) arena_ = fold_arena::make();
    return arena_;
#endif
}

}  // namespace ledger::projections::detail
