// A checkpoint record put together from its chunks straight into the memory its caller chose
// (assemble_checkpoint_into: the as-of load's huge pages, rm-asof500k) is byte for byte the
// record assemble_checkpoint gives and the record that was cut; a missing chunk or one of
// another length is refused the same way. huge_page_bytes keeps its bytes, moves them and
// frees them.

#include "ledger/app/huge_page_bytes.hpp"
#include "ledger/app/projection_checkpoint.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>

using namespace ledger;

namespace {

/// `size` pseudo-random bytes with repeated stretches (so that chunks repeat too).
std::string record_of(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string out;
    out.reserve(size);
    while (out.size() < size) {
        if (!out.empty() && random() % 4 == 0) {
            auto const from = random() % out.size();
            out.append(out, from, std::min<std::size_t>(random() % 3000, size - out.size()));
        } else {
            out.push_back(static_cast<char>(random()));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("huge_page_bytes holds what is written, moves it and starts at a 2 MiB boundary",
          "[projections][as_of][checkpoints][huge_pages]") {
    auto const size = GENERATE(std::size_t{1}, std::size_t{4096}, (std::size_t{2} << 20) + 3);
    INFO("size " << size);
    app::huge_page_bytes bytes(size);
    REQUIRE(bytes.size() == size);
    CHECK(reinterpret_cast<std::uintptr_t>(bytes.data()) % (std::size_t{2} << 20) == 0);
    auto const written = record_of(size, 5);
    std::copy(written.begin(), written.end(), bytes.data());
    CHECK(bytes.view() == written);
    app::huge_page_bytes moved(std::move(bytes));
    CHECK(moved.view() == written);
    CHECK(bytes.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from buffer is empty
    app::huge_page_bytes other(16);
    other = std::move(moved);
    CHECK(other.view() == written);
    app::huge_page_bytes const none(0);
    CHECK(none.view().empty());
}

TEST_CASE("a checkpoint record put together into memory of the caller's is the record cut, or refused as assemble_checkpoint refuses it",
          "[projections][as_of][checkpoints][huge_pages]") {
    auto const size = GENERATE(std::size_t{300}, std::size_t{70'000}, std::size_t{400'000});
    auto const record = record_of(size, static_cast<unsigned>(size));
    auto const cut = app::detail::chunk_checkpoint(record, 10);
    std::map<std::string, std::string, std::less<>> stored;
    for (auto const& chunk : cut.chunks) stored[chunk.key] = std::string(chunk.bytes);
    auto const from_stored = [&](std::string_view key) -> std::optional<std::string_view> {
        auto const found = stored.find(key);
        if (found == stored.end()) return std::nullopt;
        return std::string_view(found->second);
    };
    INFO("size " << size << ", " << cut.chunks.size() << " chunks");

    std::optional<app::huge_page_bytes> into;
    std::size_t asked = 0;
    auto const allocate = [&](std::size_t n) {
        asked = n;
        into.emplace(n);
        return into->data();
    };
    std::string problem;
    REQUIRE(app::detail::assemble_checkpoint_into(cut.manifest, from_stored, allocate, &problem));
    CHECK(problem.empty());
    CHECK(asked == record.size());
    CHECK(into->view() == record);
    CHECK(app::detail::assemble_checkpoint(cut.manifest, from_stored) == record);

    SECTION("a chunk missing") {
        stored.erase(cut.chunks.back().key);
        CHECK_FALSE(app::detail::assemble_checkpoint_into(cut.manifest, from_stored, allocate, &problem));
        CHECK(problem.find("is not stored") != std::string::npos);
        CHECK_FALSE(app::detail::assemble_checkpoint(cut.manifest, from_stored));
    }
    SECTION("a chunk of another length") {
        stored[cut.chunks.front().key].push_back('x');
        CHECK_FALSE(app::detail::assemble_checkpoint_into(cut.manifest, from_stored, allocate, &problem));
        CHECK(problem.find("is not of its length") != std::string::npos);
        CHECK_FALSE(app::detail::assemble_checkpoint(cut.manifest, from_stored));
    }
    SECTION("a manifest that does not decode is refused before anything is allocated") {
        asked = 0;
        into.reset();
        auto spoiled = cut.manifest;
        spoiled.pop_back();
        CHECK_FALSE(app::detail::assemble_checkpoint_into(spoiled, from_stored, allocate, &problem));
        CHECK(problem == "its chunk list does not decode");
        CHECK_FALSE(into.has_value());
    }
}

TEST_CASE("a dropped huge_page_bytes mapping is kept warm for the next buffer of about its size and unmapped once idle",
          "[projections][as_of][huge_pages]") {
    constexpr std::size_t mib = std::size_t{1} << 20;
    app::drop_idle_huge_pages(std::chrono::seconds(0));
    REQUIRE(app::warm_huge_page_bytes() == 0);

    char const* first = nullptr;
    {
        app::huge_page_bytes bytes(20 * mib);
        std::fill_n(bytes.data(), bytes.size(), 'a');
        first = bytes.data();
    }
    auto const kept = app::warm_huge_page_bytes();
    CHECK(kept >= 20 * mib);
    {
        // A small buffer does not take a mapping of more than twice its own size.
        app::huge_page_bytes small(1);
        CHECK(small.data() != first);
        CHECK(app::warm_huge_page_bytes() == kept);
    }
    {
        // One of about the same size takes it (no fresh mapping), and writes over what it held.
        app::huge_page_bytes again(19 * mib);
        CHECK(again.data() == first);
        CHECK(app::warm_huge_page_bytes() < kept);
        std::fill_n(again.data(), again.size(), 'b');
        CHECK(again.view().find('a') == std::string_view::npos);
    }
    CHECK(app::warm_huge_page_bytes() >= kept);  // the small one and this one, kept again
    {
        // Beyond the limit: unmapped when dropped, not kept (mapped, never written).
        app::huge_page_bytes const larger(app::warm_huge_page_limit);
    }
    CHECK(app::warm_huge_page_bytes() <= app::warm_huge_page_limit);
    auto const before_idle = app::warm_huge_page_bytes();
    app::drop_idle_huge_pages(std::chrono::hours(1));  // none kept that long
    CHECK(app::warm_huge_page_bytes() == before_idle);
    app::drop_idle_huge_pages(std::chrono::seconds(0));
    CHECK(app::warm_huge_page_bytes() == 0);
}

TEST_CASE("a larger huge_page_bytes grows a smaller warm mapping and keeps the pages it had",
          "[projections][as_of][huge_pages]") {
    constexpr std::size_t mib = std::size_t{1} << 20;
    app::drop_idle_huge_pages(std::chrono::seconds(0));
    {
        app::huge_page_bytes bytes(20 * mib);
        std::fill_n(bytes.data(), bytes.size(), 'a');
    }
    REQUIRE(app::warm_huge_page_bytes() > 0);
    app::huge_page_bytes larger(50 * mib);
    CHECK(app::warm_huge_page_bytes() == 0);  // the smaller one was taken
    CHECK(reinterpret_cast<std::uintptr_t>(larger.data()) % (std::size_t{2} << 20) == 0);
    // Moved, not mapped afresh: what was written is where it was (a fresh mapping reads zeros).
    CHECK(std::all_of(larger.data(), larger.data() + 20 * mib, [](char c) { return c == 'a'; }));
    std::fill_n(larger.data(), larger.size(), 'c');  // and all of it can be written
    CHECK(larger.view().back() == 'c');
}
