#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::make_event;
using ledger::testing::make_request;

namespace {

std::string read_file(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(std::filesystem::path const& path, std::string const& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("each event's hash chains the previous hash and its canonical bytes", "[chain]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    for (int i = 0; i < 3; ++i) {
        REQUIRE(store.append(make_request("campaign-a", expected_version::any(),
                                          {make_event("NoteRecorded", std::to_string(i))}))
                    .has_value());
    }
    sha256_digest previous{};
    for (std::uint64_t p = 0; p < 3; ++p) {
        auto const e = store.read_event(p);
        REQUIRE(e);
        CHECK(e->hash == sha256_hasher{}.chain(previous, encode_canonical(*e)));
        previous = e->hash;
    }
    CHECK(store.head().hash == previous);

    auto const report = store.verify();
    CHECK(report.ok);
    CHECK(report.events == 3);
    CHECK(report.head.hash == previous);
}

TEST_CASE("verify reports the position of a byte changed on disk", "[chain]") {
    ledger::testing::temp_dir dir;
    auto const data_dir = dir / "data";
    {
        event_store store({.directory = data_dir});
        for (int i = 0; i < 20; ++i) {
            std::string const data = i == 13 ? "contract-signed-for-TAMPERME" : "event-" + std::to_string(i);
            REQUIRE(store.append(make_request("candidate-c1", expected_version::any(),
                                              {make_event("NoteRecorded", data)}))
                        .has_value());
        }
        REQUIRE(store.verify().ok);
    }
    // An attacker edits the file at rest: one byte of event 13's stored value, which format 5
    // keeps compressed (docs/storage.md), so it is found as the whole value rather than as the
    // data's text. Copy-on-write leaves stale copies of the page behind, so change every copy,
    // the live one among them.
    std::string value;
    {
        lmdb::env env({.directory = data_dir});
        lmdb::write_txn txn(env);  // never committed: nothing is written
        std::string const key("\0\0\0\0\0\0\0\x0d", 8);
        value = std::string(txn.get(txn.open_database("log"), key).value());
    }
    REQUIRE(value.size() > 33);
    auto bytes = read_file(data_dir / "data.mdb");
    std::size_t changed = 0;
    for (auto at = bytes.find(value); at != std::string::npos; at = bytes.find(value, at + 1)) {
        bytes[at + 1 + (value.size() - 33) / 2] ^= 0x20;  // between the value's tag and its hash
        ++changed;
    }
    REQUIRE(changed > 0);
    write_file(data_dir / "data.mdb", bytes);

    event_store store({.directory = data_dir});
    auto const report = store.verify();
    CHECK_FALSE(report.ok);
    REQUIRE(report.first_bad_position);
    CHECK(*report.first_bad_position == 13);
    CHECK(report.events == 13);
}

TEST_CASE("an empty ledger verifies with an all-zero head", "[chain]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    auto const report = store.verify();
    CHECK(report.ok);
    CHECK(report.events == 0);
    CHECK(report.head.hash == sha256_digest{});
    CHECK_FALSE(report.head.position());
}

TEST_CASE("verify with indexes proves every event is found by id and by stream version", "[chain][indexes]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    for (int i = 0; i < 30; ++i) {
        REQUIRE(store.append(make_request("candidate-c" + std::to_string(i % 4), expected_version::any(),
                                          {make_event(), make_event()}))
                    .has_value());
    }
    auto const report = store.verify(/*check_indexes=*/true);
    CHECK(report.ok);
    CHECK(report.events == 60);
    CHECK(report.problem.empty());
}

TEST_CASE("verify with indexes catches an index entry that points nowhere in the log", "[chain][indexes]") {
    ledger::testing::temp_dir dir;
    {
        event_store store({.directory = dir / "data"});
        REQUIRE(store.append(make_request("candidate-c1", expected_version::any(), {make_event()})).has_value());
    }
    {
        // Tamper with the index behind the store's back: a stray key mapped to position 0
        // (format 6's keyed index: a 4-byte key, a 6-byte position).
        store::lmdb::env env({.directory = dir / "data"});
        store::lmdb::write_txn txn(env);
        auto const ids = txn.open_database("event_id_keys", MDB_DUPSORT | MDB_DUPFIXED);
        std::string const stray(4, 'x');
        std::string const position(6, '\0');
        txn.put(ids, stray, position);
        txn.commit();
    }
    event_store store({.directory = dir / "data"});
    CHECK(store.verify().ok);  // the chain itself is intact
    auto const deep = store.verify(/*check_indexes=*/true);
    CHECK_FALSE(deep.ok);
    CHECK(deep.problem == "the indexes hold entries that are not in the log");
}
