#include "projections/recruits_per_campaign.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

namespace {

/// Campaign c1 (a trip) with costs; k1 goes all the way, k2 is rejected at screening, k3 does
/// not show up for the interview, k4 declines the offer.
testing::fold_scenario trip_with_four_applicants() {
    testing::fold_scenario s;
    s.add("campaign-c1", "2024-01-01", campaign_planned{.name = "Trip to Berlin", .kind = campaign_kind::recruitment_trip, .organiser = "region-jonkoping"});
    s.add("campaign-c1", "2024-01-05", cost_recorded{.category = cost_category::travel, .amount_minor = 100000, .currency = {"SEK"}});
    s.add("campaign-c1", "2024-01-06", advertisement_published{.channel = "Deutsches Ärzteblatt", .published_on = day("2024-01-06"), .cost_minor = 50001, .currency = currency_code{"SEK"}});
    s.add("campaign-c1", "2024-01-07", cost_recorded{.category = cost_category::staff, .amount_minor = 30000, .currency = {"EUR"}});
    s.add("campaign-c2", "2024-01-01", campaign_planned{.name = "Fair tour", .kind = campaign_kind::fair_tour, .organiser = "region-jonkoping"});
    for (std::string const k : {"k1", "k2", "k3", "k4"}) {
        s.add("candidate-" + k, "2024-02-01", candidate_registered{.name = "Dr " + k});
        s.add("candidate-" + k, "2024-02-02", application_received{.application_id = "a-" + k, .campaign_id = "c1"});
    }
    s.add("candidate-k1", "2024-02-03", application_screened{.application_id = "a-k1", .outcome = screening_outcome::shortlisted});
    s.add("candidate-k1", "2024-02-10", interview_held{.application_id = "a-k1", .outcome = interview_outcome::pass});
    s.add("candidate-k1", "2024-02-20", offer_extended{.application_id = "a-k1"});
    s.add("candidate-k1", "2024-02-21", offer_answered{.application_id = "a-k1", .accepted = true});
    s.add("candidate-k1", "2024-02-22", contract_signed{.application_id = "a-k1", .employer = "region-jonkoping", .role = doctor_role::LIS1, .starts_on = day("2024-09-01")});
    s.add("candidate-k1", "2024-09-01", employment_started{.employer = "region-jonkoping", .started_on = day("2024-09-01")});
    s.add("candidate-k2", "2024-02-03", application_screened{.application_id = "a-k2", .outcome = screening_outcome::rejected});
    s.add("candidate-k3", "2024-02-03", application_screened{.application_id = "a-k3", .outcome = screening_outcome::shortlisted});
    s.add("candidate-k3", "2024-02-10", interview_held{.application_id = "a-k3", .outcome = interview_outcome::no_show});
    s.add("candidate-k4", "2024-02-03", application_screened{.application_id = "a-k4", .outcome = screening_outcome::shortlisted});
    s.add("candidate-k4", "2024-02-10", interview_held{.application_id = "a-k4", .outcome = interview_outcome::fail});
    s.add("candidate-k4", "2024-02-20", offer_extended{.application_id = "a-k4"});
    s.add("candidate-k4", "2024-02-21", offer_answered{.application_id = "a-k4", .accepted = false});
    return s;
}

}  // namespace

TEST_CASE("recruits-per-campaign counts each stage an application reached, with costs per contract",
          "[projections][recruits-per-campaign]") {
    auto const rows = trip_with_four_applicants().rows<projections::recruits_per_campaign>();
    CHECK(rows == json(R"([
      {"campaign_id":"c1","name":"Trip to Berlin","kind":"recruitment_trip","organiser":"region-jonkoping",
       "applications":4,"shortlisted":3,"interviewed":2,"offers":2,"offers_accepted":1,
       "contracts_signed":1,"started":1,"costs":{"EUR":30000,"SEK":150001},
       "cost_per_contract":{"EUR":30000,"SEK":150001}},
      {"campaign_id":"c2","name":"Fair tour","kind":"fair_tour","organiser":"region-jonkoping",
       "applications":0,"shortlisted":0,"interviewed":0,"offers":0,"offers_accepted":0,
       "contracts_signed":0,"started":0,"costs":{},"cost_per_contract":null}
    ])"));
}

