// Format 5 (issue 18, docs/storage.md "Format 5"): the log's values keep the fields the writer
// assigns (version, event id, recorded_at) outside the compressed frame and the position not at
// all, so the frame is made on the appending thread; every reader still sees the stored bytes
// (canonical ‖ chain hash) exactly as before, and a format-5 ledger exports exactly what a
// format-4 ledger of the same appends exports.

#include "support/catalog_samples.hpp"
#include "support/plain_log.hpp"
#include "support/random_envelope.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/canonical_split.hpp"
#include "detail/log_values.hpp"
#include "detail/tables.hpp"

#include "events/catalog.hpp"
#include "ledger/app/exchange.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"
#include "ledger/store/personal_data_seal.hpp"

#include <boost/endian/conversion.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::format_of;
using ledger::testing::make_event;
using ledger::testing::make_request;
using ledger::testing::random_envelope;

namespace {

std::shared_ptr<detail::log_values const> split_codec() {
    return detail::log_values::with_dictionaries({{2, std::string(detail::builtin_template_dictionary())}});
}

std::vector<std::string> raw_log_values(std::filesystem::path const& data) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const log = txn.open_database("log");
    std::vector<std::string> values;
    lmdb::cursor cursor(txn, log);
    for (auto entry = cursor.first(); entry; entry = cursor.next()) values.emplace_back(entry->second);
    return values;
}

/// One event of every catalogue type, each in its own stream, two of them in a batch.
void append_every_type(event_store& store) {
    for (auto const& sample : ledger::testing::catalog_samples()) {
        auto encoded = events::encode_data(sample.type, boost::json::parse(sample.data), 0);
        REQUIRE(encoded.has_value());
        auto event = make_event(std::string(sample.type), std::move(encoded->bytes));
        event.schema_version = encoded->schema_version;
        event.metadata = R"({"source":"Jönköping \"kontor\"\n","emoji":"😀"})";
        event.correlation_id = "corr-ü";
        REQUIRE(store.append(make_request("campaign-" + std::string(sample.type), expected_version::any(),
                                          {event, event}))
                    .has_value());
    }
}

/// Seals the data of "Secret" events in candidate streams (another size, other bytes), as the
/// privacy layer does inside the writer's transaction; leaves every other event as sent.
class secret_sealer final : public personal_data_seal {
public:
    bool applies_to(std::string_view stream) const override { return stream.starts_with("candidate-"); }
    void seal(subject_key_table&, std::string_view, event_to_append& event) const override {
        if (event.type == "Secret") event.data = "sealed:" + event.data;
    }
    bool same_data(subject_key_table const&, recorded_event const& stored, event_to_append const& incoming) const override {
        return stored.data == incoming.data || stored.data == "sealed:" + incoming.data;
    }
    std::optional<std::string> open_key(std::string_view, std::string_view) const override { return std::nullopt; }
};

std::string exported(event_store const& store) {
    std::ostringstream out;
    app::export_events(store, 0, out);
    return out.str();
}

}  // namespace

TEST_CASE("format 5 decodes random envelopes byte for byte, unicode and escapes included", "[store][format5]") {
    auto const codec = split_codec();
    std::mt19937_64 random(18);
    std::string value, prepared_value, scratch, prepared;
    int compressed = 0;
    for (int i = 0; i < 2000; ++i) {
        auto const event = random_envelope(random);
        auto const stored = encode_stored(event);
        auto const encoded = std::string(codec->encode(event.position, stored, value));
        CHECK(codec->decode(event.position, encoded, scratch) == stored);
        CHECK(encoded.size() <= stored.size() + 1);
        if (encoded.front() != '\0') {
            ++compressed;
            // The position is the key, not in the value: read at another key, the bytes differ.
            CHECK(codec->decode(event.position + 1, encoded, scratch) != stored);
        }
        // Prepared on "the appending thread" from the event without its writer fields, spliced by
        // "the writer": the same value as encoding it whole.
        auto without_writer_fields = event;
        without_writer_fields.position = 0;
        without_writer_fields.version = 0;
        without_writer_fields.id = {};
        without_writer_fields.recorded_at = {};
        prepared.clear();
        codec->prepare(without_writer_fields, prepared);
        bool spliced = false;
        CHECK(codec->encode_prepared(event.position, stored, prepared, prepared_value, spliced) == encoded);
        CHECK(spliced);
    }
    CHECK(compressed > 1000);  // most of them are compressed, so the split form is exercised
}

