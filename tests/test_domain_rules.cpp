// Every domain rule of SPEC §5 through a real event store with the domain policy: the legal
// case is accepted, the illegal one refused with the right code and rule name.

#include "events/rules.hpp"
#include "ledger/envelope_codec.hpp"
#include "support/domain_ledger.hpp"
#include "support/store_fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace ledger;
using ledger::testing::domain_ledger;
using ledger::testing::rule_of;
using ledger::testing::typed_event;

namespace {

constexpr typed_event campaign_planned{
    "CampaignPlanned", R"({"name":"Madrid 2024","kind":"recruitment_trip","organiser":"rj"})"};
constexpr typed_event position_opened{"PositionOpened",
                                      R"({"organisation":"rj","role":"GP"})"};
constexpr typed_event candidate_registered{"CandidateRegistered", R"({"name":"Ana"})"};
constexpr typed_event target_set{"TargetSet",
                                 R"({"organisation":"rj","year":2024,"role":"AT","hires":40})"};
constexpr typed_event shortage_es_false{"ShortageCheckRecorded",
                                        R"({"country":"ES","shortage":false})"};
constexpr typed_event shortage_es_true{"ShortageCheckRecorded",
                                       R"({"country":"ES","shortage":true})"};
constexpr typed_event trip_es{
    "TripHeld", R"({"country":"ES","city":"Madrid","from":"2024-04-08","to":"2024-04-11"})"};
constexpr typed_event cost{"CostRecorded",
                           R"({"category":"travel","amount_minor":100,"currency":"SEK"})"};
constexpr typed_event campaign_closed{"CampaignClosed", R"({"closed_on":"2024-11-30"})"};
constexpr typed_event brokerage_granted{"ConsentGranted", R"({"purpose":"contact_brokerage"})"};
constexpr typed_event brokerage_withdrawn{"ConsentWithdrawn",
                                          R"({"purpose":"contact_brokerage"})"};
constexpr typed_event invited{"InvitedToMeeting",
                              R"({"with":"department","invited_on":"2024-03-01"})"};
constexpr typed_event received_a1{"ApplicationReceived",
                                  R"({"application_id":"a1","campaign_id":"madrid"})"};
constexpr typed_event screened_a1{"ApplicationScreened",
                                  R"({"application_id":"a1","outcome":"shortlisted"})"};

void check_rule(error const& e, std::string const& rule, std::size_t index = 0) {
    INFO(e.message);
    CHECK(e.code == error_code::rule_violation);
    CHECK(rule_of(e) == rule);
    CHECK(e.details.at("index") == index);
    CHECK_FALSE(e.message.empty());
}

// An EventRetracted of `position` as JSON text, kept alive by `storage`.
typed_event retraction(std::uint64_t position, std::string& storage) {
    storage = R"({"position":)" + std::to_string(position) + R"(,"reason":"recorded in error"})";
    return {"EventRetracted", storage};
}

}  // namespace

TEST_CASE("a stream starts with its category's creation event, exactly once", "[rules]") {
    struct row {
        std::string stream;
        typed_event creation;
        typed_event other;
    };
    auto const rows = std::vector<row>{
        {"campaign-c1", campaign_planned, cost},
        {"position-p1", position_opened, {"VacancyPosted", R"({"posted_on":"2024-01-10"})"}},
        {"candidate-k1", candidate_registered, brokerage_granted},
        {"target-t1", target_set, {"EventRetracted", R"({"position":0,"reason":"x"})"}},
    };
    domain_ledger ledger;
    for (auto const& r : rows) {
        INFO(r.stream);
        check_rule(ledger.refuse(r.stream, {r.other}), "creation_event_first");
        ledger.accept(r.stream, {r.creation});
        check_rule(ledger.refuse(r.stream, {r.creation}), "creation_event_first");
        check_rule(ledger.refuse(r.stream + "x", {r.creation, r.creation}), "creation_event_first",
                   1);
    }
}

TEST_CASE("a type is accepted only in its own category", "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-c1", {campaign_planned});
    auto const e = ledger.refuse("campaign-c1", {cost, screened_a1});
    CHECK(e.code == error_code::event_not_allowed_in_stream);
    CHECK(e.details.at("index") == 1);
    CHECK(ledger.refuse("candidate-k1", {campaign_planned}).code ==
          error_code::event_not_allowed_in_stream);
}

TEST_CASE("a stream of an unknown category is an invalid stream name", "[rules]") {
    domain_ledger ledger;
    CHECK(ledger.refuse("note-1", {campaign_planned}).code == error_code::invalid_stream_name);
}

