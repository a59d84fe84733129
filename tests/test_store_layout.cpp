// The stored layout of the write path (issue 18, docs/performance.md): the stream index holds
// runs (one entry per run of a stream's consecutive events in the log); since format 3 a
// stream's runs and head sit side by side in one table, `streams`; ledgers of format version 1
// (one entry per event) and 2 (runs, in stream_index beside stream_heads) still open, verify,
// read and take appends in their own layout.

#include "support/plain_log.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
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

/// The keys of the `streams` table (format 3), in order.
std::vector<std::string> stream_table_keys(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const streams = txn.open_database("streams");
    std::vector<std::string> keys;
    lmdb::cursor cursor(txn, streams);
    for (auto entry = cursor.first(); entry; entry = cursor.next()) keys.emplace_back(entry->first);
    return keys;
}

std::size_t runs_in(std::vector<std::string> const& keys) {
    return static_cast<std::size_t>(std::count_if(keys.begin(), keys.end(), [](auto const& key) {
        return store::detail::parse_stream_key(key).what == store::detail::stream_key_parts::kind::run;
    }));
}

/// Rewrites a format-3 ledger the way format version 2 kept its streams: heads in
/// `stream_heads` by name, runs in `stream_index` (the same keys as in `streams`).
void rewrite_as_format_2(std::filesystem::path const& data) {
    ledger::testing::rewrite_as_format_3(data);  // plain log values first (format 4's are compressed)
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const streams = txn.open_database("streams");
    auto const names = txn.open_database("stream_names");
    auto const heads = txn.open_database("stream_heads");
    auto const index = txn.open_database("stream_index");
    auto const meta = txn.open_database("meta");
    std::map<std::uint64_t, std::string> head_of;
    std::vector<std::pair<std::string, std::string>> runs;
    std::vector<std::pair<std::string, std::uint64_t>> named;
    {
        lmdb::cursor cursor(txn, streams);
        for (auto entry = cursor.first(); entry; entry = cursor.next()) {
            auto const parts = store::detail::parse_stream_key(entry->first);
            REQUIRE(parts.what != store::detail::stream_key_parts::kind::malformed);
            if (parts.what == store::detail::stream_key_parts::kind::head) {
                head_of[parts.stream_number] = std::string(entry->second);
            } else {
                runs.emplace_back(std::string(entry->first), std::string(entry->second));
            }
        }
        lmdb::cursor name_cursor(txn, names);
        for (auto entry = name_cursor.first(); entry; entry = name_cursor.next()) {
            named.emplace_back(std::string(entry->first), u64_of(entry->second));
        }
    }
    for (auto const& [key, position] : runs) {
        txn.put(index, key, position);
        txn.remove(streams, key);
    }
    for (auto const& [name, number] : named) {
        txn.put(heads, name, head_of.at(number));
        txn.remove(names, name);
        txn.remove(streams, u64_key(number) + u64_key(store::detail::head_key_version));
    }
    txn.put(meta, "format_version", u64_key(2));
    txn.commit();
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
    CHECK(entries_of(data, "stream_runs") == 18);
    CHECK(entries_of(data, "streams") == 4);  // one head per stream (format 7: heads alone)
    CHECK(entries_of(data, "stream_names") == 4);
    CHECK(entries_of(data, "stream_index") == 0);
    CHECK(entries_of(data, "stream_heads") == 0);
    CHECK(format_of(data) == 8);  // linked runs, heads written every few commits, compressed log values, the keyed id index (docs/storage.md)
    // Format 6 kept the same runs in `streams`, before each stream's head.
    ledger::testing::rewrite_as_format_6(data);
    auto const keys = stream_table_keys(data);
    CHECK(runs_in(keys) == 18);
    CHECK(keys.size() == 18 + 4);
    event_store reopened({.directory = data});
    CHECK(reopened.verify(true).ok);
    CHECK(positions_both_ways(reopened, "campaign-row") == row);
}

TEST_CASE("a format 6 ledger keeps each stream's runs and then its head side by side in one table",
          "[store][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
        CHECK(store.stats().streams == 4);
    }
    ledger::testing::rewrite_as_format_6(data);
    using kind = store::detail::stream_key_parts::kind;
    std::uint64_t row_number = 0;
    {
        lmdb::env env({.directory = data});
        lmdb::write_txn txn(env);
        auto const number = txn.get(txn.open_database("stream_names"), "campaign-row");
        REQUIRE(number);
        row_number = u64_of(*number);
    }
    // campaign-row: three runs (versions 0, 3, 6), then its head, nothing of another stream between.
    auto const keys = stream_table_keys(data);
    auto const first = std::find_if(keys.begin(), keys.end(), [&](auto const& key) {
        return store::detail::parse_stream_key(key).stream_number == row_number;
    });
    REQUIRE(std::distance(first, keys.end()) >= 4);
    for (std::size_t i = 0; i < 4; ++i) {
        auto const parts = store::detail::parse_stream_key(*(first + static_cast<std::ptrdiff_t>(i)));
        CHECK(parts.stream_number == row_number);
        CHECK(parts.what == (i < 3 ? kind::run : kind::head));
        if (i < 3) CHECK(parts.first_version == 3 * i);
    }
    if (first + 4 != keys.end()) CHECK(store::detail::parse_stream_key(*(first + 4)).stream_number != row_number);
}

