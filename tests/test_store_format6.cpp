// Store format 6 (docs/storage.md "Format 6"): the event-id index keyed by a short key made from
// the id (a UUIDv7's first 8 bytes, any other id's 4-byte mix) holding 6-byte positions as sorted
// duplicates; a lookup reads its candidates' ids from the log. Ledgers of format 1-5 keep the
// whole-id index (`event_ids`) and open, verify, append, retry and back up as they are.

#include "support/plain_log.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/event_id_index.hpp"
#include "detail/tables.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::format_of;
using ledger::testing::make_event;
using ledger::testing::make_event_with_id;
using ledger::testing::make_request;

namespace {

/// The keyed index's records as (key, value) pairs, in LMDB's order.
std::vector<std::pair<std::string, std::string>> keyed_records(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    std::vector<std::pair<std::string, std::string>> records;
    lmdb::cursor cursor(txn, txn.open_database("event_id_keys", MDB_DUPSORT | MDB_DUPFIXED));
    for (auto entry = cursor.first(); entry; entry = cursor.next()) records.emplace_back(entry->first, entry->second);
    return records;
}

std::size_t whole_id_entries(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    return txn.entries(txn.open_database("event_ids"));
}

std::string random_v4_id(std::mt19937_64& random) {
    char text[37];
    auto const a = random();
    auto const b = random();
    std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-8%03llx-%012llx", static_cast<unsigned long long>(a >> 32),
                  static_cast<unsigned long long>((a >> 16) & 0xffff), static_cast<unsigned long long>(a & 0xfff),
                  static_cast<unsigned long long>(b >> 52), static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return text;
}

/// Two random version-4 ids whose format-6 keys are the same (a birthday search over 4 bytes).
std::pair<std::string, std::string> v4_ids_sharing_a_key() {
    std::mt19937_64 random(18);
    std::map<std::string, std::string> by_key;
    for (;;) {
        auto id = random_v4_id(random);
        detail::event_id_key const key(*parse_uuid(id), detail::id_index_layout::keyed);
        auto const [it, inserted] = by_key.emplace(std::string(key.view()), id);
        if (!inserted && it->second != id) return {it->second, id};
    }
}

// Three UUIDv7 ids with the same first 8 bytes (same millisecond, same 12 bits): one key.
constexpr char const* v7_a = "01890a5d-ac96-7abc-8000-000000000001";
constexpr char const* v7_b = "01890a5d-ac96-7abc-8000-000000000002";
constexpr char const* v7_c = "01890a5d-ac96-7abc-8000-000000000003";
constexpr char const* v7_unstored = "01890a5d-ac96-7abc-8000-000000000009";

}  // namespace

TEST_CASE("a new ledger indexes event ids by short keys and finds every event by its id", "[store][format6]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::mt19937_64 random(6);
    std::vector<std::pair<uuid, std::uint64_t>> ids;
    {
        event_store store({.directory = data});
        for (int i = 0; i < 50; ++i) {
            auto const generated = store.append(make_request("campaign-g" + std::to_string(i % 7),
                                                             expected_version::any(), {make_event(), make_event()}));
            REQUIRE(generated.has_value());
            auto const client = store.append(make_request("campaign-c" + std::to_string(i % 5), expected_version::any(),
                                                          {make_event_with_id(random_v4_id(random))}));
            REQUIRE(client.has_value());
        }
        store.scan(0, [&](recorded_event const& e) {
            ids.emplace_back(e.id, e.position);
            return true;
        });
        REQUIRE(ids.size() == 150);
        for (auto const& [id, position] : ids) CHECK(store.position_of(id) == position);
        CHECK_FALSE(store.position_of(*parse_uuid(v7_unstored)).has_value());
        CHECK(store.verify(true).ok);
    }
    CHECK(format_of(data) == 8);  // format 6's id index, format 7's stream runs, format 8's heads
    CHECK(whole_id_entries(data) == 0);
    auto const records = keyed_records(data);
    REQUIRE(records.size() == 150);
    std::size_t short_keys = 0;
    for (auto const& [key, value] : records) {
        CHECK((key.size() == 4 || key.size() == 8));
        CHECK(value.size() == 6);
        if (key.size() == 4) ++short_keys;
    }
    CHECK(short_keys == 50);  // the client's version-4 ids; generated ids are UUIDv7
}

