// The start-up and as-of load path (issue 14): a string pool loads its saved run of characters
// with one insert per text and still refuses a repeated text, sizes beyond its record and
// lengths that do not add up; a column of plain values loads with one copy and refuses a
// count beyond its record; a snapshot record decoded with its state viewed in place says
// exactly what the copying decode says, and refuses the same damaged records.

#include "ledger/app/projection_snapshot.hpp"
#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/stream_facts.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace ledger;

namespace {

/// A pool's saved form: the count, the characters, each length (u32), every character.
std::string pool_bytes(std::vector<std::string> const& texts) {
    std::string out;
    detail::string_output_archive archive(out);
    std::uint64_t characters = 0;
    for (auto const& text : texts) characters += text.size();
    archive(static_cast<std::uint64_t>(texts.size()), characters);
    for (auto const& text : texts) archive(static_cast<std::uint32_t>(text.size()));
    for (auto const& text : texts) out += text;
    return out;
}

projections::detail::string_pool load_pool(std::string const& bytes) {
    projections::detail::string_pool pool;
    detail::memory_input_archive archive(bytes);
    archive(pool);
    return pool;
}

}  // namespace

TEST_CASE("a string pool loads its texts under their numbers and refuses a repeated text", "[projections][snapshot][startup]") {
    projections::detail::string_pool saved;
    std::vector<std::string> texts;
    for (int i = 0; i < 5000; ++i) texts.push_back("candidate-c-" + std::to_string(i * 7919 % 100000));
    texts.push_back(std::string(40000, 'x'));  // longer than a quarter block: a block of its own
    for (auto const& t : texts) saved.intern(t);
    std::string bytes;
    {
        detail::string_output_archive archive(bytes);
        archive(saved);
    }
    auto loaded = load_pool(bytes);
    REQUIRE(loaded == saved);
    for (std::uint32_t i = 0; i < texts.size(); ++i) {
        REQUIRE(loaded.text(i) == texts[i]);
        REQUIRE(loaded.find(texts[i]) == i);
    }
    CHECK(loaded.intern("new text") == texts.size());  // the index is usable for folding on
    CHECK(loaded.intern(texts[17]) == 17);

    CHECK_THROWS_AS(load_pool(pool_bytes({"a", "b", "a"})), codec_error);
    CHECK(load_pool(pool_bytes({})).size() == 0);
    CHECK(load_pool(pool_bytes({"", "a", "bc"})).text(0).empty());
    // A count or a length larger than the bytes that follow is refused, not trusted for a
    // reservation; lengths that do not add up to the characters are refused.
    auto const two = pool_bytes({"a", "b"});
    CHECK_THROWS_AS(load_pool(two.substr(0, two.size() - 1)), codec_error);
    std::string counted_100;
    {
        detail::string_output_archive archive(counted_100);
        archive(std::uint64_t{100}, std::uint64_t{2}, std::uint32_t{1}, std::uint32_t{1});
        counted_100 += "ab";
    }
    CHECK_THROWS_AS(load_pool(counted_100), codec_error);
    std::string miscounted;
    {
        detail::string_output_archive archive(miscounted);
        archive(std::uint64_t{2}, std::uint64_t{3}, std::uint32_t{1}, std::uint32_t{1});
        miscounted += "abc";
    }
    CHECK_THROWS_AS(load_pool(miscounted), codec_error);
}

TEST_CASE("a snapshot record decoded in place says what the copying decode says and refuses the same damage",
          "[projections][snapshot][startup]") {
    // Bytes zstd cannot shrink: the record keeps its state as it is (compressed records:
    // tests/test_record_compression.cpp).
    std::string state(100000, '\0');
    std::uint64_t x = 88172645463325252ULL;
    for (auto& c : state) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        c = static_cast<char>(x);
    }
    app::detail::projection_snapshot const record{7, 12345, state + "end"};
    auto const bytes = app::detail::encode_snapshot(record);
    auto const copied = app::detail::decode_snapshot(bytes);
    auto const viewed = app::detail::decode_snapshot_view(bytes);
    REQUIRE(copied);
    REQUIRE(viewed);
    CHECK(viewed->code_version == 7);
    CHECK(viewed->next_position == 12345);
    CHECK(viewed->state == record.state);
    CHECK(viewed->state.data() >= bytes.data());  // a view into the record, not a copy
    CHECK(viewed->state.data() + viewed->state.size() == bytes.data() + bytes.size());
    CHECK(copied->state == record.state);

    std::string problem;
    auto damaged = bytes;
    damaged[damaged.size() - 1] ^= 1;
    CHECK_FALSE(app::detail::decode_snapshot_view(damaged, &problem));
    CHECK(problem == "the state does not match its checksum");
    CHECK_FALSE(app::detail::decode_snapshot_view(bytes + "x", &problem));
    CHECK(problem == "the record does not decode");
    CHECK_FALSE(app::detail::decode_snapshot_view(bytes.substr(0, bytes.size() - 1), &problem));
    CHECK(problem == "the record does not decode");
    CHECK_FALSE(app::detail::decode_snapshot_view(bytes.substr(0, 10), &problem));
    CHECK_FALSE(app::detail::decode_snapshot_view("", &problem));
    CHECK_FALSE(app::detail::decode_snapshot(bytes + "x"));
}

TEST_CASE("a column of plain values loads with one copy and refuses a count beyond its record",
          "[projections][snapshot][startup]") {
    struct pair_of {
        std::uint64_t position = 0;
        std::int32_t day = 0;
        std::uint32_t number = 0;
    };
    std::vector<pair_of> const saved{{1, -3, 7}, {99, 20000, 0xffffffffU}};
    std::string bytes;
    {
        detail::string_output_archive archive(bytes);
        projections::detail::save_column(archive, saved);
        projections::detail::save_column(archive, std::vector<std::uint32_t>{});
    }
    std::vector<pair_of> loaded;
    std::vector<std::uint32_t> empty{5};
    {
        detail::memory_input_archive archive(bytes);
        projections::detail::load_column(archive, loaded);
        projections::detail::load_column(archive, empty);
        detail::expect_consumed(archive, "columns");
    }
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[1].position == 99);
    CHECK(loaded[1].day == 20000);
    CHECK(loaded[1].number == 0xffffffffU);
    CHECK(empty.empty());
    std::string too_many;
    {
        detail::string_output_archive archive(too_many);
        archive(std::uint64_t{1} << 40, std::uint64_t{1});
    }
    detail::memory_input_archive archive(too_many);
    CHECK_THROWS_AS(projections::detail::load_column(archive, loaded), codec_error);
}
