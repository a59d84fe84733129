// The append body's parsing path (src/app/append_body.cpp): each event carries the catalogue's
// decoded struct of its data (app::decoded_event), which the domain policy checks on the writer
// instead of decoding the data again. These tests hold that path to the one it replaced:
// encode_data's bytes, and stored events byte for byte as when the policy decodes every event.

#include "events/catalog.hpp"
#include "events/codec.hpp"
#include "ledger/app/append_body.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/store/event_store.hpp"

#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

using namespace ledger;
namespace json = boost::json;

namespace {

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

/// A JSON append body of `batch` (events of one stream), with ids numbered from `first_id` and,
/// on some events, metadata and correlation ids, so every envelope field is exercised.
json::value body_of(std::vector<testing::generated_event> const& batch, std::uint64_t first_id,
                    std::mt19937_64& random) {
    json::array events;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto const& e = batch[i];
        json::object event{
            {"id", fmt::format("0190f1c2-6b1e-7c4d-9a2b-{:012x}", first_id + i)},
            {"type", events::type_name_of(e.data)},
            {"occurred_at", format_timestamp(e.occurred_at)},
            {"data", events::event_to_json(e.data)},
        };
        if (random() % 3 == 0) event["metadata"] = json::object{{"source", "test"}, {"score", 2.5}};
        if (random() % 4 == 0) event["correlation_id"] = fmt::format("corr-{}", first_id + i);
        events.push_back(std::move(event));
    }
    return json::object{{"expected_version", "any"}, {"events", std::move(events)}};
}

/// Consecutive events of one stream, up to a random size: the order of the log is kept.
std::vector<std::vector<testing::generated_event>> batches(testing::recruitment_generator& generator,
                                                           std::size_t count, std::mt19937_64& random) {
    std::vector<std::vector<testing::generated_event>> out;
    for (std::size_t n = 0; n < count; ++n) {
        auto event = generator.next();
        bool const joins = !out.empty() && out.back().back().stream == event.stream &&
                           out.back().size() < 1 + random() % 12;
        if (!joins) out.emplace_back();
        out.back().push_back(std::move(event));
    }
    return out;
}

}  // namespace

TEST_CASE("parsed events carry data byte-identical to encode_data and their decoded struct",
          "[app][append][parsing]") {
    testing::recruitment_generator generator(7);
    std::mt19937_64 random(7);
    std::uint64_t next_id = 0;
    for (auto const& batch : batches(generator, 400, random)) {
        auto const body = body_of(batch, next_id, random);
        next_id += batch.size();
        auto const request = app::parse_append_body(batch.front().stream, body, "tester");
        REQUIRE(request.has_value());
        REQUIRE(request->events.size() == batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto const& parsed = request->events[i];
            auto const& sent = body.as_object().at("events").as_array().at(i).as_object();
            auto const old = events::encode_data(parsed.type, sent.at("data"), i);
            REQUIRE(old.has_value());
            CHECK(parsed.data == old->bytes);
            CHECK(parsed.schema_version == old->schema_version);
            REQUIRE(parsed.decoded != nullptr);
            auto const& decoded = *static_cast<app::decoded_event const*>(parsed.decoded.get());
            CHECK(decoded == batch[i].data);
            CHECK(decoded == events::decode_event(parsed.type, parsed.schema_version, parsed.data));
        }
    }
}

TEST_CASE("events admitted through their decoded form are stored byte for byte as events the "
          "policy decodes again",
          "[app][append][parsing]") {
    auto const seed = GENERATE(1, 2, 3);
    testing::recruitment_generator generator(static_cast<std::uint64_t>(seed));
    std::mt19937_64 random(static_cast<std::uint64_t>(seed));
    testing::temp_dir with_dir, without_dir;
    store::event_store with_form(options_in(with_dir));
    store::event_store without_form(options_in(without_dir));
    auto const recorded_at = *parse_timestamp("2025-06-01T12:00:00Z");
    std::uint64_t next_id = 0;
    for (auto const& batch : batches(generator, 300, random)) {
        auto const body = body_of(batch, next_id, random);
        next_id += batch.size();
        auto request = app::parse_append_body(batch.front().stream, body, "tester");
        REQUIRE(request.has_value());
        request->recorded_at = recorded_at;
        auto plain = *request;
        for (auto& event : plain.events) event.decoded.reset();  // the policy decodes `data`
        auto const landed = with_form.append(std::move(*request));
        auto const again = without_form.append(std::move(plain));
        INFO((landed ? std::string() : landed.error().message));
        REQUIRE(landed.has_value());
        REQUIRE(again.has_value());
        CHECK(landed->first_position == again->first_position);
    }
    REQUIRE(with_form.head().events == next_id);
    CHECK(with_form.head().hash == without_form.head().hash);
    for (std::uint64_t position = 0; position < next_id; ++position) {
        CHECK(with_form.stored_event(position) == without_form.stored_event(position));
    }
}

TEST_CASE("a decoded form of another type than its event's is not trusted", "[app][append][parsing]") {
    testing::temp_dir dir;
    store::event_store store(options_in(dir));
    auto const planned = json::parse(
        R"({"events":[{"type":"CampaignPlanned","occurred_at":"2025-01-10",)"
        R"("data":{"name":"Fair tour","kind":"fair_tour","organiser":"region-jonkoping"}}]})");
    auto created = app::parse_append_body("campaign-x", planned, "tester");
    REQUIRE(created.has_value());
    REQUIRE(store.append(std::move(*created)).has_value());

    auto const session = json::parse(
        R"({"events":[{"type":"SessionHeld","occurred_at":"2025-03-01",)"
        R"("data":{"kind":"job_fair","held_on":"2025-03-01"}}]})");
    auto request = app::parse_append_body("campaign-x", session, "tester");
    REQUIRE(request.has_value());
    // Claims to be a CampaignClosed: trusted, it would close the stream for what follows.
    request->events[0].decoded = std::make_shared<app::decoded_event const>(
        events::campaign_closed{.closed_on = date{std::chrono::days{20000}}, .reason = "x"});
    REQUIRE(store.append(std::move(*request)).has_value());
    auto next = app::parse_append_body("campaign-x", session, "tester");
    REQUIRE(next.has_value());
    CHECK(store.append(std::move(*next)).has_value());
}

TEST_CASE("the success body written by hand is the JSON the formatted one was, for any stream name and numbers",
          "[app][append][response]") {
    std::mt19937_64 random(18);
    std::string const alphabet = "abcXYZ019._:-\"\\/\n\t\x01 ";
    for (int round = 0; round < 2000; ++round) {
        store::append_success success;
        auto const length = random() % 12;
        for (std::size_t i = 0; i < length; ++i) success.stream += alphabet[random() % alphabet.size()];
        if (round % 3 == 0) success.stream = "campaign-bench-" + std::to_string(round);
        auto const pick = [&random] { return random() % 4 == 0 ? UINT64_MAX - random() % 3 : random() % 100000; };
        success.first_version = pick();
        success.last_version = pick();
        success.first_position = pick();
        success.last_position = pick();
        // The form before (fmt with Boost.JSON's escaping of the stream), byte for byte.
        auto const formatted = fmt::format(
            R"({{"stream":{},"first_version":{},"last_version":{},"first_position":{},"last_position":{}}})",
            json::serialize(json::string_view(success.stream)), success.first_version, success.last_version,
            success.first_position, success.last_position);
        REQUIRE(app::append_success_json(success) == formatted);
    }
}
