#include "projections/funnel.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

namespace {

void apply_and_offer(testing::fold_scenario& s, std::string const& k, std::string const& campaign,
                     std::string_view received, std::string_view offered) {
    s.add("candidate-" + k, received, application_received{.application_id = "a", .campaign_id = campaign});
    s.add("candidate-" + k, received, application_screened{.application_id = "a", .outcome = screening_outcome::shortlisted});
    s.add("candidate-" + k, received, interview_held{.application_id = "a", .outcome = interview_outcome::pass});
    s.add("candidate-" + k, offered, offer_extended{.application_id = "a"});
}

}  // namespace

TEST_CASE("funnel groups applications by their campaign's kind and organiser and the year received",
          "[projections][funnel]") {
    testing::fold_scenario s;
    s.add("campaign-t1", "2023-01-01", campaign_planned{.name = "Trip 1", .kind = campaign_kind::recruitment_trip, .organiser = "region-a"});
    s.add("campaign-t2", "2023-01-01", campaign_planned{.name = "Trip 2", .kind = campaign_kind::recruitment_trip, .organiser = "region-a"});
    apply_and_offer(s, "k1", "t1", "2024-03-01", "2024-03-11");  // 10 days
    apply_and_offer(s, "k2", "t2", "2024-03-01", "2024-03-21");  // 20 days
    apply_and_offer(s, "k3", "t2", "2024-03-01", "2024-03-24");  // 23 days
    s.add("candidate-k1", "2024-03-12", offer_answered{.application_id = "a", .accepted = true});
    s.add("candidate-k1", "2024-03-13", contract_signed{.application_id = "a", .employer = "region-a", .role = doctor_role::ST, .starts_on = day("2024-05-01")});
    s.add("candidate-k1", "2024-05-02", employment_started{.employer = "region-a", .started_on = day("2024-05-02")});
    s.add("candidate-k4", "2025-01-10", application_received{.application_id = "a", .campaign_id = "t1"});
    CHECK(s.rows<projections::funnel>() == json(R"([
      {"kind":"recruitment_trip","organiser":"region-a","year":2024,"applications":3,"shortlisted":3,
       "interviewed":3,"offers":3,"offers_accepted":1,"contracts_signed":1,"started":1,
       "conversion":{"shortlisted":1.0,"interviewed":1.0,"offers":1.0,"offers_accepted":0.333,
                     "contracts_signed":1.0,"started":1.0},
       "median_days_application_to_offer":20,"median_days_offer_to_start":52},
      {"kind":"recruitment_trip","organiser":"region-a","year":2025,"applications":1,"shortlisted":0,
       "interviewed":0,"offers":0,"offers_accepted":0,"contracts_signed":0,"started":0,
       "conversion":{"shortlisted":0.0,"interviewed":null,"offers":null,"offers_accepted":null,
                     "contracts_signed":null,"started":null},
       "median_days_application_to_offer":null,"median_days_offer_to_start":null}
    ])"));
}

TEST_CASE("funnel medians of an even count are the mean of the two middle values",
          "[projections][funnel][median]") {
    testing::fold_scenario s;
    s.add("campaign-t1", "2023-01-01", campaign_planned{.name = "T", .kind = campaign_kind::fair_tour, .organiser = "o"});
    apply_and_offer(s, "k1", "t1", "2024-03-01", "2024-03-11");  // 10
    apply_and_offer(s, "k2", "t1", "2024-03-01", "2024-03-22");  // 21
    auto const row = s.rows<projections::funnel>().at(0).as_object();
    CHECK(row.at("median_days_application_to_offer") == 15.5);
    apply_and_offer(s, "k3", "t1", "2024-03-01", "2024-03-02");  // 1
    apply_and_offer(s, "k4", "t1", "2024-03-01", "2024-03-31");  // 30
    CHECK(s.rows<projections::funnel>().at(0).as_object().at("median_days_application_to_offer") == 15.5);
}

TEST_CASE("funnel rates 2 of 3 as 0.667 and drops a retracted screening",
          "[projections][funnel][retraction]") {
    testing::fold_scenario s;
    s.add("campaign-t1", "2023-01-01", campaign_planned{.name = "T", .kind = campaign_kind::student_outreach, .organiser = "o"});
    std::uint64_t screened = 0;
    for (std::string const k : {"k1", "k2", "k3"}) {
        s.add("candidate-" + k, "2024-06-01", application_received{.application_id = "a", .campaign_id = "t1"});
        screened = s.add("candidate-" + k, "2024-06-02", application_screened{.application_id = "a", .outcome = screening_outcome::shortlisted});
    }
    s.add("candidate-k1", "2024-06-03", application_screened{.application_id = "a", .outcome = screening_outcome::rejected});
    s.retract(screened);
    auto const row = s.rows<projections::funnel>().at(0).as_object();
    CHECK(row.at("shortlisted") == 2);
    CHECK(row.at("conversion").at("shortlisted") == 0.667);
}

TEST_CASE("funnel puts applications to an unplanned campaign under null kind and organiser",
          "[projections][funnel]") {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-06-01", application_received{.application_id = "a", .campaign_id = "nowhere"});
    auto const row = s.rows<projections::funnel>().at(0).as_object();
    CHECK(row.at("kind").is_null());
    CHECK(row.at("organiser").is_null());
    CHECK(row.at("year") == 2024);
}
