#include "projections/hires_vs_target.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

namespace {

void contract(testing::fold_scenario& s, std::string const& k, std::string const& employer,
              doctor_role role, std::string_view starts_on) {
    s.add("candidate-" + k, "2024-01-15", contract_signed{.application_id = "a", .employer = employer, .role = role, .starts_on = day(starts_on)});
}

}  // namespace

TEST_CASE("hires-vs-target compares contracts by employer, role and start year with the target",
          "[projections][hires-vs-target]") {
    testing::fold_scenario s;
    s.add("target-jkpg-2024-at", "2023-12-01", target_set{.organisation = "region-jonkoping", .year = 2024, .role = doctor_role::AT, .hires = 3});
    s.add("target-jkpg-2025-at", "2023-12-01", target_set{.organisation = "region-jonkoping", .year = 2025, .role = doctor_role::AT, .hires = 5});
    contract(s, "k1", "region-jonkoping", doctor_role::AT, "2024-02-01");
    contract(s, "k2", "region-jonkoping", doctor_role::AT, "2024-08-15");
    contract(s, "k3", "region-jonkoping", doctor_role::BT, "2024-08-15");   // no target
    contract(s, "k4", "region-jonkoping", doctor_role::AT, "2026-01-01");   // no target that year
    CHECK(s.rows<projections::hires_vs_target>() == json(R"([
      {"organisation":"region-jonkoping","year":2024,"role":"AT","target":3,"contracts_signed":2,"ratio":0.667},
      {"organisation":"region-jonkoping","year":2024,"role":"BT","target":null,"contracts_signed":1,"ratio":null},
      {"organisation":"region-jonkoping","year":2025,"role":"AT","target":5,"contracts_signed":0,"ratio":0.0},
      {"organisation":"region-jonkoping","year":2026,"role":"AT","target":null,"contracts_signed":1,"ratio":null}
    ])"));
}

TEST_CASE("hires-vs-target takes the target set last and forgets a retracted one",
          "[projections][hires-vs-target][retraction]") {
    testing::fold_scenario s;
    auto const first = s.add("target-a", "2023-12-01", target_set{.organisation = "o", .year = 2024, .role = doctor_role::ST, .hires = 10});
    s.add("target-b", "2023-12-02", target_set{.organisation = "o", .year = 2024, .role = doctor_role::ST, .hires = 4});
    contract(s, "k1", "o", doctor_role::ST, "2024-03-01");
    CHECK(s.rows<projections::hires_vs_target>().at(0).as_object().at("ratio") == 0.25);
    auto const later = s.add("target-c", "2023-12-03", target_set{.organisation = "o", .year = 2024, .role = doctor_role::ST, .hires = 2});
    CHECK(s.rows<projections::hires_vs_target>().at(0).as_object().at("target") == 2);
    s.retract(later);
    CHECK(s.rows<projections::hires_vs_target>().at(0).as_object().at("target") == 4);
    s.retract(first);
    CHECK(s.rows<projections::hires_vs_target>().at(0).as_object().at("target") == 4);
}

TEST_CASE("hires-vs-target drops a row whose only contract is retracted and counts an application once",
          "[projections][hires-vs-target][retraction]") {
    testing::fold_scenario s;
    contract(s, "k1", "o", doctor_role::KBU, "2024-03-01");
    contract(s, "k1", "o", doctor_role::KBU, "2024-03-01");  // the same application twice
    CHECK(s.rows<projections::hires_vs_target>().at(0).as_object().at("contracts_signed") == 1);
    s.retract(0);
    s.retract(1);
    CHECK(s.rows<projections::hires_vs_target>().empty());
}
