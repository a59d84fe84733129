#include "projections/retention.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

namespace {

void hire(testing::fold_scenario& s, std::string const& k, std::string_view started_on) {
    s.add("candidate-" + k, "2021-01-01", application_received{.application_id = "a", .campaign_id = "c1"});
    s.add("candidate-" + k, "2021-02-01", contract_signed{.application_id = "a", .employer = "e", .role = doctor_role::specialist, .starts_on = day(started_on)});
    s.add("candidate-" + k, started_on, employment_started{.employer = "e", .started_on = day(started_on)});
}

}  // namespace

TEST_CASE("retention counts doctors past their anniversaries and those still employed on them",
          "[projections][retention]") {
    testing::fold_scenario s;
    s.add("campaign-c1", "2021-01-01", campaign_planned{.name = "C", .kind = campaign_kind::recruitment_trip, .organiser = "o"});
    s.add("campaign-c2", "2021-01-01", campaign_planned{.name = "D", .kind = campaign_kind::fair_tour, .organiser = "o"});
    hire(s, "k1", "2021-06-01");  // stays
    hire(s, "k2", "2021-06-01");
    s.add("candidate-k2", "2022-03-01", employment_ended{.ended_on = day("2022-03-01")});  // left within 12 months
    hire(s, "k3", "2021-06-01");
    s.add("candidate-k3", "2022-06-01", employment_ended{.ended_on = day("2022-06-01")});  // on the 12-month anniversary
    hire(s, "k4", "2023-01-01");  // 12 months passed, 24 not yet
    hire(s, "k5", "2024-01-01");  // not yet 12 months
    s.add("candidate-k6", "2021-01-01", application_received{.application_id = "a", .campaign_id = "c1"});  // never contracted
    s.add("campaign-c2", "2024-01-01T00:00:00Z", cost_recorded{.category = cost_category::other, .amount_minor = 1, .currency = {"SEK"}});  // the clock
    CHECK(s.rows<projections::retention>() == json(R"([
      {"campaign_id":"c1","started":5,"eligible_12m":4,"retained_12m":3,"eligible_24m":3,"retained_24m":1},
      {"campaign_id":"c2","started":0,"eligible_12m":0,"retained_12m":0,"eligible_24m":0,"retained_24m":0}
    ])"));
}

TEST_CASE("retention counts a doctor again as retained when the ending is retracted",
          "[projections][retention][retraction]") {
    testing::fold_scenario s;
    hire(s, "k1", "2021-06-01");
    auto const ended = s.add("candidate-k1", "2021-09-01", employment_ended{.ended_on = day("2021-09-01")});
    s.add("candidate-k9", "2023-07-01", candidate_registered{.name = "clock"});
    CHECK(s.rows<projections::retention>().at(0).as_object().at("retained_24m") == 0);
    s.retract(ended);
    CHECK(s.rows<projections::retention>() == json(R"([
      {"campaign_id":"c1","started":1,"eligible_12m":1,"retained_12m":1,"eligible_24m":1,"retained_24m":1}])"));
}