TEST_CASE("campaign, position and candidate ids must name existing streams", "[rules]") {
    domain_ledger ledger;
    ledger.accept("candidate-k1", {candidate_registered});
    check_rule(ledger.refuse("candidate-k1", {received_a1}), "reference_exists");
    constexpr typed_event filled_by_k2{"PositionFilled",
                                       R"({"candidate_id":"k2","filled_on":"2024-06-01"})"};
    check_rule(ledger.refuse("position-p1", {position_opened, filled_by_k2}), "reference_exists",
               1);
    ledger.accept("campaign-madrid", {campaign_planned});
    ledger.accept("candidate-k1", {received_a1});
    constexpr typed_event with_position{
        "ApplicationReceived",
        R"({"application_id":"a2","campaign_id":"madrid","position_id":"p1"})"};
    check_rule(ledger.refuse("candidate-k1", {with_position}), "reference_exists");
    ledger.accept("position-p1", {position_opened});
    ledger.accept("candidate-k1", {with_position});
    ledger.accept("position-p1",
                  {{"PositionFilled", R"({"candidate_id":"k1","filled_on":"2024-06-01"})"}});
    ledger.accept("candidate-k1", {{"InterestRegistered", R"({"specialties":["GP"]})"}});
}

TEST_CASE("stage events need an application received in the same stream", "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-madrid", {campaign_planned});
    ledger.accept("candidate-k1", {candidate_registered});
    ledger.accept("candidate-k2", {candidate_registered, received_a1});
    check_rule(ledger.refuse("candidate-k1", {screened_a1}), "application_received");
    ledger.accept("candidate-k1", {received_a1, screened_a1});
    check_rule(ledger.refuse("candidate-k1", {received_a1}), "application_unique");
}

TEST_CASE("a trip needs the latest shortage check for its country to find no shortage",
          "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-c1", {campaign_planned});
    check_rule(ledger.refuse("campaign-c1", {trip_es}), "trip_needs_shortage_check");
    ledger.accept("campaign-c1", {shortage_es_true});
    check_rule(ledger.refuse("campaign-c1", {trip_es}), "trip_needs_shortage_check");
    ledger.accept("campaign-c1", {shortage_es_false, trip_es});
    auto const later = ledger.accept("campaign-c1", {shortage_es_true});
    check_rule(ledger.refuse("campaign-c1", {trip_es}), "trip_needs_shortage_check");
    std::string text;
    ledger.accept("campaign-c1", {retraction(later, text), trip_es});
    constexpr typed_event trip_pt{
        "TripHeld", R"({"country":"PT","city":"Lisboa","from":"2024-05-02","to":"2024-05-03"})"};
    check_rule(ledger.refuse("campaign-c1", {trip_pt}), "trip_needs_shortage_check");
    ledger.accept("campaign-c2", {campaign_planned});
    check_rule(ledger.refuse("campaign-c2", {trip_es}), "trip_needs_shortage_check");
}

TEST_CASE("an invitation needs an active contact_brokerage consent", "[rules]") {
    domain_ledger ledger;
    ledger.accept("candidate-k1", {candidate_registered});
    check_rule(ledger.refuse("candidate-k1", {invited}), "invitation_needs_consent");
    ledger.accept("candidate-k1", {{"ConsentGranted", R"({"purpose":"talent_pool"})"}});
    check_rule(ledger.refuse("candidate-k1", {invited}), "invitation_needs_consent");
    ledger.accept("candidate-k1", {brokerage_granted, invited});
    ledger.accept("candidate-k1", {brokerage_withdrawn});
    check_rule(ledger.refuse("candidate-k1", {invited}), "invitation_needs_consent");
    constexpr typed_event expiring{"ConsentGranted",
                                   R"({"purpose":"contact_brokerage","expires_on":"2024-02-29"})"};
    check_rule(ledger.refuse("candidate-k1", {expiring, invited}), "invitation_needs_consent", 1);
    constexpr typed_event on_expiry{"InvitedToMeeting",
                                    R"({"with":"municipality","invited_on":"2024-02-29"})"};
    ledger.accept("candidate-k1", {expiring, on_expiry});

    // A retracted grant no longer counts.
    ledger.accept("candidate-k2", {candidate_registered});
    auto const grant = ledger.accept("candidate-k2", {brokerage_granted});
    std::string text;
    check_rule(ledger.refuse("candidate-k2", {retraction(grant, text), invited}),
               "invitation_needs_consent", 1);
}

TEST_CASE("a candidate's first batch may register, consent and invite at once", "[rules]") {
    domain_ledger ledger;
    ledger.accept("candidate-k1", {candidate_registered, brokerage_granted, invited});
    auto const e = ledger.refuse("candidate-k2", {candidate_registered, brokerage_granted,
                                                  brokerage_withdrawn, invited});
    check_rule(e, "invitation_needs_consent", 3);
    CHECK_FALSE(ledger.store().last_version("candidate-k2").has_value());
}

