// The start-up load path (issue 14, readiness): a string pool loads with one insert per text
// and still refuses a repeated text; a snapshot record decoded with its state viewed in place
// says exactly what the copying decode says, and refuses the same damaged records.

#include "ledger/app/projection_snapshot.hpp"
#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/stream_facts.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace ledger;

namespace {

std::string pool_bytes(std::vector<std::string> const& texts) {
    std::string out;
    detail::string_output_archive archive(out);
    archive(static_cast<std::uint64_t>(texts.size()));
    for (auto const& text : texts) archive(text);
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
    // A count larger than the texts that follow is refused, not trusted for a reservation.
    std::string truncated;
    {
        detail::string_output_archive archive(truncated);
        archive(std::uint64_t{100}, std::string("a"), std::string("b"));
    }
    CHECK_THROWS(load_pool(truncated));
}

TEST_CASE("a snapshot record decoded in place says what the copying decode says and refuses the same damage",
          "[projections][snapshot][startup]") {
    app::detail::projection_snapshot const record{7, 12345, std::string(100000, 'q') + "end"};
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
