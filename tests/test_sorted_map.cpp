// sorted_map (projections/detail/sorted_map.hpp), which replaced boost::unordered_flat_map in
// outreach's rows and in day_counts: it must save the bytes that map saved (snapshots, as-of
// checkpoints and the runner's table state written before keep loading and comparing), and
// outreach, which now erases what an event emptied only after the event's new contribution is
// back, must keep no row or expiry day that counts nothing.

#include "ledger/detail/binary_archive.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/sorted_map.hpp"
#include "projections/outreach.hpp"

#include "support/fold_scenario.hpp"

#include <boost/unordered/unordered_flat_map.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>

using namespace ledger;
using ledger::projections::detail::sorted_map;

namespace {

template <class T>
std::string bytes_of(T const& value) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(value);
    return out;
}

template <class T>
T loaded(std::string const& bytes) {
    T value;
    ledger::detail::memory_input_archive archive(bytes);
    archive(value);
    return value;
}

std::string counted_bytes(projections::outreach const& model) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    model.save_counted(archive);
    return out;
}

}  // namespace

TEST_CASE("a sorted map saves the bytes an unordered flat map of the same pairs saves and loads them back",
          "[projections][sorted_map][snapshot]") {
    auto const seed = GENERATE(range(1u, 9u));
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    sorted_map<std::int64_t, std::uint32_t> sorted;
    boost::unordered_flat_map<std::int64_t, std::uint32_t> flat;
    for (int i = 0; i < 400; ++i) {
        auto const key = std::uniform_int_distribution<std::int64_t>(-50, 50)(rng);
        if (rng() % 3 == 0) {
            sorted.erase(key);
            flat.erase(key);
        } else {
            sorted[key] += 1;
            flat[key] += 1;
        }
        REQUIRE(sorted.size() == flat.size());
        REQUIRE(bytes_of(sorted) == bytes_of(flat));
    }
    CHECK(loaded<sorted_map<std::int64_t, std::uint32_t>>(bytes_of(flat)) == sorted);
    // Nested, as outreach's rows keep a map per expiry day.
    sorted_map<std::int64_t, sorted_map<std::int64_t, std::uint32_t>> outer;
    boost::unordered_flat_map<std::int64_t, boost::unordered_flat_map<std::int64_t, std::uint32_t>> outer_flat;
    for (int i = 0; i < 60; ++i) {
        auto const a = std::uniform_int_distribution<std::int64_t>(0, 9)(rng);
        auto const b = std::uniform_int_distribution<std::int64_t>(-9, 9)(rng);
        outer[a][b] += 2;
        outer_flat[a][b] += 2;
    }
    CHECK(bytes_of(outer) == bytes_of(outer_flat));
}

TEST_CASE("a sorted map loads pairs in any order and a repeated key into one value as the flat map did",
          "[projections][sorted_map][snapshot]") {
    std::string bytes;
    {
        ledger::detail::string_output_archive archive(bytes);
        archive(std::uint64_t{3});
        archive(std::int64_t{5}, std::uint32_t{10});
        archive(std::int64_t{-1}, std::uint32_t{20});
        archive(std::int64_t{5}, std::uint32_t{30});
    }
    auto const sorted = loaded<sorted_map<std::int64_t, std::uint32_t>>(bytes);
    auto const flat = loaded<boost::unordered_flat_map<std::int64_t, std::uint32_t>>(bytes);
    CHECK(bytes_of(sorted) == bytes_of(flat));
    REQUIRE(sorted.size() == 2);
    CHECK(sorted.begin()->first == -1);
    CHECK(sorted.find(5)->second == 30);
    // A count beyond the bytes runs out of them instead of allocating.
    bytes[1] = '\x7f';
    CHECK_THROWS_AS((loaded<sorted_map<std::int64_t, std::uint32_t>>(bytes)), codec_error);
}

TEST_CASE("outreach keeps no row or expiry day that counts nothing after events take a candidate's consent or interest away",
          "[projections][outreach][sorted_map]") {
    using namespace ledger::events;
    constexpr auto brokerage = consent_purpose::contact_brokerage;
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-03-01", consent_granted{.purpose = brokerage, .expires_on = testing::day("2025-06-01")});
    s.add("candidate-k1", "2024-03-01", interest_registered{.campaign_id = "camp"});
    s.add("candidate-k2", "2024-03-02", consent_granted{.purpose = brokerage});
    auto const k2_interest = s.add("candidate-k2", "2024-03-02", interest_registered{.campaign_id = "other"});
    s.add("candidate-k2", "2024-03-04", invited_to_meeting{.with = meeting_partner::department,
                                                           .invited_on = testing::day("2024-03-04")});
    s.add("candidate-k3", "2024-03-03", interest_registered{.campaign_id = std::nullopt});
    // k1's expiry day empties (the withdrawal), k2's row "other" (the retracted interest), k3's
    // consent moves the null row's contribution to another expiry day.
    s.add("candidate-k1", "2024-03-05", consent_withdrawn{.purpose = brokerage});
    s.retract(k2_interest, "2024-03-06");
    s.add("candidate-k3", "2024-03-07", consent_granted{.purpose = brokerage, .expires_on = testing::day("2026-01-01")});
    s.add("candidate-k3", "2024-03-08", consent_granted{.purpose = brokerage});

    auto const folded = s.fold<projections::outreach>();
    // A load recounts the rows from the candidates' entries: only what counts something.
    auto const recounted = loaded<projections::outreach>(bytes_of(folded));
    CHECK(counted_bytes(folded) == counted_bytes(recounted));
    CHECK(folded.rows() == testing::json(R"([
      {"campaign_id":null,"interested":1,"interested_with_consent":1,"invited":0,"share_invited":0.0,
       "median_days_to_invitation":null},
      {"campaign_id":"camp","interested":1,"interested_with_consent":0,"invited":0,"share_invited":null,
       "median_days_to_invitation":null}
    ])"));
}
