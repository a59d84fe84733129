// Format 4 (issue 18, docs/storage.md): the log's values are tagged and zstd-compressed with a
// dictionary kept in the ledger's meta, while every reader still sees the stored bytes
// (canonical ‖ chain hash) exactly as before. A damaged value is found by verify; a format-3
// ledger (plain values) still opens, verifies, reads and appends; a compacting backup carries
// the dictionary. This build writes format 5 (tests/test_store_format5.cpp): the format-4
// ledgers here are made by rewriting a new, empty one (support/plain_log.hpp), as a format-4
// build left it, and are then appended to by this build.

#include "support/catalog_samples.hpp"
#include "support/plain_log.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/log_values.hpp"
#include "detail/tables.hpp"

#include "events/catalog.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::format_of;
using ledger::testing::make_event;
using ledger::testing::make_request;

namespace {

std::string position_key(std::uint64_t position) {
    std::string key(8, '\0');
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(key.data()), position);
    return key;
}

/// One event of every catalogue type (its sample, binary-encoded as the API stores it), each
/// in its own stream. Returns their positions' stored bytes as the store reports them.
std::vector<std::string> append_every_type(event_store& store) {
    std::vector<std::string> stored;
    for (auto const& sample : ledger::testing::catalog_samples()) {
        auto encoded = events::encode_data(sample.type, boost::json::parse(sample.data), 0);
        REQUIRE(encoded.has_value());
        auto event = make_event(std::string(sample.type), std::move(encoded->bytes));
        event.schema_version = encoded->schema_version;
        auto const appended =
            store.append(make_request("campaign-" + std::string(sample.type), expected_version::any(), {event}));
        REQUIRE(appended.has_value());
        auto const bytes = store.stored_event(appended->first_position);
        REQUIRE(bytes);
        stored.push_back(*bytes);
    }
    return stored;
}

/// The raw LMDB values of the log, by position.
std::vector<std::string> raw_log_values(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const log = txn.open_database("log");
    std::vector<std::string> values;
    lmdb::cursor cursor(txn, log);
    for (auto entry = cursor.first(); entry; entry = cursor.next()) values.emplace_back(entry->second);
    return values;
}

std::optional<std::string> meta_value(std::filesystem::path const& data, std::string const& key) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const value = txn.get(txn.open_database("meta"), key);
    return value ? std::optional<std::string>(*value) : std::nullopt;
}

/// Changes the log value at `position` underneath the store, as someone with the files could.
template <class Change>
void damage(std::filesystem::path const& data, std::uint64_t position, Change change) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const log = txn.open_database("log");
    auto value = std::string(*txn.get(log, position_key(position)));
    change(value);
    txn.put(log, position_key(position), value);
    txn.commit();
}

/// A new, empty ledger as a format-4 build made it.
void create_format_4(std::filesystem::path const& data) {
    { event_store created({.directory = data}); }
    ledger::testing::rewrite_as_format_4(data);
}

}  // namespace

TEST_CASE("a format 4 ledger stores every event type compressed and reads each back byte for byte",
          "[store][format4]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::string> stored;
    std::vector<recorded_event> events;
    create_format_4(data);
    {
        event_store store({.directory = data});
        stored = append_every_type(store);
        store.scan(0, [&](recorded_event const& e) {
            events.push_back(e);
            return true;
        });
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
    }
    REQUIRE(stored.size() == ledger::testing::catalog_samples().size());
    REQUIRE(events.size() == stored.size());
    CHECK(format_of(data) == 4);
    auto const dictionary = meta_value(data, "log_dictionary/1");
    REQUIRE(dictionary);
    CHECK(*dictionary == detail::builtin_log_dictionary());
    auto const values = raw_log_values(data);
    REQUIRE(values.size() == stored.size());
    std::size_t stored_total = 0, value_total = 0;
    for (std::size_t i = 0; i < stored.size(); ++i) {
        // What the API reports is the canonical encoding and its hash, as in every format.
        CHECK(stored[i] == encode_stored(events[i]));
        CHECK(values[i].front() == '\x01');  // compressed with dictionary 1
        CHECK(values[i].size() < stored[i].size());
        // The hash stays at the end of the value, uncompressed.
        CHECK(values[i].substr(values[i].size() - 32) == stored[i].substr(stored[i].size() - 32));
        stored_total += stored[i].size();
        value_total += values[i].size();
    }
    CHECK(value_total * 10 < stored_total * 7);  // the catalogue samples shrink by more than 30 %
    event_store reopened({.directory = data, .writer = false});
    for (std::size_t i = 0; i < stored.size(); ++i) {
        CHECK(reopened.stored_event(i) == stored[i]);
        CHECK(reopened.read_event(i) == events[i]);
    }
}

TEST_CASE("the log codec keeps a value uncompressed when zstd would not make it smaller", "[store][format4]") {
    auto const codec = detail::log_values::with_dictionaries({{1, std::string(detail::builtin_log_dictionary())}},
                                                             detail::log_values::default_level,
                                                             detail::log_values::encoding::tagged);
    std::string noise;
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 300; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        noise.push_back(static_cast<char>(state >> 56));
    }
    std::string value, scratch;
    auto const encoded = codec->encode(0, noise, value);
    CHECK(encoded.front() == '\0');
    CHECK(encoded.substr(1) == noise);
    CHECK(codec->decode(0, encoded, scratch) == noise);
    CHECK_THROWS_AS(codec->decode(0, std::string(20, '\x01'), scratch), codec_error);
    CHECK_THROWS_AS(codec->decode(0, std::string(1, '\x07') + noise, scratch), codec_error);  // no dictionary 7
}

