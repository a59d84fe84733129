#include "projections/vacancies.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

namespace {

testing::fold_scenario four_gp_practices() {
    testing::fold_scenario s;
    for (std::string const p : {"p1", "p2", "p3", "p4"}) {
        s.add("position-" + p, "2024-01-01", position_opened{.organisation = "vardcentral-norr", .role = doctor_role::GP});
        s.add("position-" + p, "2024-01-02", vacancy_posted{.posted_on = day("2024-01-02")});
    }
    s.add("position-p1", "2024-02-01", position_filled{.candidate_id = "k1", .filled_on = day("2024-02-01")});  // 30 days
    s.add("position-p2", "2024-02-15", vacancy_reposted{.posted_on = day("2024-02-15")});
    s.add("position-p2", "2024-03-02", position_filled{.candidate_id = "k2", .filled_on = day("2024-03-02")});  // 60 days
    s.add("position-p3", "2024-03-10", position_withdrawn{.withdrawn_on = day("2024-03-10")});
    s.add("position-p5", "2024-01-01", position_opened{.organisation = "vardcentral-norr", .role = doctor_role::specialist});
    return s;
}

}  // namespace

TEST_CASE("vacancies counts fills on the first posting and after reposting, withdrawn and open",
          "[projections][vacancies]") {
    CHECK(four_gp_practices().rows<projections::vacancies>() == json(R"([
      {"organisation":"vardcentral-norr","role":"specialist","opened":1,"filled":0,"filled_first_posting":0,
       "filled_after_repost":0,"withdrawn":0,"open":1,"median_days_to_fill":null},
      {"organisation":"vardcentral-norr","role":"GP","opened":4,"filled":2,"filled_first_posting":1,
       "filled_after_repost":1,"withdrawn":1,"open":1,"median_days_to_fill":45}
    ])"));
}

TEST_CASE("vacancies reopens a position whose fill is retracted", "[projections][vacancies][retraction]") {
    auto s = four_gp_practices();
    s.retract(8);  // p1's PositionFilled
    auto const row = s.rows<projections::vacancies>().at(1).as_object();
    CHECK(row.at("filled") == 1);
    CHECK(row.at("filled_first_posting") == 0);
    CHECK(row.at("open") == 2);
    CHECK(row.at("median_days_to_fill") == 60);
}

TEST_CASE("vacancies counts a retracted repost as a first-posting fill", "[projections][vacancies][retraction]") {
    auto s = four_gp_practices();
    s.retract(9);  // p2's VacancyReposted
    auto const row = s.rows<projections::vacancies>().at(1).as_object();
    CHECK(row.at("filled_first_posting") == 2);
    CHECK(row.at("filled_after_repost") == 0);
}
