#pragma once
// Fresh memory for the application table's growing parts — its candidates' applications, the
// cells' years and day histograms — in transparent huge pages (issue 14, docs/performance.md
// rm-replay7). A replay's table lane wrote ~25 MB of such memory per million events, faulted
// 4 KiB at a time by glibc's heap: ~16 µs a fault on this machine, a quarter of the lane's CPU
// (rm-replay5, rm-replay6). Here it comes from one reservation of our own, advised
// MADV_HUGEPAGE, made writable as it grows and never moved; the kernel then backs it in 2 MiB
// pages (~0.3 µs per 4 KiB). No allocator's internals are read.
//
// - fold_arena: the reservation. Blocks up to largest_arena_block come from size classes (16-byte
//   steps to 256, then four per doubling), a freed block goes on its class's list for the next one
//   of its class; larger blocks, and every block once the reservation is used up or could not
//   be made, come from operator new. Nothing is given back while the arena lives.
// - arena_owner: what a table holds. When the owner goes (the table destroyed, or its state
//   replaced) the arena is orphaned, and it unmaps its reservation as soon as no block and no
//   allocator refers to it any more — in whatever order the table's members are destroyed,
//   and even if a container outlived the table. A copy of an owner is a new, empty owner (a
//   copy of a table allocates on the heap, or in its own arena when it folds).
// - arena_allocator<T>: a standard allocator holding the arena (or none: operator new). A
//   default-made one takes the arena of the innermost fold_arena::scope on this thread, so
//   the containers a table makes while it folds allocate in its arena, and the ones made by
//   loads, copies and everyone else on the heap, without anyone passing an allocator.
//
// Under a sanitizer, arena_owner makes no arena (the table's memory stays on the heap that the
// sanitizer checks); fold_arena itself works everywhere.
// Threading: an arena and everything allocated from it are used by one thread at a time (the
// table's); a scope is per thread.

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

namespace ledger::projections::detail {

class fold_arena {
public:
    /// Blocks larger than this come from operator new.
    static constexpr std::size_t largest_arena_block = std::size_t{1} << 20;
    /// Address space reserved per arena (nothing is charged for the part never made writable).
    static constexpr std::size_t default_reservation = std::size_t{64} << 30;

    /// A new arena with one holder (the caller: release() it). Reserves nothing yet.
    static fold_arena* make(std::size_t reservation = default_reservation);

    void* allocate(std::size_t bytes);
    /// `bytes` as given to allocate().
    void deallocate(void* block, std::size_t bytes) noexcept;

    void hold() noexcept { ++holds_; }
    /// Drops one hold; the last one unmaps the reservation and deletes the arena.
    void release() noexcept {
        if (--holds_ == 0) destroy();
    }

    /// Whether `block` lies in the reservation (an arena block, not one from operator new).
    bool owns(void const* block) const noexcept {
        auto const at = reinterpret_cast<std::uintptr_t>(block);
        return at - begin_ < end_ - begin_;
    }
    /// Bytes made writable so far (each first written one is resident).
    std::size_t writable_bytes() const noexcept { return writable_ - begin_; }
    /// Arenas not yet unmapped in the process (tests).
    static std::size_t live_arenas() noexcept;

    /// Makes `arena` (may be null: the heap) the one default-made arena_allocators on this
    /// thread take until the scope ends.
    class scope {
    public:
        explicit scope(fold_arena* arena) noexcept;
        ~scope();
        scope(scope const&) = delete;
        scope& operator=(scope const&) = delete;

    private:
        fold_arena* outer_;
    };
    /// Out of line, as scope's members: the thread_local is read only where it is defined (a
    /// reader in another file goes through GCC's TLS wrapper, which UBSan's null check flags).
    static fold_arena* current() noexcept;

private:
    explicit fold_arena(std::size_t reservation) noexcept : reservation_(reservation) {}
    ~fold_arena();
    fold_arena(fold_arena const&) = delete;
    fold_arena& operator=(fold_arena const&) = delete;
    void destroy() noexcept;
    /// Carves `bytes` (a class size) from the writable end, growing it; null when it cannot.
    void* carve(std::size_t bytes) noexcept;

