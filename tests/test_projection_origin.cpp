#include "projections/origin.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

TEST_CASE("origin counts contracts by country of training and year of start",
          "[projections][origin]") {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-01-01", candidate_registered{.name = "A", .country_of_training = country_code{"DE"}});
    s.add("candidate-k2", "2024-01-01", candidate_registered{.name = "B", .country_of_training = country_code{"DE"}});
    s.add("candidate-k3", "2024-01-01", candidate_registered{.name = "C", .country_of_training = country_code{"GR"}});
    s.add("candidate-k4", "2024-01-01", candidate_registered{.name = "D"});
    s.add("candidate-k1", "2024-02-01", contract_signed{.application_id = "a", .employer = "e", .role = doctor_role::ST, .starts_on = day("2024-09-01")});
    s.add("candidate-k2", "2024-02-01", contract_signed{.application_id = "a", .employer = "e", .role = doctor_role::ST, .starts_on = day("2025-01-01")});
    s.add("candidate-k2", "2024-02-02", contract_signed{.application_id = "b", .employer = "e", .role = doctor_role::ST, .starts_on = day("2025-03-01")});
    s.add("candidate-k3", "2024-02-01", contract_signed{.application_id = "a", .employer = "e", .role = doctor_role::AT, .starts_on = day("2024-06-01")});
    auto const retracted = s.add("candidate-k4", "2024-02-01", contract_signed{.application_id = "a", .employer = "e", .role = doctor_role::AT, .starts_on = day("2024-06-01")});
    s.add("candidate-k4", "2024-02-03", contract_signed{.application_id = "b", .employer = "e", .role = doctor_role::AT, .starts_on = day("2024-07-01")});
    s.add("candidate-k4", "2024-02-04", contract_signed{.application_id = "c", .employer = "e", .role = doctor_role::AT, .starts_on = day("2024-08-01")});
    s.retract(retracted);
    CHECK(s.rows<projections::origin>() == json(R"([
      {"country_of_training":null,"year":2024,"contracts_signed":2},
      {"country_of_training":"DE","year":2024,"contracts_signed":1},
      {"country_of_training":"DE","year":2025,"contracts_signed":2},
      {"country_of_training":"GR","year":2024,"contracts_signed":1}
    ])"));
}

TEST_CASE("origin moves contracts when a registration is retracted and registered anew",
          "[projections][origin][retraction]") {
    testing::fold_scenario s;
    auto const wrong = s.add("candidate-k1", "2024-01-01", candidate_registered{.name = "A", .country_of_training = country_code{"PL"}});
    s.add("candidate-k1", "2024-02-01", contract_signed{.application_id = "a", .employer = "e", .role = doctor_role::ST, .starts_on = day("2024-09-01")});
    s.retract(wrong);
    s.add("candidate-k1", "2024-03-01", candidate_registered{.name = "A", .country_of_training = country_code{"LT"}});
    CHECK(s.rows<projections::origin>() == json(R"([{"country_of_training":"LT","year":2024,"contracts_signed":1}])"));
}
