// app::parse_append_text reads an append body from its tokens, without a DOM (issue 18). The
// route answers with its request when it has one and with the DOM path's answer otherwise, so it
// must never accept a body the DOM path refuses, nor read one differently: these tests compare it
// with json::parse + app::parse_append_body on random, mutated and hostile bodies. They also
// check that it does accept the usual bodies (every catalogue type, the benchmark's), or it
// would save nothing.

#include "support/catalog_samples.hpp"
#include "support/same_events.hpp"

#include "ledger/app/append_body.hpp"
#include "ledger/app/domain_policy.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace ledger;
namespace json = boost::json;

namespace {

using members = std::vector<std::pair<std::string, std::string>>;  // name, JSON text; repeats allowed

std::string object_text(members const& object) {
    std::string out = "{";
    for (auto const& [name, value] : object) {
        if (out.size() > 1) out += ',';
        out += json::serialize(json::string_view(name));
        out += ':';
        out += value;
    }
    return out + "}";
}

/// What the route did before: the DOM (invalid JSON refused), then parse_append_body.
result<store::append_request> by_dom(std::string const& body) {
    boost::system::error_code failure;
    auto const value = json::parse(body, failure);
    if (failure) return error{error_code::invalid_json, "the body is not valid JSON", {}};
    return app::parse_append_body("campaign-x", value, "tester");
}

/// A request parse_append_text accepted must be the DOM path's, field by field.
void require_same_as_dom(std::string const& body, std::size_t& accepted) {
    INFO(body);
    auto const fast = app::parse_append_text("campaign-x", body, "tester");
    if (!fast) return;  // the route answers from the DOM path: nothing to compare
    ++accepted;
    auto const dom = by_dom(body);
    REQUIRE(dom.has_value());
    CHECK(fast->stream == dom->stream);
    CHECK(fast->actor == dom->actor);
    CHECK(fast->expected.condition == dom->expected.condition);
    CHECK(fast->expected.version == dom->expected.version);
    REQUIRE(fast->events.size() == dom->events.size());
    for (std::size_t i = 0; i < dom->events.size(); ++i) {
        auto const& a = fast->events[i];
        auto const& b = dom->events[i];
        testing::check_same_event_fields(a, b);
        REQUIRE(a.decoded != nullptr);
        CHECK(*static_cast<app::decoded_event const*>(a.decoded.get()) ==
              *static_cast<app::decoded_event const*>(b.decoded.get()));
    }
}

/// Values that are right for some members and wrong for others (JSON text).
constexpr std::array<std::string_view, 44> hostile_values{
    "null", "true", "false", "0", "-0", "1", "-1", "17", "255", "256", "65535", "65536", "2147483648",
    "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "1.0",
    "1e2", "-1.5", R"("")", R"("x")", R"("SessionHeld")", R"("2025-03-01")", R"("2025-02-30")",
    R"("2025-03-01T10:00:00Z")", R"("2025-03-01T10:00:00.123456+02:00")", R"("ES")", R"("es")",
    R"("EL")", R"("XX")", R"("SEK")", R"("sek")", R"("job_fair")", R"("enc:v1:abc")",
    R"("0190f3c4-5b6a-7c8d-9e0f-1a2b3c4d5e6f")", R"("Jönk\u00f6ping \"q\" \\ \/")", "[]", R"(["a","b"])",
    R"(["ES","PT"])", "[null]", "[[]]", "{}", R"({"a":1})"};

/// Member names that are near misses, escapes or strangers.
constexpr std::array<std::string_view, 6> stranger_names{"Type", "dat", "", "extra", "typ\u00e9", "data "};

std::string_view pick(auto const& list, std::mt19937_64& random) { return list[random() % list.size()]; }

/// `object` with one random change: a member dropped, replaced, repeated, moved or added.
void mutate(members& object, std::mt19937_64& random) {
    if (object.empty()) {
        object.emplace_back(std::string(pick(stranger_names, random)), std::string(pick(hostile_values, random)));
        return;
    }
    auto const at = random() % object.size();
    switch (random() % 6) {
    case 0: object.erase(object.begin() + static_cast<long>(at)); break;
    case 1: object[at].second = pick(hostile_values, random); break;
    case 2: object.push_back(object[at]); break;
    case 3: std::swap(object[at], object[random() % object.size()]); break;
    case 4: object.emplace_back(std::string(pick(stranger_names, random)), std::string(pick(hostile_values, random))); break;
    default: object.emplace_back(object[at].first, std::string(pick(hostile_values, random))); break;
    }
}

members data_members(std::string_view data) {
    members out;
    auto const parsed = json::parse(data);
    for (auto const& entry : parsed.as_object()) out.emplace_back(entry.key(), json::serialize(entry.value()));
    return out;
}