TEST_CASE("only retractions follow a closing event and nothing follows an erasure", "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-c1", {campaign_planned});
    auto const closed = ledger.accept("campaign-c1", {campaign_closed});
    check_rule(ledger.refuse("campaign-c1", {cost}), "stream_closed");
    check_rule(ledger.refuse("campaign-c1", {campaign_closed}), "stream_closed");
    std::string text;
    ledger.accept("campaign-c1", {retraction(closed, text), cost, campaign_closed});

    constexpr std::array<typed_event, 2> position_terminals{{
        {"PositionFilled", R"({"candidate_id":"k1","filled_on":"2024-06-01"})"},
        {"PositionWithdrawn", R"({"withdrawn_on":"2024-06-01"})"},
    }};
    for (auto const& terminal : position_terminals) {
        INFO(terminal.type);
        domain_ledger positions;
        positions.accept("candidate-k1", {candidate_registered});
        positions.accept("position-p1", {position_opened, terminal});
        constexpr typed_event reposted{"VacancyReposted", R"({"posted_on":"2024-07-01"})"};
        check_rule(positions.refuse("position-p1", {reposted}), "stream_closed");
    }

    ledger.accept("candidate-k1", {candidate_registered});
    auto const consent = ledger.accept("candidate-k1", {brokerage_granted});
    ledger.accept("candidate-k1", {{"SubjectErased", R"({"basis":"GDPR art. 17"})"}});
    check_rule(ledger.refuse("candidate-k1", {retraction(consent, text)}), "stream_closed");
    check_rule(ledger.refuse("candidate-k1", {brokerage_granted}), "stream_closed");
}

TEST_CASE("a retraction names an earlier, live, non-creation event of the same stream",
          "[rules]") {
    domain_ledger ledger;
    auto const created = ledger.accept("campaign-c1", {campaign_planned});
    auto const other = ledger.accept("campaign-c2", {campaign_planned, cost});
    auto const spent = ledger.accept("campaign-c1", {cost});
    std::string a, b;
    check_rule(ledger.refuse("campaign-c1", {retraction(created, a)}), "retraction_target");
    check_rule(ledger.refuse("campaign-c1", {retraction(other + 1, a)}), "retraction_target");
    check_rule(ledger.refuse("campaign-c1", {retraction(999, a)}), "retraction_target");
    auto const retracted = ledger.accept("campaign-c1", {retraction(spent, a)});
    check_rule(ledger.refuse("campaign-c1", {retraction(spent, a)}), "retraction_target");
    check_rule(ledger.refuse("campaign-c1", {retraction(retracted, a)}), "retraction_target");

    // Within one batch: an event may retract an earlier one of the batch, not itself.
    auto const next = ledger.store().head().events;
    ledger.accept("campaign-c1", {cost, retraction(next, a)});
    check_rule(ledger.refuse("campaign-c1", {cost, retraction(next + 4, b)}), "retraction_target",
               1);
}

TEST_CASE("a retracted application is no longer received", "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-madrid", {campaign_planned});
    ledger.accept("candidate-k1", {candidate_registered});
    auto const received = ledger.accept("candidate-k1", {received_a1});
    std::string text;
    ledger.accept("candidate-k1", {retraction(received, text)});
    check_rule(ledger.refuse("candidate-k1", {screened_a1}), "application_received");
    ledger.accept("candidate-k1", {received_a1, screened_a1});
}

TEST_CASE("a refused batch writes nothing and names the offending event", "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-c1", {campaign_planned});
    auto const before = ledger.store().head().events;
    check_rule(ledger.refuse("campaign-c1", {cost, cost, trip_es}), "trip_needs_shortage_check", 2);
    CHECK(ledger.store().head().events == before);
    CHECK(ledger.store().last_version("campaign-c1") == 0u);
}

TEST_CASE("the policy refuses events that did not come through the catalogue", "[rules]") {
    domain_ledger ledger;
    ledger.accept("campaign-c1", {campaign_planned});
    auto request = ledger::testing::one_event("campaign-c1");  // type NoteRecorded
    auto const unknown = ledger.store().append(request);
    REQUIRE(unknown.has_error());
    CHECK(unknown.error().code == error_code::unknown_event_type);
    CHECK(unknown.error().details.at("type") == "NoteRecorded");

    request.events[0].type = "CostRecorded";  // with data "payload", which is no CostRecorded
    auto const garbled = ledger.store().append(request);
    REQUIRE(garbled.has_error());
    CHECK(garbled.error().code == error_code::invalid_event);
    CHECK(garbled.error().details.at("field") == "data");
}

TEST_CASE("a rule state survives its stored form and refuses foreign bytes", "[rules]") {
    events::rule_state state;
    state.creation_position = 3;
    state.closed_by = 9;
    state.retracted = {5, 7};
    state.shortage_checks = {{4, "ES", false}};
    state.brokerage_consent = {{6, true, 19'800}};
    state.applications = {{8, "a1"}};
    auto const bytes = events::encode_rule_state(state);
    CHECK(events::decode_rule_state(bytes) == state);
    CHECK(events::decode_rule_state("") == events::rule_state{});
    CHECK_THROWS_AS(events::decode_rule_state(bytes.substr(0, bytes.size() - 1)), codec_error);
    CHECK_THROWS_AS(events::decode_rule_state(bytes + "x"), codec_error);
    CHECK_THROWS_AS(events::decode_rule_state("\x01\x07"), codec_error);
}
