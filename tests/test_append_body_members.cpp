// app::parse_append_body finds an event's members in one pass over its object (session 8)
// instead of a check for unknown keys and a search per name. These tests hold it to the parser
// it replaced (tests/support/append_body_reference.hpp, verbatim): the same request or the
// same error (code, message and SPEC §6 details) on random bodies, valid and malformed.

#include "ledger/app/append_body.hpp"

#include "support/append_body_reference.hpp"
#include "support/same_events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace ledger;
namespace json = boost::json;

namespace {

/// Member names: the seven an event has, near misses and strangers.
constexpr std::array<std::string_view, 13> member_names{
    "id", "type", "occurred_at", "data", "metadata", "correlation_id", "causation_id",
    "Type", "ids", "dat", "", "extra", "occurred"};

/// Values a member may be given (JSON text), good for some names and bad for others.
constexpr std::array<std::string_view, 21> member_values{
    R"("SessionHeld")", R"("CampaignPlanned")", R"("NoSuchEvent")", R"("2025-03-01")",
    R"("2025-03-01T10:00:00Z")", R"("yesterday")", R"("0190f3c4-5b6a-7c8d-9e0f-1a2b3c4d5e6f")",
    R"("not-a-uuid")", "null", "17", "2.5", "true", "[]", "{}", R"({"source":"fair","n":2.5})",
    R"({"kind":"job_fair","held_on":"2025-03-01","city":"Madrid","visitors":40})",
    R"({"kind":"job_fair","held_on":"2025-03-01","visitors":-3})",
    R"({"name":"Fair tour","kind":"fair_tour","organiser":"region-jonkoping"})",
    R"({"kind":"job_fair","held_on":"2025-03-01","city":"enc:v1:abc"})", R"("")",
    R"("corr-1")"};

/// A valid event whose members are then dropped, replaced, duplicated or joined by others.
std::string random_event(std::mt19937_64& random) {
    std::vector<std::pair<std::string_view, std::string_view>> members{
        {"type", R"("SessionHeld")"},
        {"occurred_at", R"("2025-03-01")"},
        {"data", R"({"kind":"job_fair","held_on":"2025-03-01","city":"Madrid","visitors":40})"}};
    if (random() % 2 == 0) members.emplace_back("correlation_id", R"("corr-1")");
    if (random() % 3 == 0) members.emplace_back("metadata", R"({"source":"fair","n":2.5})");
    for (auto changes = random() % 4; changes > 0; --changes) {
        auto const name = member_names[random() % member_names.size()];
        auto const value = member_values[random() % member_values.size()];
        switch (random() % 4) {
        case 0: members.erase(members.begin() + static_cast<long>(random() % members.size())); break;
        case 1: members[random() % members.size()].second = value; break;
        default: members.insert(members.begin() + static_cast<long>(random() % (members.size() + 1)), {name, value});
        }
        if (members.empty()) break;
    }
    std::string out = "{";
    for (auto const& [name, value] : members) {
        if (out.size() > 1) out += ',';
        out.append(1, '"').append(name).append("\":").append(value);
    }
    return out + "}";
}

std::string random_body(std::mt19937_64& random) {
    std::string events;
    for (auto count = 1 + random() % 3; count > 0; --count) {
        if (!events.empty()) events += ',';
        events += random() % 20 == 0 ? std::string("17") : random_event(random);
    }
    return R"({"expected_version":"any","events":[)" + events + "]}";
}

/// Both results, compared: the same error, or the same events field by field.
void require_same(result<store::append_request> const& got, result<store::append_request> const& expected,
                  std::string const& body) {
    INFO(body);
    REQUIRE(got.has_value() == expected.has_value());
    if (!expected) {
        CHECK(got.error().code == expected.error().code);
        CHECK(got.error().message == expected.error().message);
        CHECK(json::serialize(got.error().details) == json::serialize(expected.error().details));
        return;
    }
    REQUIRE(got->events.size() == expected->events.size());
    for (std::size_t i = 0; i < expected->events.size(); ++i) {
        auto const& a = got->events[i];
        auto const& b = expected->events[i];
        testing::check_same_event_fields(a, b);
    }
}

}  // namespace

TEST_CASE("event members found in one pass give the same requests and errors as the parser before on random bodies",
          "[app][append][parsing]") {
    std::mt19937_64 random(8);
    std::size_t accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        auto const body = random_body(random);
        auto const value = json::parse(body);
        auto const got = app::parse_append_body("campaign-x", value, "tester");
        auto const expected = testing::reference_append_body::parse_append_body("campaign-x", value, "tester");
        require_same(got, expected, body);
        if (expected.has_value()) ++accepted;
    }
    // Both kinds were exercised: valid bodies and refused ones.
    CHECK(accepted > 100);
    CHECK(accepted < 2900);
}

TEST_CASE("an event with a repeated member is read as the parser before read it", "[app][append][parsing]") {
    for (std::string_view const body : {
             R"({"events":[{"type":"SessionHeld","type":"NoSuchEvent","occurred_at":"2025-03-01","data":{}}]})",
             R"({"events":[{"type":"NoSuchEvent","occurred_at":"2025-03-01","type":"SessionHeld",)"
             R"("data":{"kind":"job_fair","held_on":"2025-03-01"}}]})",
             R"({"events":[{"id":"bad","id":null,"type":"SessionHeld","occurred_at":"x","occurred_at":"2025-03-01",)"
             R"("data":{"kind":"job_fair","held_on":"2025-03-01"}}]})"}) {
        auto const value = json::parse(body);
        require_same(app::parse_append_body("campaign-x", value, "tester"),
                     testing::reference_append_body::parse_append_body("campaign-x", value, "tester"),
                     std::string(body));
    }
}