TEST_CASE("a ledger of format version 2 opens, verifies, reads and appends in its own two tables",
          "[store][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::uint64_t> before;
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
        before = positions_both_ways(store, "campaign-row");
    }
    rewrite_as_format_2(data);
    REQUIRE(entries_of(data, "stream_index") == 18);
    REQUIRE(entries_of(data, "streams") == 0);
    REQUIRE(entries_of(data, "stream_names") == 0);
    {
        event_store reader({.directory = data, .writer = false});
        CHECK(reader.verify(true).ok);
        CHECK(positions_both_ways(reader, "campaign-row") == before);
        CHECK(reader.stats().streams == 4);
    }
    {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        REQUIRE(store.append(make_request("campaign-row", expected_version::exact(8), {make_event()})).has_value());
        REQUIRE(store.append(make_request("campaign-new", expected_version::no_stream(),
                                          {make_event(), make_event()}))
                    .has_value());
        CHECK(positions_both_ways(store, "campaign-row").size() == 10);
        CHECK(positions_both_ways(store, "campaign-new") == std::vector<std::uint64_t>{46, 47});
        CHECK(store.verify(true).ok);
        CHECK(store.stats().streams == 5);
    }
    CHECK(format_of(data) == 2);
    CHECK(entries_of(data, "streams") == 0);
    CHECK(entries_of(data, "stream_heads") == 5);
    CHECK(entries_of(data, "stream_index") == 18 + 2);
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
    rewrite_as_format_2(data);
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
    int const format = GENERATE(7, 6, 2);
    bool const separate = format == 2;
    if (format == 6) ledger::testing::rewrite_as_format_6(data);
    if (separate) rewrite_as_format_2(data);
    if (format == 7) {
        // The first run (campaign-batch, version 0 at position 0) claims to start at version 1.
        lmdb::env env({.directory = data});
        lmdb::write_txn txn(env);
        auto const runs = txn.open_database("stream_runs");
        auto record = store::detail::decode_run_record(*txn.get(runs, u64_key(0)));
        ++record.first_version;
        std::string bytes;
        store::detail::encode_run_record(record, bytes);
        txn.put(runs, u64_key(0), bytes);
        txn.commit();
    } else {
        // Move the first run of the first stream one position on.
        lmdb::env env({.directory = data});
        lmdb::write_txn txn(env);
        auto const index = txn.open_database(separate ? "stream_index" : "streams");
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

TEST_CASE("verify with indexes catches a key in the streams table that is neither a head nor a run",
          "[store][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
    }
    {
        lmdb::env env({.directory = data});
        lmdb::write_txn txn(env);
        txn.put(txn.open_database("streams"), "campaign-stray", u64_key(0));
        txn.commit();
    }
    event_store store({.directory = data});
    CHECK(store.verify().ok);
    auto const report = store.verify(true);
    CHECK_FALSE(report.ok);
    CHECK(report.problem == "the indexes hold entries that are not in the log");
}

namespace {

/// Every record of every named table: table name -> (key -> value).
std::map<std::string, std::map<std::string, std::string>> all_records(std::filesystem::path const& data) {
    std::map<std::string, std::map<std::string, std::string>> records;
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    for (char const* table : {"log", "streams", "stream_names", "stream_runs", "stream_marks", "stream_index",
                              "stream_heads", "event_ids", "merkle", "projections", "subject_keys", "meta"}) {
        auto& rows = records[table];
        lmdb::cursor cursor(txn, txn.open_database(table));
        for (auto entry = cursor.first(); entry; entry = cursor.next()) rows.emplace(entry->first, entry->second);
    }
    // Format 6's id index holds sorted duplicates: one row per key and value.
    auto& ids = records["event_id_keys"];
    lmdb::cursor cursor(txn, txn.open_database("event_id_keys", MDB_DUPSORT | MDB_DUPFIXED));
    for (auto entry = cursor.first(); entry; entry = cursor.next()) {
        ids.emplace(std::string(entry->first) + "/" + std::string(entry->second), "");
    }
    return records;
}

}  // namespace

TEST_CASE("a compacting copy holds every record of every table and verifies", "[store][layout][backup]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    auto const copy = dir / "copy";
    {
        event_store store({.directory = data});
        write_mixed_ledger(store);
        // Client ids are random: the id index fills by inserts in the middle of its pages.
        std::mt19937_64 random(7);
        auto random_id = [&] {
            char text[37];
            auto const a = random();
            auto const b = random();
            std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
                          static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xffff),
                          static_cast<unsigned long long>(a & 0xfff), static_cast<unsigned long long>(b >> 52),
                          static_cast<unsigned long long>(b & 0xffffffffffffULL));
            return std::string(text);
        };
        for (int i = 0; i < 300; ++i) {
            REQUIRE(store.append(make_request("campaign-c" + std::to_string(i % 40), expected_version::any(),
                                              {make_event_with_id(random_id()), make_event_with_id(random_id())}))
                        .has_value());
        }
    }
    // Copied once the store is closed: a format-8 store's clean stop writes the heads it kept
    // pending (docs/storage.md "Format 8"), after a copy taken while it was open.
    {
        lmdb::env env({.directory = data});
        std::filesystem::create_directories(copy);
        env.copy_compacted(copy);
    }
    CHECK(all_records(copy) == all_records(data));
    CHECK(std::filesystem::file_size(copy / "data.mdb") <= std::filesystem::file_size(data / "data.mdb"));
    event_store reopened({.directory = copy});
    CHECK(reopened.verify(true).ok);
    CHECK(reopened.stats().events == 45 + 600);
    CHECK(reopened.stats().streams == 4 + 40);
}
