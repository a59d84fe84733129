// The data file written ahead (group_writer_options::data_file_ahead, detail/data_file_ahead.hpp):
// the writer keeps zeros past the last page the ledger uses, and those zeros are never part
// of what the ledger stores. No timing: each check is on the file's length, the pages LMDB
// uses and what reads back.

#include "detail/data_file_ahead.hpp"
#include "detail/group_writer.hpp"

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::one_event;

namespace {

// What the store's writer keeps (group_writer_options' default).
std::uint64_t const writer_ahead = detail::group_writer_options{}.data_file_ahead;

std::uint64_t data_file_size(std::filesystem::path const& directory) {
    return std::filesystem::file_size(directory / "data.mdb");
}

std::uint64_t used_bytes(std::filesystem::path const& directory) {
    lmdb::env env({.directory = directory, .read_only = true});
    return env.used_bytes();
}

// The value a put of `key` stores: its own bytes, so a page overwritten with zeros shows.
std::string value_of(std::uint64_t key) { return std::string(200, static_cast<char>('a' + key % 26)) + std::to_string(key); }

}  // namespace

TEST_CASE("the writer keeps the data file written ahead of the pages the ledger uses", "[store][file_ahead]") {
    testing::temp_dir dir;
    {
        event_store store({.directory = dir.path()});
        for (int i = 0; i < 300; ++i) REQUIRE(store.append(one_event("candidate-c-" + std::to_string(i % 7))).has_value());
    }  // the writer's thread has kept the file ahead after its last commit
    // LMDB alone never writes past its last used page, so the file would end at or before it.
    auto const used = used_bytes(dir.path());
    auto const size = data_file_size(dir.path());
    CHECK(size >= used + writer_ahead / 2);
    CHECK(size <= used + writer_ahead);
}

TEST_CASE("a ledger written ahead reopens, verifies, reads every event and appends on", "[store][file_ahead]") {
    testing::temp_dir dir;
    std::uint64_t appended = 0;
    for (int round = 0; round < 3; ++round) {
        event_store store({.directory = dir.path()});
        auto const report = store.verify(true);
        REQUIRE(report.ok);
        REQUIRE(report.events == appended);
        REQUIRE(!store.verify_tree().has_value());
        // Concurrent callers, so groups of several requests commit too.
        std::vector<std::thread> callers;
        std::atomic<int> failures{0};
        for (int t = 0; t < 8; ++t) {
            callers.emplace_back([&store, &failures, t, round] {
                for (int i = 0; i < 60; ++i) {
                    auto const stream = "candidate-r" + std::to_string(round) + "-" + std::to_string(t);
                    if (!store.append(one_event(stream)).has_value()) ++failures;
                }
            });
        }
        for (auto& c : callers) c.join();
        REQUIRE(failures == 0);
        appended += 8 * 60;
        for (int t = 0; t < 8; ++t) {
            auto const events = store.read_stream("candidate-r" + std::to_string(round) + "-" + std::to_string(t),
                                                  std::nullopt, 1000, read_direction::forward);
            REQUIRE(events.has_value());
            REQUIRE(events->size() == 60);
        }
    }
    event_store store({.directory = dir.path(), .writer = false});
    auto const report = store.verify(true);
    CHECK(report.ok);
    CHECK(report.events == appended);
    CHECK(!store.verify_tree().has_value());
    CHECK(store.read_log({.from_position = 0, .limit = 10'000}).size() == appended);
    CHECK(data_file_size(dir.path()) > used_bytes(dir.path()));
}

TEST_CASE("extending the data file never overwrites pages another transaction wrote", "[store][file_ahead]") {
    testing::temp_dir dir;
    constexpr std::uint64_t puts = 4'000;
    lmdb::env env({.directory = dir.path()});
    lmdb::dbi table;
    {
        lmdb::write_txn txn(env);
        table = txn.open_database("values");
        txn.commit();
    }
    // One thread commits puts while another extends the file again and again: the writer lock
    // orders them, and each extension starts at the file's end at that moment. Values are read
    // through the map, i.e. the file's bytes: a page overwritten with zeros would show.
    std::atomic<bool> done{false};
    std::thread extender([&env, &done] {
        detail::data_file_ahead keeper(std::uint64_t{64} << 10);
        while (!done) {
            {
                lmdb::write_txn txn(env);
                txn.extend_data_file(env.used_bytes() + (std::uint64_t{16} << 10));
            }
            keeper.keep(env);
        }
    });
    for (std::uint64_t key = 0; key < puts; key += 4) {
        lmdb::write_txn txn(env);
        for (std::uint64_t k = key; k < key + 4; ++k) txn.put(table, std::to_string(k), value_of(k));
        txn.commit();
    }
    done = true;
    extender.join();
    CHECK(data_file_size(dir.path()) > env.used_bytes());
    lmdb::read_txn reader(env);
    std::uint64_t wrong = 0;
    for (std::uint64_t k = 0; k < puts; ++k) {
        auto const value = reader.get(table, std::to_string(k));
        if (!value || *value != value_of(k)) ++wrong;
    }
    CHECK(wrong == 0);
}

TEST_CASE("extending the data file to a length it already has writes nothing", "[store][file_ahead]") {
    testing::temp_dir dir;
    lmdb::env env({.directory = dir.path()});
    {
        lmdb::write_txn txn(env);
        txn.open_database("values");
        txn.commit();
    }
    auto const before = data_file_size(dir.path());
    {
        lmdb::write_txn txn(env);
        CHECK(txn.extend_data_file(before / 2) == before);
        CHECK(txn.extend_data_file(before + 8192) == before + 8192);
    }
    CHECK(data_file_size(dir.path()) == before + 8192);
    CHECK(env.used_bytes() <= before);
}