TEST_CASE("a prepared template of another event is not used and the value still decodes", "[store][format5]") {
    auto const codec = split_codec();
    recorded_event event;
    event.position = 7;
    event.stream = "campaign-c1";
    event.type = "NoteRecorded";
    event.data = "the text the writer seals";
    event.recorded_at = from_micros(1'700'000'000'000'000);
    auto other = event;
    other.data = "the text the client sent!";  // the same size, other bytes
    REQUIRE(other.data.size() == event.data.size());
    std::string prepared, value, scratch;
    codec->prepare(other, prepared);
    auto const stored = encode_stored(event);
    bool spliced = true;
    CHECK(codec->decode(7, codec->encode_prepared(7, stored, prepared, value, spliced), scratch) == stored);
    CHECK_FALSE(spliced);
    spliced = true;
    CHECK(codec->decode(7, codec->encode_prepared(7, stored, "\x01", value, spliced), scratch) == stored);  // malformed
    CHECK_FALSE(spliced);
    prepared.clear();
    codec->prepare(event, prepared);
    CHECK(codec->decode(7, codec->encode_prepared(7, stored, prepared, value, spliced), scratch) == stored);
    CHECK(spliced);
}

TEST_CASE("format 5 refuses damaged split values with a codec error", "[store][format5][tamper]") {
    auto const codec = split_codec();
    std::mt19937_64 random(5);
    auto event = random_envelope(random);
    event.data = "payload payload payload payload";
    auto const stored = encode_stored(event);
    std::string value, scratch;
    auto const encoded = std::string(codec->encode(event.position, stored, value));
    REQUIRE(encoded.front() == '\x02');
    CHECK_THROWS_AS(codec->decode(event.position, encoded.substr(0, 40), scratch), codec_error);
    CHECK_THROWS_AS(codec->decode(event.position, "\x02\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80" + std::string(40, '\0'), scratch),
                    codec_error);  // a number longer than 64 bits
    CHECK_THROWS_AS(codec->decode(event.position, "\x07" + encoded.substr(1), scratch), codec_error);  // no dictionary 7
}

TEST_CASE("a new ledger keeps format 5's values with no position in them and verifies chain, indexes and tree",
          "[store][format5]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::string> stored;
    {
        event_store store({.directory = data});
        append_every_type(store);
        for (std::uint64_t p = 0; p < store.head().events; ++p) stored.push_back(*store.stored_event(p));
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
    }
    CHECK(format_of(data) == 8);  // format 5's values, format 6's event-id index, format 7's stream runs
    auto const values = raw_log_values(data);
    REQUIRE(values.size() == stored.size());
    auto const tagged = detail::log_values::with_dictionaries({{1, std::string(detail::builtin_log_dictionary())}},
                                                              detail::log_values::default_level,
                                                              detail::log_values::encoding::tagged);
    std::size_t split_total = 0, tagged_total = 0;
    std::string scratch;
    for (std::size_t i = 0; i < values.size(); ++i) {
        CHECK(values[i].front() == '\x02');  // dictionary 2, trained on templates
        CHECK(values[i].substr(values[i].size() - 32) == stored[i].substr(stored[i].size() - 32));
        split_total += values[i].size();
        tagged_total += tagged->encode(i, stored[i], scratch).size();
    }
    CHECK(split_total < tagged_total);  // the position left out, the writer fields packed
    event_store reopened({.directory = data, .writer = false});
    CHECK(reopened.verify(true).ok);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        CHECK(reopened.stored_event(i) == stored[i]);
        CHECK(encode_stored(*reopened.read_event(i)) == stored[i]);
    }
}

