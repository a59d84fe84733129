#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::make_event;
using ledger::testing::make_request;

namespace {

/// 2,000 bytes that do not compress (formats 4 and 5 compress the log's values, docs/storage.md), so
/// that a batch takes as much of the map as it did before.
std::string incompressible_data() {
    static std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    std::string data(2000, '\0');
    for (auto& c : data) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        c = static_cast<char>(state >> 56);
    }
    return data;
}

append_request big_batch(std::string stream, int events) {
    std::vector<event_to_append> batch;
    for (int i = 0; i < events; ++i) batch.push_back(make_event("NoteRecorded", incompressible_data()));
    return make_request(std::move(stream), expected_version::any(), std::move(batch));
}

}  // namespace

TEST_CASE("the map grows by itself when it fills", "[store][storage]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data", .initial_map_size = 1 << 20});
    auto const initial = store.environment().map_size();
    for (int i = 0; i < 10; ++i) REQUIRE(store.append(big_batch("campaign-a", 200)).has_value());
    CHECK(store.environment().map_size() > initial);
    CHECK(store.head().events == 2000);
    CHECK(store.verify().ok);
}

TEST_CASE("a full store refuses appends with storage_full and keeps what it had",
          "[store][storage]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data",
                       .initial_map_size = 1 << 20,
                       .max_map_size = 4 << 20});
    std::optional<append_result> refused;
    std::uint64_t stored_before_refusal = 0;
    for (int i = 0; i < 100 && !refused; ++i) {
        auto r = store.append(big_batch("campaign-a", 100));
        if (r) {
            stored_before_refusal = r->last_position + 1;
        } else {
            refused = std::move(r);
        }
    }
    REQUIRE(refused);
    CHECK(refused->error().code == error_code::storage_full);
    CHECK(store.head().events == stored_before_refusal);
    auto const report = store.verify();
    CHECK(report.ok);
    CHECK(report.events == stored_before_refusal);

    // Smaller appends that still fit go on being accepted.
    auto const small = store.append(make_request("campaign-a", expected_version::any(), {make_event()}));
    CHECK(small.has_value());
}