/// One event of a catalogue type, valid to begin with, then changed `changes` times in its data
/// or its envelope.
std::string random_event(std::mt19937_64& random, int changes) {
    auto const& samples = testing::catalog_samples();
    auto const& sample = samples[random() % samples.size()];
    auto data = data_members(sample.data);
    members event{{"type", json::serialize(json::string_view(sample.type))}, {"occurred_at", R"("2025-03-01")"}};
    if (random() % 4 == 0) event.emplace_back("id", R"("0190f3c4-5b6a-7c8d-9e0f-1a2b3c4d5e6f")");
    if (random() % 4 == 0) event.emplace_back("correlation_id", R"("corr-1")");
    if (random() % 6 == 0) event.emplace_back("causation_id", std::string(random() % 2 ? "null" : R"("c")"));
    if (random() % 8 == 0) event.emplace_back("metadata", random() % 2 ? "null" : R"({"n":2.5})");
    for (int i = 0; i < changes; ++i) mutate(random() % 3 == 0 ? event : data, random);
    event.emplace_back("data", object_text(data));
    if (random() % 10 == 0) std::swap(event.front(), event.back());  // data before type
    return object_text(event);
}

std::string random_body(std::mt19937_64& random, int changes) {
    members body;
    std::string events;
    for (auto count = 1 + random() % 3; count > 0; --count) {
        if (!events.empty()) events += ',';
        events += random_event(random, changes);
    }
    if (random() % 3 != 0) body.emplace_back("expected_version", std::string(pick(hostile_values, random)));
    body.emplace_back("events", "[" + events + "]");
    if (random() % 8 == 0) mutate(body, random);
    auto text = object_text(body);
    switch (random() % 12) {
    case 0: text.resize(random() % text.size()); break;  // truncated
    case 1: text += " x"; break;
    case 2: text = " \n" + text + "\t "; break;
    case 3: text.insert(random() % text.size(), 1, static_cast<char>(random() % 256)); break;
    default: break;
    }
    return text;
}

}  // namespace

TEST_CASE("the token reader accepts every catalogue sample as the DOM path reads it", "[app][append][parsing]") {
    std::size_t accepted = 0;
    for (auto const& sample : testing::catalog_samples()) {
        auto const body = R"({"expected_version":3,"events":[{"type":")" + std::string(sample.type) +
                          R"(","occurred_at":"2025-03-01T10:00:00Z","data":)" + std::string(sample.data) + "}]}";
        require_same_as_dom(body, accepted);
    }
    CHECK(accepted == testing::catalog_samples().size());
}

TEST_CASE("the token reader accepts the benchmark bodies as the DOM path reads them", "[app][append][parsing]") {
    std::string events;
    for (int i = 0; i < 1000; ++i) {
        if (i > 0) events += ',';
        events += R"({"type":"SessionHeld","occurred_at":"2025-03-)" + std::to_string(10 + i % 18) +
                  R"(","data":{"kind":"job_fair","held_on":"2025-03-)" + std::to_string(10 + i % 18) +
                  R"(","university":"Universidad Complutense de Madrid","city":"Madrid","country":"ES","visitors":)" +
                  std::to_string(i * 37 % 400) + "}}";
    }
    std::size_t accepted = 0;
    require_same_as_dom(R"({"expected_version":"any","events":[)" + events + "]}", accepted);
    CHECK(accepted == 1);
}

TEST_CASE("the token reader never accepts what the DOM path refuses nor reads a body differently", "[app][append][parsing]") {
    std::mt19937_64 random(18);
    std::size_t accepted = 0;
    std::size_t refused_by_dom = 0;
    for (int round = 0; round < 20000; ++round) {
        auto const body = random_body(random, static_cast<int>(random() % 3));
        require_same_as_dom(body, accepted);
        if (!by_dom(body)) ++refused_by_dom;
    }
    // Both sides were exercised: bodies read without a DOM, and bodies the DOM path refused.
    CHECK(accepted > 2000);
    CHECK(refused_by_dom > 2000);
}

TEST_CASE("the token reader leaves metadata and repeated members and data before type to the DOM path", "[app][append][parsing]") {
    for (std::string_view const body : {
             R"({"events":[{"type":"ConsentWithdrawn","occurred_at":"2025-03-01","data":{"purpose":"newsletter"},"metadata":{"n":1}}]})",
             R"({"events":[{"type":"ConsentWithdrawn","type":"ConsentWithdrawn","occurred_at":"2025-03-01","data":{"purpose":"newsletter"}}]})",
             R"({"events":[{"data":{"purpose":"newsletter"},"type":"ConsentWithdrawn","occurred_at":"2025-03-01"}]})",
             R"({"events":[{"type":"ConsentWithdrawn","occurred_at":"2025-03-01","data":{"purpose":"newsletter","purpose":"newsletter"}}]})",
             R"({"events":[{"type":"ConsentWithdrawn","occurred_at":"2025-03-01","data":{"purpose":"newsletter"}}],"events":[]})"}) {
        CHECK_FALSE(app::parse_append_text("campaign-x", body, "tester").has_value());
    }
}
