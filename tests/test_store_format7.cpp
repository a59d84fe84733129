// Store format 7 (docs/storage.md "Format 7"): a stream's runs keyed by their first position
// (they append whatever the stream) and linked back to the stream's previous run, heads alone
// in `streams` keyed by number (holding the newest run), and a mark for every 64th version.
// Ledgers of format 1-6 keep their stream tables and open, verify, read, append and back up.

#include "support/append_all.hpp"
#include "support/plain_log.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::append_all;
using ledger::testing::format_of;
using ledger::testing::make_event;
using ledger::testing::make_request;

namespace {

/// campaign-a and campaign-b take turns, one event each (runs of one event), `turns` times;
/// then campaign-c gets one batch of 100 (one run).
void write_interleaved(event_store& store, int turns) {
    std::vector<append_request> requests;
    for (int i = 0; i < turns; ++i) {
        requests.push_back(make_request("campaign-a", expected_version::any(), {make_event()}));
        requests.push_back(make_request("campaign-b", expected_version::any(), {make_event()}));
    }
    append_all(store, std::move(requests));
    REQUIRE(store.append(make_request("campaign-c", expected_version::any(),
                                      std::vector<event_to_append>(100, make_event())))
                .has_value());
}

struct table_sizes {
    std::size_t runs = 0, marks = 0, heads = 0;
};

table_sizes sizes_of(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    return {txn.entries(db.stream_runs), txn.entries(db.stream_marks), txn.entries(db.streams)};
}

/// Changes one table underneath the store: `change` gets the write transaction and tables.
void tamper(std::filesystem::path const& data,
            std::function<void(lmdb::write_txn&, detail::tables const&)> const& change) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    change(txn, db);
    txn.commit();
}

/// Every version of `stream` read forward and backward in pages of `limit`, checked against
/// the versions it must hold.
void check_reads(event_store const& store, std::string const& stream, std::uint64_t versions, std::size_t limit) {
    std::uint64_t next = 0;
    while (next < versions) {
        auto const page = store.read_stream(stream, next, limit, read_direction::forward);
        REQUIRE(page.has_value());
        REQUIRE_FALSE(page->empty());
        for (auto const& e : *page) CHECK(e.version == next++);
    }
    std::uint64_t expected = versions;
    while (expected > 0) {
        auto const page = store.read_stream(stream, expected - 1, limit, read_direction::backward);
        REQUIRE(page.has_value());
        REQUIRE_FALSE(page->empty());
        for (auto const& e : *page) CHECK(e.version == --expected);
    }
}

}  // namespace

TEST_CASE("a new ledger keeps stream runs by position, linked back, with heads alone and marks",
          "[store][format7]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_interleaved(store, 140);
        CHECK(store.verify(true).ok);
        check_reads(store, "campaign-a", 140, 7);
        check_reads(store, "campaign-b", 140, 64);
        check_reads(store, "campaign-c", 100, 30);
        auto const middle = store.read_stream("campaign-a", 63, 3, read_direction::forward);
        REQUIRE(middle.has_value());
        REQUIRE(middle->size() == 3);
        CHECK(middle->front().position == 2 * 63);  // a's turns are the even positions
        CHECK(middle->back().position == 2 * 65);
    }
    CHECK(format_of(data) == 8);
    auto const sizes = sizes_of(data);
    CHECK(sizes.runs == 140 + 140 + 1);
    CHECK(sizes.marks == 2 + 2 + 1);  // versions 64 and 128 of a and b, 64 of c
    CHECK(sizes.heads == 3);
    {
        // After a reopen the writer does not know the open run: the next event starts its own.
        event_store store({.directory = data});
        REQUIRE(store.append(make_request("campaign-c", expected_version::exact(99), {make_event(), make_event()}))
                    .has_value());
        REQUIRE(store.append(make_request("campaign-a", expected_version::exact(139), {make_event()})).has_value());
        CHECK(store.verify(true).ok);
        check_reads(store, "campaign-c", 102, 101);
        check_reads(store, "campaign-a", 141, 1000);
        std::filesystem::create_directories(dir / "copy");
        store.environment().copy_compacted(dir / "copy");
    }
    CHECK(sizes_of(data).runs == 281 + 2);
    event_store copy({.directory = dir / "copy"});
    CHECK(copy.verify(true).ok);
    check_reads(copy, "campaign-b", 140, 50);
}

