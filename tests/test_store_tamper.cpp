// Tamper evidence at open (SPEC §3, §11): a ledger whose log disagrees with its stored chain head
// in either direction is refused, and verify names what is wrong. Each case writes a small
// ledger, changes it underneath the store with raw LMDB (as an attacker with the files could),
// then opens it again.

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <catch2/catch.hpp>

#include <array>

using namespace ledger;
using namespace ledger::testing;

namespace {

constexpr int events = 5;

void write_ledger(std::filesystem::path const& data) {
    store::event_store store({.directory = data});
    for (int i = 0; i < events; ++i) REQUIRE(store.append(one_event("note-" + std::to_string(i))).has_value());
}

std::array<char, 8> position_key(std::uint64_t position) {
    std::array<char, 8> key{};
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(key.data()), position);
    return key;
}

/// Runs `change` in a raw write transaction on the ledger's tables.
template <class Change>
void tamper(std::filesystem::path const& data, Change change) {
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    change(txn, txn.open_database("log"), txn.open_database("meta"));
    txn.commit();
}

std::string open_failure(std::filesystem::path const& data) {
    try {
        store::event_store store({.directory = data});
    } catch (std::runtime_error const& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("open refuses a log whose last event was cut off (a truncated tail)", "[store][tamper]") {
    temp_dir directory;
    write_ledger(directory.path());
    tamper(directory.path(), [](store::lmdb::write_txn& txn, store::lmdb::dbi log, store::lmdb::dbi) {
        auto const key = position_key(events - 1);
        REQUIRE(txn.remove(log, {key.data(), key.size()}));
    });
    CHECK(open_failure(directory.path()).find("chain head") != std::string::npos);
}

TEST_CASE("open refuses a log with an event deleted in the middle", "[store][tamper]") {
    temp_dir directory;
    write_ledger(directory.path());
    tamper(directory.path(), [](store::lmdb::write_txn& txn, store::lmdb::dbi log, store::lmdb::dbi) {
        auto const key = position_key(2);
        REQUIRE(txn.remove(log, {key.data(), key.size()}));
    });
    CHECK(open_failure(directory.path()).find("last position is 4") != std::string::npos);
}

TEST_CASE("open refuses an emptied log whose chain head still names an event", "[store][tamper]") {
    temp_dir directory;
    write_ledger(directory.path());
    tamper(directory.path(), [](store::lmdb::write_txn& txn, store::lmdb::dbi log, store::lmdb::dbi) {
        for (std::uint64_t p = 0; p < events; ++p) {
            auto const key = position_key(p);
            REQUIRE(txn.remove(log, {key.data(), key.size()}));
        }
    });
    CHECK(open_failure(directory.path()).find("log is empty") != std::string::npos);
}

TEST_CASE("open refuses an edited chain head in meta", "[store][tamper]") {
    temp_dir directory;
    write_ledger(directory.path());
    tamper(directory.path(), [](store::lmdb::write_txn& txn, store::lmdb::dbi, store::lmdb::dbi meta) {
        auto head = std::string(*txn.get(meta, "chain_head"));
        head.back() = static_cast<char>(head.back() ^ 0x01);  // one bit of the hash
        txn.put(meta, "chain_head", head);
    });
    CHECK(open_failure(directory.path()).find("chain head") != std::string::npos);
}

TEST_CASE("verify with indexes finds an id index entry that points elsewhere", "[store][tamper]") {
    temp_dir directory;
    write_ledger(directory.path());
    {
        store::lmdb::env env({.directory = directory.path()});
        store::lmdb::write_txn txn(env);
        // Format 6's keyed index: a key -> 6-byte positions, sorted duplicates.
        auto const ids = txn.open_database("event_id_keys", MDB_DUPSORT | MDB_DUPFIXED);
        std::string id;
        {
            store::lmdb::cursor cursor(txn, ids);  // closed before the commit
            auto const first = cursor.first();
            REQUIRE(first);
            REQUIRE(first->second != std::string(5, '\0') + '\x03');  // not already at 3
            id = first->first;
        }
        txn.remove(ids, id);
        auto const elsewhere = position_key(3);
        txn.put(ids, id, std::string_view(elsewhere.data(), elsewhere.size()).substr(2));
        txn.commit();
    }
    store::event_store store({.directory = directory.path()});
    CHECK(store.verify().ok);  // the chain alone is intact
    auto const report = store.verify(true);
    CHECK_FALSE(report.ok);
    CHECK(report.problem.find("event-id index") != std::string::npos);
}
