// fold_arena (projections/detail/fold_arena.hpp, issue 14): the application table's growing
// parts in a reservation of our own, in huge pages, reused when freed, unmapped once its owner
// and every container that allocated in it are gone.

#include "projections/detail/fold_arena.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using ledger::projections::detail::arena_allocator;
using ledger::projections::detail::arena_owner;
using ledger::projections::detail::fold_arena;

/// The VmFlags line of the mapping holding `address` (/proc/self/smaps), empty when none does.
std::string vm_flags_of(void const* address) {
    auto const at = reinterpret_cast<std::uintptr_t>(address);
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t from = 0;
        std::uintptr_t to = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> from >> dash >> to && dash == '-') {
            inside = from <= at && at < to;
        } else if (inside && line.rfind("VmFlags:", 0) == 0) {
            return line;
        }
    }
    return {};
}

using arena_vector = std::vector<std::uint64_t, arena_allocator<std::uint64_t>>;

}  // namespace

TEST_CASE("a fold_arena hands out blocks in its own huge-page reservation, reuses freed ones, and takes larger ones from the heap",
          "[projections][fold_arena]") {
    auto const before = fold_arena::live_arenas();
    auto* const arena = fold_arena::make();
    CHECK(fold_arena::live_arenas() == before + 1);
    auto* const a = arena->allocate(40);
    auto* const b = arena->allocate(40);
    REQUIRE(arena->owns(a));
    REQUIRE(arena->owns(b));
    CHECK(reinterpret_cast<std::uintptr_t>(a) % 16 == 0);
    CHECK(vm_flags_of(a).find(" hg") != std::string::npos);  // advised MADV_HUGEPAGE
    arena->deallocate(a, 40);
    CHECK(arena->allocate(33) == a);  // the same class (48 bytes): the freed block again
    auto* const big = arena->allocate(fold_arena::largest_arena_block + 1);
    CHECK_FALSE(arena->owns(big));
    arena->deallocate(big, fold_arena::largest_arena_block + 1);
    // Growing past the first writable step: earlier blocks stay where they are, still written.
    std::vector<char*> blocks;
    for (int i = 0; i < 40; ++i) {
        auto* const block = static_cast<char*>(arena->allocate(fold_arena::largest_arena_block));
        REQUIRE(arena->owns(block));
        block[0] = static_cast<char>(i);
        block[fold_arena::largest_arena_block - 1] = static_cast<char>(i);
        blocks.push_back(block);
    }
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        CHECK(blocks[i][0] == static_cast<char>(i));
        CHECK(blocks[i][fold_arena::largest_arena_block - 1] == static_cast<char>(i));
    }
    CHECK(arena->writable_bytes() >= 40 * fold_arena::largest_arena_block);
    arena->release();
    CHECK(fold_arena::live_arenas() == before);
}

TEST_CASE("a fold_arena's blocks above 256 bytes are at most a quarter larger than asked", "[projections][fold_arena]") {
    // Blocks are carved one after another from the reservation, so the distance between two
    // fresh ones is the size of the first one's class.
    auto* const arena = fold_arena::make();
    auto const carved = [&](std::size_t bytes) {
        auto const* const first = static_cast<char*>(arena->allocate(bytes));
        auto const* const next = static_cast<char*>(arena->allocate(16));
        return static_cast<std::size_t>(next - first);
    };
    CHECK(carved(256) == 256);
    CHECK(carved(257) == 320);
    CHECK(carved(384) == 384);  // four 96-byte year cells (application_cells.hpp): no slack
    CHECK(carved(385) == 448);
    CHECK(carved(768) == 768);
    CHECK(carved(3 * 4096 + 1) == 14 * 1024);
    CHECK(carved(fold_arena::largest_arena_block) == fold_arena::largest_arena_block);
    // A freed block serves the next request of its class, not one of the class above.
    auto* const freed = arena->allocate(300);
    arena->deallocate(freed, 300);
    CHECK(arena->allocate(321) != freed);
    CHECK(arena->allocate(270) == freed);
    arena->release();
}

TEST_CASE("a fold_arena whose reservation is used up hands out blocks from the heap", "[projections][fold_arena]") {
    auto* const arena = fold_arena::make(std::size_t{2} << 20);
    auto* const first = arena->allocate(std::size_t{1} << 20);
    auto* const second = arena->allocate(std::size_t{1} << 20);
    auto* const third = arena->allocate(std::size_t{1} << 20);
    CHECK(arena->owns(first));
    CHECK(arena->owns(second));
    CHECK_FALSE(arena->owns(third));
    arena->deallocate(third, std::size_t{1} << 20);
    arena->release();
}

TEST_CASE("containers made in a fold_arena::scope allocate in its arena, others on the heap; the arena goes with the last of them",
          "[projections][fold_arena]") {
    auto const before = fold_arena::live_arenas();
    arena_vector outlives;
    {
        arena_owner owner;
        auto* const arena = owner.get();
        if (arena == nullptr) {  // a sanitizer build: tables stay on the checked heap
            SUCCEED("no arena under a sanitizer");
            return;
        }
        arena_vector inside;
        {
            fold_arena::scope const folding(arena);
            arena_vector made;
            for (std::uint64_t i = 0; i < 1000; ++i) made.push_back(i * 3);
            CHECK(arena->owns(made.data()));
            inside = std::move(made);  // the allocator goes with the memory
            arena_vector const copied(inside);
            CHECK(arena->owns(copied.data()));  // a copy made while folding: the same arena
        }
        CHECK(arena->owns(inside.data()));
        arena_vector const copy(inside);  // outside the scope: on the heap
        CHECK_FALSE(arena->owns(copy.data()));
        CHECK(copy == inside);
        outlives = std::move(inside);
        // The owner goes here; the arena stays while `outlives` holds its memory.
    }
    CHECK(fold_arena::live_arenas() == before + 1);
    for (std::uint64_t i = 0; i < 1000; ++i) REQUIRE(outlives[i] == i * 3);
    outlives = arena_vector();  // memory and allocator replaced: the arena is unmapped
    CHECK(fold_arena::live_arenas() == before);
}
