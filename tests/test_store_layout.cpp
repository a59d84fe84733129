// The stored layout of the write path (issue 18, docs/performance.md): the stream index holds
// runs (one entry per run of a stream's consecutive events in the log), and a ledger of format
// version 1 (one entry per event) still opens, verifies, reads and takes appends.

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::make_event;
using ledger::testing::make_request;

namespace {

std::string u64_key(std::uint64_t value) {
    std::string key(8, '\0');
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(key.data()), value);
    return key;
}

std::uint64_t u64_of(std::string_view bytes) {
    return boost::endian::load_big_u64(reinterpret_cast<unsigned char const*>(bytes.data()));
}

std::size_t entries_of(std::filesystem::path const& data, char const* table) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const dbi = txn.open_database(table);
    return txn.entries(dbi);
}

/// Every version of `stream`, read forward in pages of 3 and backward in pages of 2.
std::vector<std::uint64_t> positions_both_ways(event_store const& store, std::string const& stream) {
    std::vector<std::uint64_t> forward;
    for (std::uint64_t from = 0;;) {
        auto page = store.read_stream(stream, from, 3, read_direction::forward);
        REQUIRE(page.has_value());
        if (page->empty()) break;
        for (auto const& e : *page) {
            CHECK(e.stream == stream);
            CHECK(e.version == forward.size());
            forward.push_back(e.position);
        }
        from = page->back().version + 1;
    }
    std::vector<std::uint64_t> backward;
    auto last = store.last_version(stream);
    REQUIRE(last);
    for (std::uint64_t from = *last;;) {
        auto page = store.read_stream(stream, from, 2, read_direction::backward);
        REQUIRE(page.has_value());
        for (auto const& e : *page) backward.insert(backward.begin(), e.position);
        if (page->back().version == 0) break;
        from = page->back().version - 1;
    }
    CHECK(backward == forward);
    return forward;
}

/// Rewrites the stream index the way format version 1 kept it (one entry per event) and marks
/// the ledger version 1.
void rewrite_as_format_1(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const log = txn.open_database("log");
    auto const index = txn.open_database("stream_index");
    auto const meta = txn.open_database("meta");
    std::vector<std::pair<std::string, std::string>> runs;
    {
        lmdb::cursor cursor(txn, index);
        for (auto run = cursor.first(); run; run = cursor.next()) runs.emplace_back(run->first, run->second);
    }
    std::vector<std::pair<std::string, std::string>> per_event;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const stream_key = runs[i].first.substr(0, 8);
        auto const first_version = u64_of(runs[i].first.substr(8));
        auto const first_position = u64_of(runs[i].second);
        bool const next_same_stream = i + 1 < runs.size() && runs[i + 1].first.substr(0, 8) == stream_key;
        std::string stream_name;
        for (std::uint64_t k = 0;; ++k) {
            if (next_same_stream && first_version + k == u64_of(runs[i + 1].first.substr(8))) break;
            auto const stored = txn.get(log, u64_key(first_position + k));
            if (!stored) break;
            auto const event = decode_stored(*stored);
            if (k == 0) stream_name = event.stream;
            if (event.stream != stream_name || event.version != first_version + k) break;
            per_event.emplace_back(stream_key + u64_key(first_version + k), u64_key(first_position + k));
        }
    }
    for (auto const& run : runs) txn.remove(index, run.first);
    for (auto const& [key, value] : per_event) txn.put(index, key, value);
    txn.put(meta, "format_version", u64_key(1));
    txn.commit();
}

std::uint64_t format_of(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const meta = txn.open_database("meta");
    auto const value = txn.get(meta, "format_version");
    REQUIRE(value);
    return u64_of(*value);
}

/// Interleaved appends: batches, single events to one stream in a row, and streams taking turns.
void write_mixed_ledger(event_store& store) {
    for (int round = 0; round < 3; ++round) {
        REQUIRE(store.append(make_request("campaign-batch", expected_version::any(),
                                          {make_event(), make_event(), make_event(), make_event()}))
                    .has_value());
        for (int i = 0; i < 3; ++i) {
            REQUIRE(store.append(make_request("campaign-row", expected_version::any(), {make_event()})).has_value());
        }
        for (int i = 0; i < 4; ++i) {
            auto const stream = "campaign-turn-" + std::to_string(i % 2);
            REQUIRE(store.append(make_request(stream, expected_version::any(), {make_event(), make_event()})).has_value());
        }
    }
}

}  // namespace

TEST_CASE("a stream's consecutive events share one stream-index entry and read back both ways",
          "[store][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::uint64_t> batch;
    std::vector<std::uint64_t> row;
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
        batch = positions_both_ways(store, "campaign-batch");
        row = positions_both_ways(store, "campaign-row");
        CHECK(positions_both_ways(store, "campaign-turn-0").size() == 12);
        CHECK(store.verify(true).ok);
    }
    CHECK(batch.size() == 12);
    CHECK(batch[0] == 0);
    CHECK(batch[3] == 3);
    CHECK(row == std::vector<std::uint64_t>{4, 5, 6, 19, 20, 21, 34, 35, 36});
    // 45 events; runs: batch 3, row 3, turn-0 6, turn-1 6 (each stream's two events in a row).
    CHECK(entries_of(data, "log") == 45);
    CHECK(entries_of(data, "stream_index") == 18);
    CHECK(format_of(data) == 2);
}

TEST_CASE("a ledger of format version 1 opens, verifies, reads and appends, and is then version 2",
          "[store][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::uint64_t> before;
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
        before = positions_both_ways(store, "campaign-row");
    }
    rewrite_as_format_1(data);
    REQUIRE(entries_of(data, "stream_index") == 45);
    REQUIRE(format_of(data) == 1);
    {
        event_store reader({.directory = data, .writer = false});
        CHECK(reader.verify(true).ok);
        CHECK(positions_both_ways(reader, "campaign-row") == before);
    }
    CHECK(format_of(data) == 1);  // opened for reading only: left as it was
    {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        CHECK(positions_both_ways(store, "campaign-row") == before);
        REQUIRE(store.append(make_request("campaign-row", expected_version::exact(8),
                                          {make_event(), make_event()}))
                    .has_value());
        auto const after = positions_both_ways(store, "campaign-row");
        CHECK(after.size() == 11);
        CHECK(std::equal(before.begin(), before.end(), after.begin()));
        CHECK(after[9] == 45);
        CHECK(store.verify(true).ok);
    }
    CHECK(format_of(data) == 2);
}

TEST_CASE("verify with indexes catches a stream-index run that points at the wrong events",
          "[store][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
    }
    {
        // Move the first run of the first stream one position on.
        lmdb::env env({.directory = data});
        lmdb::write_txn txn(env);
        auto const index = txn.open_database("stream_index");
        std::string key;
        {
            lmdb::cursor cursor(txn, index);
            auto const first = cursor.first();
            REQUIRE(first);
            key = first->first;
        }
        txn.put(index, key, u64_key(1));
        txn.commit();
    }
    event_store store({.directory = data});
    CHECK(store.verify().ok);  // the chain alone is intact
    auto const report = store.verify(true);
    CHECK_FALSE(report.ok);
    CHECK(report.problem == "the stream index does not point at this event");
}