    // 16..256 by 16, then four a doubling to 1 MiB (320, 384, 448, 512, 640, …): a block is at
    // most a quarter larger than asked, where powers of two made the table's vectors of
    // 96-byte year cells a third larger (rm-replay8: every byte first written costs here).
    static constexpr std::size_t classes = 16 + 4 * 12;
    static thread_local fold_arena* current_;

    std::size_t reservation_;
    std::uintptr_t mapped_ = 0;    // what munmap gets back (0: nothing reserved yet)
    std::size_t mapped_bytes_ = 0;
    std::uintptr_t begin_ = 0;     // the reservation at a 2 MiB boundary
    std::uintptr_t end_ = 0;
    std::uintptr_t next_ = 0;      // the first byte never handed out
    std::uintptr_t writable_ = 0;  // [begin_, writable_) is readable and writable
    bool failed_ = false;          // the reservation could not be made: operator new only
    std::size_t holds_ = 1;        // the owner and each allocator (its containers' blocks with it)
    void* free_[classes] = {};     // freed blocks of each class, linked through their first word
};

/// A table's arena (see the header comment). Null under a sanitizer.
class arena_owner {
public:
    arena_owner() = default;
    arena_owner(arena_owner const&) noexcept {}
    arena_owner& operator=(arena_owner const& other) noexcept {
        if (this != &other) reset();
        return *this;
    }
    arena_owner(arena_owner&& other) noexcept : arena_(other.arena_) { other.arena_ = nullptr; }
    arena_owner& operator=(arena_owner&& other) noexcept {
        if (this != &other) {
            reset();
            arena_ = other.arena_;
            other.arena_ = nullptr;
        }
        return *this;
    }
    ~arena_owner() { reset(); }

    /// The arena, made on first use (null under a sanitizer).
    fold_arena* get();
    /// Orphans the arena: it goes once nothing refers to it.
    void reset() noexcept {
        if (arena_ != nullptr) arena_->release();
        arena_ = nullptr;
    }

private:
    fold_arena* arena_ = nullptr;
};

template <class T>
class arena_allocator {
    static_assert(alignof(T) <= 16, "arena blocks are 16-byte aligned");

public:
    using value_type = T;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;
    using propagate_on_container_copy_assignment = std::false_type;
    using is_always_equal = std::false_type;

    arena_allocator() noexcept : arena_(fold_arena::current()) { hold(); }
    explicit arena_allocator(fold_arena* arena) noexcept : arena_(arena) { hold(); }
    arena_allocator(arena_allocator const& other) noexcept : arena_(other.arena_) { hold(); }
    template <class U>
    arena_allocator(arena_allocator<U> const& other) noexcept : arena_(other.arena()) {
        hold();
    }
    arena_allocator& operator=(arena_allocator const& other) noexcept {
        if (arena_ != other.arena_) {
            let_go();
            arena_ = other.arena_;
            hold();
        }
        return *this;
    }
    ~arena_allocator() { let_go(); }

    /// A copied container allocates where its copier folds (the heap outside a fold).
    arena_allocator select_on_container_copy_construction() const noexcept { return arena_allocator(); }

    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        if (arena_ == nullptr) return static_cast<T*>(::operator new(n * sizeof(T)));
        return static_cast<T*>(arena_->allocate(n * sizeof(T)));
    }
    void deallocate(T* block, std::size_t n) noexcept {
        if (arena_ == nullptr) ::operator delete(block);
        else arena_->deallocate(block, n * sizeof(T));
    }

    fold_arena* arena() const noexcept { return arena_; }
    template <class U>
    friend bool operator==(arena_allocator const& a, arena_allocator<U> const& b) noexcept {
        return a.arena_ == b.arena();
    }

private:
    void hold() noexcept {
        if (arena_ != nullptr) arena_->hold();
    }
    void let_go() noexcept {
        if (arena_ != nullptr) arena_->release();
    }
    fold_arena* arena_;
};

}  // namespace ledger::projections::detail