TEST_CASE("event ids that share an index key are told apart through the log", "[store][format6]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    auto const [v4_first, v4_second] = v4_ids_sharing_a_key();
    std::uint64_t batch_first = 0;
    {
        event_store store({.directory = data});
        auto const batch = store.append(make_request("campaign-a", expected_version::no_stream(),
                                                     {make_event_with_id(v7_a), make_event_with_id(v7_b)}));
        REQUIRE(batch.has_value());
        batch_first = batch->first_position;
        REQUIRE(store.append(make_request("campaign-b", expected_version::any(), {make_event_with_id(v4_first)})).has_value());
        REQUIRE(store.append(make_request("campaign-b", expected_version::any(), {make_event_with_id(v4_second)})).has_value());

        auto const retry = store.append(make_request("campaign-a", expected_version::no_stream(),
                                                     {make_event_with_id(v7_a), make_event_with_id(v7_b)}));
        REQUIRE(retry.has_value());
        CHECK(retry->already_recorded);
        CHECK(retry->first_position == batch_first);
        auto const reused = store.append(make_request("campaign-c", expected_version::any(),
                                                      {make_event_with_id(v7_c), make_event_with_id(v4_second)}));
        REQUIRE_FALSE(reused.has_value());
        CHECK(reused.error().code == error_code::duplicate_event_id);
        CHECK_FALSE(store.position_of(*parse_uuid(v7_c)).has_value());
        CHECK_FALSE(store.position_of(*parse_uuid(v7_unstored)).has_value());
    }
    {
        event_store store({.directory = data});  // the index's tail read back at open
        REQUIRE(store.append(make_request("campaign-c", expected_version::any(), {make_event_with_id(v7_c)})).has_value());
        CHECK(store.position_of(*parse_uuid(v7_a)) == batch_first);
        CHECK(store.position_of(*parse_uuid(v7_b)) == batch_first + 1);
        CHECK(store.position_of(*parse_uuid(v4_first)) == 2);
        CHECK(store.position_of(*parse_uuid(v4_second)) == 3);
        CHECK(store.position_of(*parse_uuid(v7_c)) == 4);
        CHECK(store.verify(true).ok);
        std::filesystem::create_directories(dir / "copy");
        store.environment().copy_compacted(dir / "copy");
    }
    auto const records = keyed_records(data);
    REQUIRE(records.size() == 5);
    std::map<std::string, std::size_t> per_key;
    for (auto const& [key, value] : records) ++per_key[key];
    CHECK(per_key.size() == 2);  // three v7 ids on one key, two v4 ids on another
    CHECK(keyed_records(dir / "copy") == records);
    event_store copy({.directory = dir / "copy"});
    CHECK(copy.verify(true).ok);
    CHECK(copy.position_of(*parse_uuid(v7_b)) == batch_first + 1);
}

TEST_CASE("a format 5 ledger keeps its whole-id index: it opens, verifies, appends, retries and backs up",
          "[store][format6][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::mt19937_64 random(5);
    auto const client_id = random_v4_id(random);
    {
        event_store store({.directory = data});
        REQUIRE(store.append(make_request("campaign-a", expected_version::no_stream(), {make_event(), make_event()})).has_value());
        REQUIRE(store.append(make_request("campaign-b", expected_version::no_stream(), {make_event_with_id(client_id)})).has_value());
    }
    ledger::testing::rewrite_as_format_5(data);
    {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        auto const retry = store.append(make_request("campaign-b", expected_version::no_stream(),
                                                     {make_event_with_id(client_id)}));
        REQUIRE(retry.has_value());
        CHECK(retry->already_recorded);
        CHECK(retry->first_position == 2);
        REQUIRE(store.append(make_request("campaign-a", expected_version::any(),
                                          {make_event(), make_event_with_id(random_v4_id(random))})).has_value());
        REQUIRE(store.append(make_request("campaign-c", expected_version::any(), {make_event_with_id(v7_a)})).has_value());
        CHECK(store.position_of(*parse_uuid(client_id)) == 2);
        CHECK(store.position_of(*parse_uuid(v7_a)) == 5);
        CHECK(store.verify(true).ok);
        std::filesystem::create_directories(dir / "copy");
        store.environment().copy_compacted(dir / "copy");
    }
    CHECK(format_of(data) == 5);
    CHECK(whole_id_entries(data) == 6);
    CHECK(keyed_records(data).empty());
    event_store copy({.directory = dir / "copy"});
    CHECK(copy.verify(true).ok);
    CHECK(copy.position_of(*parse_uuid(client_id)) == 2);
}