TEST_CASE("verify finds a damaged compressed log value at its position", "[store][format4][tamper]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    create_format_4(data);
    {
        event_store store({.directory = data});
        append_every_type(store);
    }
    SECTION("a flipped byte inside the compressed frame") {
        // Between the tag and the hash: the frame's middle.
        damage(data, 2, [](std::string& value) { value[1 + (value.size() - 33) / 2] ^= 0x20; });
    }
    SECTION("a dictionary the ledger does not hold") {
        damage(data, 2, [](std::string& value) { value[0] = '\x09'; });
    }
    SECTION("a frame cut short") {
        damage(data, 2, [](std::string& value) { value.erase(3, 5); });
    }
    event_store store({.directory = data, .writer = false});
    auto const report = store.verify();
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_position == 2);
    CHECK(store.verify_tree().has_value());
}

TEST_CASE("a format 3 ledger with plain log values opens, verifies, reads and appends as format 3",
          "[store][format4][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::string> stored;
    {
        event_store store({.directory = data});
        stored = append_every_type(store);
    }
    ledger::testing::rewrite_as_format_3(data);
    REQUIRE(raw_log_values(data) == stored);  // exactly what a format-3 build wrote
    REQUIRE_FALSE(meta_value(data, "log_dictionary/1"));
    {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
        for (std::size_t i = 0; i < stored.size(); ++i) CHECK(store.stored_event(i) == stored[i]);
        auto const more = store.append(make_request("campaign-more", expected_version::no_stream(),
                                                    {make_event(), make_event()}));
        REQUIRE(more.has_value());
        stored.push_back(*store.stored_event(more->first_position));
        stored.push_back(*store.stored_event(more->last_position));
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
    }
    CHECK(format_of(data) == 3);
    CHECK(raw_log_values(data) == stored);  // the new events are plain too: nothing is rewritten
    CHECK_FALSE(meta_value(data, "log_dictionary/1"));
}

TEST_CASE("a compacting backup of a format 4 ledger carries its dictionary and verifies",
          "[store][format4][backup]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    auto const copy = dir / "copy";
    std::vector<std::string> stored;
    create_format_4(data);
    {
        event_store store({.directory = data});
        stored = append_every_type(store);
        std::filesystem::create_directories(copy);
        store.environment().copy_compacted(copy);
    }
    CHECK(meta_value(copy, "log_dictionary/1") == meta_value(data, "log_dictionary/1"));
    CHECK(raw_log_values(copy) == raw_log_values(data));
    event_store backup({.directory = copy, .writer = false});
    CHECK(backup.verify(true).ok);
    CHECK_FALSE(backup.verify_tree().has_value());
    for (std::size_t i = 0; i < stored.size(); ++i) CHECK(backup.stored_event(i) == stored[i]);
}

TEST_CASE("a ledger's log dictionary is written once and never replaced", "[store][format4]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    { event_store store({.directory = data}); }
    auto const before = meta_value(data, "log_dictionary/2");  // a new (format-5) ledger's
    REQUIRE(before);
    CHECK(*before == detail::builtin_template_dictionary());
    CHECK_FALSE(meta_value(data, "log_dictionary/1"));
    {
        lmdb::env env({.directory = data});
        lmdb::write_txn txn(env);
        auto const meta = txn.open_database("meta");
        CHECK_FALSE(detail::log_values::store_dictionary(txn, meta, 2, "another dictionary"));
        txn.commit();
    }
    { event_store store({.directory = data}); }  // a second open leaves it as well
    CHECK(meta_value(data, "log_dictionary/2") == before);
}

TEST_CASE("a follower stores a leader's sealed events in its own format with the same bytes and tree",
          "[store][format4][replication]") {
    ledger::testing::temp_dir dir;
    auto const plain_follower = dir / "format3";
    auto const tagged_follower = dir / "format4";
    auto const split_follower = dir / "format5";
    event_store leader({.directory = dir / "leader"});
    auto const stored = append_every_type(leader);
    { event_store created({.directory = plain_follower}); }
    ledger::testing::rewrite_as_format_3(plain_follower);  // an empty ledger an older build made
    create_format_4(tagged_follower);
    std::vector<replicated_event> sealed;
    for (std::uint64_t p = 0; p < stored.size(); ++p) sealed.push_back({.position = p, .stored = stored[p]});
    for (auto const& data : {plain_follower, tagged_follower, split_follower}) {
        {
            event_store follower({.directory = data});
            auto const head = follower.append_replicated(sealed);
            REQUIRE(head.has_value());
            CHECK(head->hash == leader.head().hash);
            CHECK(follower.tree_root(stored.size()) == leader.tree_root(stored.size()));
            CHECK_FALSE(follower.verify_tree().has_value());
            CHECK(follower.verify(true).ok);
            for (std::size_t p = 0; p < stored.size(); ++p) CHECK(follower.stored_event(p) == stored[p]);
        }
        auto const values = raw_log_values(data);
        REQUIRE(values.size() == stored.size());
        if (data == plain_follower) {
            CHECK(format_of(data) == 3);
            CHECK(values == stored);
        } else {
            CHECK(format_of(data) == (data == tagged_follower ? 4 : 8));
            for (auto const& value : values) CHECK(value.front() == (data == tagged_follower ? '\x01' : '\x02'));
        }
    }
}