TEST_CASE("recruits-per-campaign row keys follow the SPEC field order", "[projections][recruits-per-campaign]") {
    auto const rows = trip_with_four_applicants().rows<projections::recruits_per_campaign>();
    auto const& row = rows.at(0).as_object();
    REQUIRE(row.size() == projections::recruits_per_campaign::columns.size());
    std::size_t i = 0;
    for (auto const& [key, value] : row) CHECK(key == projections::recruits_per_campaign::columns[i++]);
}

TEST_CASE("recruits-per-campaign forgets a retracted contract and a retracted cost",
          "[projections][recruits-per-campaign][retraction]") {
    auto s = trip_with_four_applicants();
    s.retract(17);  // k1's ContractSigned
    s.retract(1);   // the SEK travel cost
    auto const row = s.rows<projections::recruits_per_campaign>().at(0).as_object();
    CHECK(row.at("contracts_signed") == 0);
    CHECK(row.at("started") == 0);  // started needs a contract before the employment
    CHECK(row.at("offers_accepted") == 1);
    CHECK(row.at("costs") == json(R"({"EUR":30000,"SEK":50001})"));
    CHECK(row.at("cost_per_contract").is_null());
}

TEST_CASE("recruits-per-campaign counts a stage once per application and needs the application received",
          "[projections][recruits-per-campaign]") {
    testing::fold_scenario s;
    s.add("campaign-c1", "2024-01-01", campaign_planned{.name = "GP drive", .kind = campaign_kind::gp_matching, .organiser = "region-kalmar"});
    s.add("candidate-k1", "2024-02-01", candidate_registered{.name = "Dr One"});
    s.add("candidate-k1", "2024-02-02", application_received{.application_id = "a1", .campaign_id = "c1"});
    s.add("candidate-k1", "2024-02-03", offer_extended{.application_id = "a1"});
    s.add("candidate-k1", "2024-02-04", offer_extended{.application_id = "a1"});
    s.add("candidate-k1", "2024-02-05", offer_extended{.application_id = "never-received"});
    // Employment before the contract is not "later": not started.
    s.add("candidate-k1", "2024-02-06", employment_started{.employer = "x", .started_on = day("2024-02-06")});
    s.add("candidate-k1", "2024-02-07", contract_signed{.application_id = "a1", .employer = "x", .role = doctor_role::GP, .starts_on = day("2024-03-01")});
    auto const row = s.rows<projections::recruits_per_campaign>().at(0).as_object();
    CHECK(row.at("applications") == 1);
    CHECK(row.at("offers") == 1);
    CHECK(row.at("contracts_signed") == 1);
    CHECK(row.at("started") == 0);
}

TEST_CASE("recruits-per-campaign shows an application to an unplanned campaign with null name",
          "[projections][recruits-per-campaign][retraction]") {
    testing::fold_scenario s;
    auto const planned = s.add("campaign-c9", "2024-01-01", campaign_planned{.name = "Oops", .kind = campaign_kind::fair_tour, .organiser = "r"});
    s.add("candidate-k1", "2024-02-02", application_received{.application_id = "a1", .campaign_id = "c9"});
    s.retract(planned);
    CHECK(s.rows<projections::recruits_per_campaign>() == json(R"([
      {"campaign_id":"c9","name":null,"kind":null,"organiser":null,"applications":1,"shortlisted":0,
       "interviewed":0,"offers":0,"offers_accepted":0,"contracts_signed":0,"started":0,"costs":{},
       "cost_per_contract":null}])"));
}
