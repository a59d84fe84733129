// Store format 8 (docs/storage.md "Format 8"): format 7's runs and marks, and the heads of 64
// consecutive stream numbers in one record of `streams` (detail/head_blocks.hpp). A format-7
// ledger keeps one head per record: it opens, verifies, reads, appends, creates streams and
// backs up, and answers exactly what a format-8 ledger given the same appends answers.

#include "support/append_all.hpp"
#include "support/plain_log.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/head_blocks.hpp"
#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
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

std::string stream_name(int k) { return fmt::format("candidate-{:03}", k); }

/// Creates streams [first, end) with one event each, then appends `more` events to every
/// third of them, one request each, in turns (so their runs interleave).
void write_streams(event_store& store, int first, int end, int more) {
    std::vector<append_request> requests;
    for (int k = first; k < end; ++k) requests.push_back(make_request(stream_name(k), expected_version::no_stream(), {make_event()}));
    for (int turn = 0; turn < more; ++turn) {
        for (int k = first; k < end; k += 3) requests.push_back(make_request(stream_name(k), expected_version::any(), {make_event()}));
    }
    append_all(store, std::move(requests));
}

std::size_t head_records(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    return txn.entries(detail::tables::open(txn).streams);
}

/// Changes the head block `block` underneath the store: `edit` gets its heads, in order.
void edit_block(std::filesystem::path const& data, std::uint64_t block,
                std::function<void(std::vector<std::string>&)> const& edit) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    auto const key = detail::encode_u64(block);
    std::vector<std::string> heads;
    detail::for_each_head_in_block(*txn.get(db.streams, detail::view(key)),
                                   [&](std::uint64_t, std::string_view head) { heads.emplace_back(head); });
    edit(heads);
    std::string record, next;
    for (std::size_t i = 0; i < heads.size(); ++i) {
        detail::put_head_in_block(record, i, heads[i], next);
        record.swap(next);
    }
    txn.put(db.streams, detail::view(key), record);
    txn.commit();
}

/// Every stream's versions and positions, read forward in pages of 3, with its last version.
std::vector<std::string> answers(event_store const& store, int streams) {
    std::vector<std::string> out;
    for (int k = 0; k < streams; ++k) {
        auto const name = stream_name(k);
        auto line = fmt::format("{} last {}:", name, store.last_version(name).value_or(~0ull));
        for (std::uint64_t next = 0;;) {
            auto const page = store.read_stream(name, next, 3, read_direction::forward);
            REQUIRE(page.has_value());
            if (page->empty()) break;
            for (auto const& e : *page) line += fmt::format(" {}@{}", e.version, e.position);
            next = page->back().version + 1;
        }
        out.push_back(std::move(line));
    }
    return out;
}

}  // namespace

TEST_CASE("a new ledger packs the heads of 64 consecutive streams into one record", "[store][format8]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_streams(store, 0, 130, 2);  // streams 0-63, 64-127, 128-129: three blocks
        CHECK(store.verify(true).ok);
        CHECK(store.last_version(stream_name(0)) == 2u);
        CHECK(store.last_version(stream_name(1)) == 0u);
        CHECK(store.last_version(stream_name(129)) == 2u);
        CHECK(store.stats().streams == 130);
        // A reader's snapshot keeps the heads of what it can read while the writer rewrites the block.
        auto const db = [&] {
            lmdb::write_txn peek(store.environment());  // the store's tables, already open: nothing written
            auto tables = detail::tables::open(peek);
            peek.commit();
            return tables;
        }();
        lmdb::read_txn before(store.environment());
        REQUIRE(store.append(make_request(stream_name(64), expected_version::exact(0), {make_event()})).has_value());
        CHECK(detail::read_stream_head(before, db, stream_name(64))->last_version == 0);
        CHECK(store.last_version(stream_name(64)) == 1u);
    }
    CHECK(format_of(data) == 8);
    CHECK(head_records(data) == 3);
    {
        // After a reopen: the newest block grows, a new one starts, an old one is rewritten.
        event_store store({.directory = data});
        write_streams(store, 130, 200, 1);
        REQUIRE(store.append(make_request(stream_name(5), expected_version::exact(0), {make_event(), make_event()}))
                    .has_value());
        CHECK(store.verify(true).ok);
        CHECK(store.last_version(stream_name(5)) == 2u);
        CHECK(store.last_version(stream_name(199)) == 1u);  // every third from 130 got one more
        CHECK(store.last_version(stream_name(198)) == 0u);
        std::filesystem::create_directories(dir / "copy");
        store.environment().copy_compacted(dir / "copy");
    }
    CHECK(head_records(data) == 4);  // 200 streams: blocks 0-3
    event_store copy({.directory = dir / "copy"});
    CHECK(copy.verify(true).ok);
    CHECK(copy.last_version(stream_name(5)) == 2u);
    CHECK(copy.stats().streams == 200);
}

TEST_CASE("verify with indexes catches a head block with a head missing, one too many or none",
          "[store][format8][tamper]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_streams(store, 0, 70, 1);
    }
    using edit = std::function<void(std::vector<std::string>&)>;
    std::vector<std::pair<std::string, std::pair<std::uint64_t, edit>>> const tampering{
        {"the newest block loses its last head", {1, [](std::vector<std::string>& heads) { heads.pop_back(); }}},
        {"a full block gets a head too many", {0, [](std::vector<std::string>& heads) { heads.push_back(heads[3]); }}},
        {"the newest block gets a head too many", {1, [](std::vector<std::string>& heads) { heads.push_back(heads[0]); }}},
        {"a block is empty", {1, [](std::vector<std::string>& heads) { heads.clear(); }}},
    };
    for (auto const& [what, change] : tampering) {
        SECTION(what) {
            edit_block(data, change.first, change.second);
            event_store store({.directory = data});
            CHECK_FALSE(store.verify(true).ok);
            CHECK(store.verify(false).ok);  // the chain itself is intact
        }
    }
}

TEST_CASE("a format 7 ledger keeps one head per record and answers as a format 8 ledger given the same appends",
          "[store][format8][layout]") {
    ledger::testing::temp_dir dir;
    auto const old_data = dir / "format7";
    auto const new_data = dir / "format8";
    for (auto const& data : {old_data, new_data}) {
        event_store store({.directory = data});
        write_streams(store, 0, 70, 2);
    }
    ledger::testing::rewrite_as_format_7(old_data);
    CHECK(head_records(old_data) == 70);
    std::vector<std::string> old_answers, new_answers;
    for (auto const& data : {old_data, new_data}) {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        write_streams(store, 70, 140, 1);  // block 1 fills, block 2 starts
        std::vector<append_request> older;
        for (int k = 0; k < 70; k += 7) older.push_back(make_request(stream_name(k), expected_version::any(), {make_event()}));
        append_all(store, std::move(older));
        CHECK(store.verify(true).ok);
        (data == old_data ? old_answers : new_answers) = answers(store, 140);
        std::filesystem::create_directories(data.string() + "-copy");
        store.environment().copy_compacted(data.string() + "-copy");
    }
    CHECK(old_answers == new_answers);
    CHECK(format_of(old_data) == 7);
    CHECK(format_of(new_data) == 8);
    CHECK(head_records(old_data) == 140);
    CHECK(head_records(new_data) == 3);
    event_store copy({.directory = old_data.string() + "-copy"});
    CHECK(copy.verify(true).ok);
    CHECK(answers(copy, 140) == old_answers);
}