TEST_CASE("a format 5 ledger exports exactly what a format 4 ledger of the same appends exports",
          "[store][format5][format4]") {
    ledger::testing::temp_dir dir;
    std::string original;
    {
        event_store source({.directory = dir / "source"});
        append_every_type(source);
        original = exported(source);
    }
    { event_store created({.directory = dir / "four"}); }
    ledger::testing::rewrite_as_format_4(dir / "four");
    event_store four({.directory = dir / "four"});
    event_store five({.directory = dir / "five"});
    for (auto* store : {&four, &five}) {
        std::istringstream in(original);
        auto const imported = app::import_events(*store, in);
        REQUIRE(imported.has_value());
        CHECK(store->verify(true).ok);
        CHECK_FALSE(store->verify_tree().has_value());
    }
    CHECK(format_of(dir / "source") == 8);
    CHECK(exported(five) == original);
    CHECK(exported(four) == exported(five));
    CHECK(four.head().hash == five.head().hash);
    for (std::uint64_t p = 0; p < five.head().events; ++p) CHECK(four.stored_event(p) == five.stored_event(p));
}

TEST_CASE("a format 5 ledger rewritten as format 4 opens, verifies, reads and appends format 4 values",
          "[store][format5][format4][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::vector<std::string> stored;
    {
        event_store store({.directory = data});
        append_every_type(store);
        for (std::uint64_t p = 0; p < store.head().events; ++p) stored.push_back(*store.stored_event(p));
    }
    ledger::testing::rewrite_as_format_4(data);
    auto const tagged = detail::log_values::with_dictionaries({{1, std::string(detail::builtin_log_dictionary())}},
                                                              detail::log_values::default_level,
                                                              detail::log_values::encoding::tagged);
    {
        event_store store({.directory = data});
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
        auto const more = store.append(make_request("campaign-more", expected_version::no_stream(),
                                                    {make_event(), make_event()}));
        REQUIRE(more.has_value());
        for (auto p = more->first_position; p <= more->last_position; ++p) stored.push_back(*store.stored_event(p));
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
    }
    CHECK(format_of(data) == 4);
    auto const values = raw_log_values(data);
    REQUIRE(values.size() == stored.size());
    std::string scratch;
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(tagged->decode(i, values[i], scratch) == stored[i]);
}

TEST_CASE("the writer splices values from templates compressed before it and compresses only what a seal changed",
          "[store][format5]") {
    ledger::testing::temp_dir dir;
    SECTION("a format 5 ledger") {
        event_store store({.directory = dir / "five", .seal = std::make_shared<secret_sealer>()});
        REQUIRE(store.append(make_request("campaign-c1", expected_version::any(), {make_event(), make_event()})).has_value());
        REQUIRE(store.append(make_request("candidate-c1", expected_version::any(),
                                          {make_event("Secret", "a personal note"), make_event()}))
                    .has_value());
        auto const stats = store.writer_statistics();
        CHECK(stats.events_committed == 4);
        CHECK(stats.events_spliced == 3);  // all but the sealed one
        CHECK(store.read_event(2)->data == "sealed:a personal note");
        CHECK(store.verify(true).ok);
        CHECK_FALSE(store.verify_tree().has_value());
    }
    SECTION("a format 4 ledger compresses on the writer, as before") {
        { event_store created({.directory = dir / "four"}); }
        ledger::testing::rewrite_as_format_4(dir / "four");
        event_store store({.directory = dir / "four"});
        REQUIRE(store.append(make_request("campaign-c1", expected_version::any(), {make_event(), make_event()})).has_value());
        CHECK(store.writer_statistics().events_committed == 2);
        CHECK(store.writer_statistics().events_spliced == 0);
        CHECK(store.verify(true).ok);
    }
}