TEST_CASE("verify with indexes catches a linked run, back link, head or mark that is wrong",
          "[store][format7][tamper]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_interleaved(store, 70);
    }
    using change = std::function<void(lmdb::write_txn&, detail::tables const&)>;
    auto const rewrite_run = [](std::uint64_t position, std::function<void(detail::run_record&)> edit) {
        return change([position, edit](lmdb::write_txn& txn, detail::tables const& db) {
            auto const key = detail::encode_u64(position);
            auto record = detail::decode_run_record(*txn.get(db.stream_runs, detail::view(key)));
            edit(record);
            std::string bytes;
            detail::encode_run_record(record, bytes);
            txn.put(db.stream_runs, detail::view(key), bytes);
        });
    };
    std::vector<std::pair<std::string, change>> const tampering{
        {"a run names another stream", rewrite_run(4, [](detail::run_record& r) { ++r.stream_number; })},
        {"a run names another version", rewrite_run(4, [](detail::run_record& r) { ++r.first_version; })},
        {"a back link skips a run", rewrite_run(6, [](detail::run_record& r) { r.back += 2; })},
        {"a run is gone", change([](lmdb::write_txn& txn, detail::tables const& db) {
             txn.remove(db.stream_runs, detail::view(detail::encode_u64(8)));
         })},
        {"a mark is gone", change([](lmdb::write_txn& txn, detail::tables const& db) {
             lmdb::cursor marks(txn, db.stream_marks);
             auto const first = marks.first();
             REQUIRE(first);
             std::string const key(first->first);
             txn.remove(db.stream_marks, key);
         })},
        {"a head names an older run", change([](lmdb::write_txn& txn, detail::tables const& db) {
             auto const key = detail::encode_u64(0);  // campaign-a
             auto head = detail::decode_stream_head(*txn.get(db.streams, detail::view(key)), db.heads, 0);
             head.last_run -= 2;
             std::string bytes;
             detail::encode_stream_head(head, db.heads, bytes);
             txn.put(db.streams, detail::view(key), bytes);
         })},
    };
    for (auto const& [what, edit] : tampering) {
        SECTION(what) {
            tamper(data, edit);
            event_store store({.directory = data});
            CHECK_FALSE(store.verify(true).ok);
            CHECK(store.verify(false).ok);  // the chain itself is intact
        }
    }
}

TEST_CASE("a format 6 ledger keeps its combined streams table: it opens, verifies, reads, appends and backs up",
          "[store][format7][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_interleaved(store, 70);
    }
    ledger::testing::rewrite_as_format_6(data);
    CHECK(sizes_of(data).runs == 0);
    {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        check_reads(store, "campaign-a", 70, 9);
        check_reads(store, "campaign-c", 100, 100);
        REQUIRE(store.append(make_request("campaign-b", expected_version::exact(69), {make_event(), make_event()}))
                    .has_value());
        REQUIRE(store.append(make_request("campaign-d", expected_version::no_stream(), {make_event()})).has_value());
        CHECK(store.verify(true).ok);
        check_reads(store, "campaign-b", 72, 5);
        std::filesystem::create_directories(dir / "copy");
        store.environment().copy_compacted(dir / "copy");
    }
    CHECK(format_of(data) == 6);
    CHECK(sizes_of(data).runs == 0);
    CHECK(sizes_of(data).marks == 0);
    event_store copy({.directory = dir / "copy"});
    CHECK(copy.verify(true).ok);
    check_reads(copy, "campaign-b", 72, 10);
}

TEST_CASE("a follower stores a format 7 leader's events with the same runs, marks and reads, in its own format",
          "[store][format7][replication]") {
    ledger::testing::temp_dir dir;
    event_store leader({.directory = dir / "leader"});
    write_interleaved(leader, 70);
    // A new follower (format 7) and one of format 6 (rewritten while still empty of events).
    bool const older = GENERATE(false, true);
    auto const data = dir / "follower";
    if (older) {
        { event_store empty({.directory = data}); }
        ledger::testing::rewrite_as_format_6(data);
    }
    {
        event_store follower({.directory = data});
        std::vector<replicated_event> events;
        for (std::uint64_t p = 0; p < leader.head().events; ++p) {
            events.push_back({.position = p, .stored = *leader.stored_event(p), .subject_key = {}, .erased_subject = {}});
        }
        // In two parts: the second starts inside campaign-c's batch (its run goes on).
        std::vector<replicated_event> const first(events.begin(), events.begin() + 180);
        std::vector<replicated_event> const rest(events.begin() + 180, events.end());
        REQUIRE(follower.append_replicated(first).has_value());
        REQUIRE(follower.append_replicated(rest).has_value());
        CHECK(follower.head().hash == leader.head().hash);
        CHECK(follower.verify(true).ok);
        check_reads(follower, "campaign-a", 70, 11);
        check_reads(follower, "campaign-c", 100, 40);
        CHECK(follower.last_version("campaign-b") == leader.last_version("campaign-b"));
    }
    CHECK(format_of(data) == (older ? 6u : 8u));
}
