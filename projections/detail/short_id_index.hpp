#pragma once
// A cache of short ids' numbers in front of a string_pool (entities.hpp: the ids of an
// in-memory entity table), so that finding a known id reads one 16-byte slot.
//
// Why: a string_pool lookup reads its index's group, then the group's element, then the id's
// record to compare the text — three cache misses at random places for every event of every
// entity model (rm-replay8: interning the candidate's id was 23.5 % of the application table's
// lane; perf showed most of it waiting on the record). Here an id of up to `longest` bytes (every
// candidate and position id the demo makes, "k1234567") is kept in its slot with its number:
// the slot's bytes are the comparison, and an open-addressed table of them, at most 80 % full,
// finds most ids in the first cache line probed.
//
// A cache, not a second numbering: the pool stays the one place numbers are given and saved
// (so nothing saved changes); a short id missing here is interned in the pool and then cached.
// Longer ids are never cached (the caller goes to the pool).
//
// Memory: 16 bytes a slot, 20–40 bytes per cached id; only in-memory tables (replays, as-of
// answers, tests) have one — a table kept in the store never looks ids up in a pool.
// Threading: a plain value; callers serialise access.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string_view>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ledger::projections::detail {

class short_id_index {
public:
    /// Ids of up to this many bytes are cached (one slot: the bytes, their count, the number).
    static constexpr std::size_t longest = 11;

    short_id_index() = default;
    short_id_index(short_id_index const&) = delete;
    short_id_index& operator=(short_id_index const&) = delete;
    short_id_index(short_id_index&& other) noexcept
        : slots_(std::move(other.slots_)), mask_(other.mask_), size_(other.size_) {
        other.mask_ = 0;
        other.size_ = 0;
    }
    short_id_index& operator=(short_id_index&& other) noexcept {
        if (this != &other) {
            slots_ = std::move(other.slots_);
            mask_ = other.mask_;
            size_ = other.size_;
            other.mask_ = 0;
            other.size_ = 0;
        }
        return *this;
    }
    ~short_id_index() = default;

    /// The number cached for `id`; nullopt when `id` is not cached (or longer than `longest`).
    std::optional<std::uint32_t> find(std::string_view id) const noexcept {
        if (id.size() > longest || size_ == 0) return std::nullopt;
        auto const key = key_of(id);
        for (auto at = home(key);; at = (at + 1) & mask_) {
            auto const& s = slots_[at];
            if (s.empty()) return std::nullopt;
            if (s.holds(key)) return s.number();
        }
    }

    /// Caches `id` → `number`; `id` is at most `longest` bytes and not cached yet. The largest
    /// number (which a slot cannot hold beside its empty mark) is not cached.
    void insert(std::string_view id, std::uint32_t number) {
        if (number == std::numeric_limits<std::uint32_t>::max()) return;
        if ((size_ + 1) * 5 > capacity() * 4) grow();
        place(slot::of(key_of(id), number));
        ++size_;
    }

    void clear() noexcept {
        slots_.reset();
        mask_ = 0;
        size_ = 0;
    }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return slots_ ? mask_ + 1 : 0; }

private:
    /// An id's bytes, zero-padded to 11, and its byte count in the 12th: two words to compare.
    struct key {
        std::uint64_t low = 0;   // bytes 0–7
        std::uint32_t high = 0;  // bytes 8–10, then the count
    };
    /// key.low, then key.high and the number + 1 (0: an empty slot) in one word.
    struct slot {
        std::uint64_t low;
        std::uint64_t high;
        static slot of(key const& k, std::uint32_t number) noexcept {
            return {k.low, std::uint64_t{k.high} | (std::uint64_t{number} + 1) << 32};
        }
        bool empty() const noexcept { return (high >> 32) == 0; }
        bool holds(key const& k) const noexcept { return low == k.low && static_cast<std::uint32_t>(high) == k.high; }
        std::uint32_t number() const noexcept { return static_cast<std::uint32_t>((high >> 32) - 1); }
        key bytes() const noexcept { return {low, static_cast<std::uint32_t>(high)}; }
    };
    static_assert(sizeof(slot) == 16);
    struct free_slots {
        void operator()(slot* slots) const noexcept { std::free(slots); }
    };

    static key key_of(std::string_view id) noexcept {
        unsigned char bytes[12] = {};
        std::memcpy(bytes, id.data(), id.size());
        bytes[11] = static_cast<unsigned char>(id.size());
        key k;
        std::memcpy(&k.low, bytes, 8);
        std::memcpy(&k.high, bytes + 8, 4);
        return k;
    }
    /// Where `k`'s probe starts: a multiply-xorshift mix of both words (ids that differ in a
    /// digit land far apart), its high bits.
    std::size_t home(key const& k) const noexcept {
        auto x = k.low * 0x9E3779B97F4A7C15ULL + std::uint64_t{k.high} * 0xC2B2AE3D27D4EB4FULL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ULL;
        x ^= x >> 32;
        return static_cast<std::size_t>(x) & mask_;
    }
    void place(slot const& s) noexcept {
        auto at = home(s.bytes());
        while (!slots_[at].empty()) at = (at + 1) & mask_;
        slots_[at] = s;
    }
    /// Twice the slots (1,024 at first), every cached id placed again. From 2 MiB on the slots
    /// are advised into huge pages: probes land at random, and in 4 KiB pages nearly each one
    /// missed the TLB as well (a million ids' slots span thousands of pages).
    void grow() {
        auto const old_capacity = capacity();
        auto const new_capacity = old_capacity == 0 ? std::size_t{1024} : old_capacity * 2;
        std::unique_ptr<slot[], free_slots> old(std::move(slots_));
        auto const bytes = new_capacity * sizeof(slot);
        constexpr std::size_t huge_page = std::size_t{2} << 20;
        void* block = bytes >= huge_page ? std::aligned_alloc(huge_page, bytes) : std::malloc(bytes);
        if (block == nullptr) throw std::bad_alloc();
#if defined(__linux__)
        if (bytes >= huge_page) ::madvise(block, bytes, MADV_HUGEPAGE);  // a hint: nothing lost if refused
#endif
        std::memset(block, 0, bytes);
        slots_.reset(static_cast<slot*>(block));
        mask_ = new_capacity - 1;
        for (std::size_t i = 0; i < old_capacity; ++i) {
            if (!old[i].empty()) place(old[i]);
        }
    }

    std::unique_ptr<slot[], free_slots> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace ledger::projections::detail
