// CSV for people and spreadsheets: flattened columns, money in major units, two dialects.

#include "ledger/app/csv.hpp"
#include "ledger/app/flat_table.hpp"
#include "ledger/app/money_text.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace json = boost::json;
using namespace ledger::app;

namespace {

/// A recruits-per-campaign-like table: two campaigns, costs in two currencies (and one the
/// money table does not know), one without contracts.
projection_table campaigns_table() {
    projection_table table{"recruits-per-campaign", 12, {"campaign_id", "name", "contracts_signed", "costs", "cost_per_contract"}, {}};
    table.rows.push_back(json::parse(
        R"({"campaign_id":"madrid-2024","name":"Östersund → Madrid","contracts_signed":2,)"
        R"("costs":{"EUR":260000,"SEK":10600000},"cost_per_contract":{"EUR":130000,"SEK":5300000}})"));
    table.rows.push_back(json::parse(
        R"j({"campaign_id":"reykjavik-2025","name":"=HYPERLINK(\"x\")","contracts_signed":0,)j"
        R"("costs":{"ISK":150000,"XYZ":7,"DKK":-5},"cost_per_contract":null})"));
    return table;
}

}  // namespace

TEST_CASE("CSV fields are quoted as RFC 4180 says", "[csv]") {
    std::string out;
    append_csv_field(out, "plain");
    CHECK(out == "plain");
    out.clear();
    append_csv_field(out, "a,b");
    CHECK(out == "\"a,b\"");
    out.clear();
    append_csv_field(out, "say \"hi\"");
    CHECK(out == "\"say \"\"hi\"\"\"");
    out.clear();
    append_csv_field(out, "two\nlines");
    CHECK(out == "\"two\nlines\"");
    out.clear();
    append_csv_field(out, "a,b", ';');  // a comma is plain text between semicolons
    CHECK(out == "a,b");
    out.clear();
    append_csv_field(out, "a;b", ';');
    CHECK(out == "\"a;b\"");
}

TEST_CASE("amounts in minor units become exact major units by the ISO 4217 exponent", "[csv][money]") {
    CHECK(minor_unit_exponent("SEK") == 2);
    CHECK(minor_unit_exponent("EUR") == 2);
    CHECK(minor_unit_exponent("ISK") == 0);
    CHECK(minor_unit_exponent("JPY") == 0);
    CHECK(minor_unit_exponent("KWD") == 3);
    CHECK_FALSE(minor_unit_exponent("XYZ"));
    CHECK_FALSE(minor_unit_exponent("sek"));
    CHECK(major_units_text(10600000, 2) == "106000.00");
    CHECK(major_units_text(5, 2) == "0.05");
    CHECK(major_units_text(-5, 2) == "-0.05");
    CHECK(major_units_text(0, 2) == "0.00");
    CHECK(major_units_text(1500, 0) == "1500");
    CHECK(major_units_text(1234567, 3, ',') == "1234,567");
    CHECK(major_units_text(std::numeric_limits<std::int64_t>::min(), 2) == "-92233720368547758.08");
}

TEST_CASE("nested maps become one column per key, money named for its unit", "[csv]") {
    auto const flat = flatten(campaigns_table());
    CHECK(flat.columns == std::vector<std::string>{"campaign_id", "name", "contracts_signed",
                                                   "costs_DKK", "costs_EUR", "costs_ISK", "costs_SEK",
                                                   "costs_XYZ_minor", "cost_per_contract_EUR",
                                                   "cost_per_contract_SEK"});
    auto const csv = to_csv(campaigns_table());
    CHECK(csv ==
          "campaign_id,name,contracts_signed,costs_DKK,costs_EUR,costs_ISK,costs_SEK,costs_XYZ_minor,"
          "cost_per_contract_EUR,cost_per_contract_SEK\r\n"
          "madrid-2024,Östersund → Madrid,2,,2600.00,,106000.00,,1300.00,53000.00\r\n"
          "reykjavik-2025,\"=HYPERLINK(\"\"x\"\")\",0,-0.05,,150000,,7,,\r\n");
    CHECK(csv.find('{') == std::string::npos);
}

TEST_CASE("other maps keep their keys' order and ratios are plain decimals", "[csv]") {
    projection_table table{"funnel", 3, {"kind", "conversion", "median_days_application_to_offer"}, {}};
    table.rows.push_back(json::object{{"kind", "recruitment_trip"},
                                      {"conversion", json::object{{"shortlisted", 0.692}, {"offers", 1.0}, {"started", nullptr}}},
                                      {"median_days_application_to_offer", 40.5}});
    table.rows.push_back(json::object{{"kind", "fair_tour"},
                                      {"conversion", json::object{{"shortlisted", 0.0015}, {"offers", nullptr}, {"started", 0.5}}},
                                      {"median_days_application_to_offer", nullptr}});
    CHECK(to_csv(table) ==
          "kind,conversion_shortlisted,conversion_offers,conversion_started,median_days_application_to_offer\r\n"
          "recruitment_trip,0.692,1,,40.5\r\n"
          "fair_tour,0.0015,,0.5,\r\n");
}

TEST_CASE("a column that is null in every row stays, empty, and so does an empty table's header", "[csv]") {
    projection_table table{"recruits-per-campaign", std::nullopt, {"campaign_id", "cost_per_contract"}, {}};
    CHECK(to_csv(table) == "campaign_id,cost_per_contract\r\n");
    table.rows.push_back(json::object{{"campaign_id", "a"}, {"cost_per_contract", nullptr}});
    CHECK(to_csv(table) == "campaign_id,cost_per_contract\r\na,\r\n");
}

TEST_CASE("the spreadsheet dialect has a byte-order mark, semicolons and decimal commas", "[csv][excel]") {
    auto const csv = to_csv(campaigns_table(), spreadsheet_csv);
    CHECK(csv ==
          "\xEF\xBB\xBF"
          "campaign_id;name;contracts_signed;costs_DKK;costs_EUR;costs_ISK;costs_SEK;costs_XYZ_minor;"
          "cost_per_contract_EUR;cost_per_contract_SEK\r\n"
          "madrid-2024;Östersund → Madrid;2;;2600,00;;106000,00;;1300,00;53000,00\r\n"
          // A name a spreadsheet would run as a formula is guarded; numbers are not.
          "reykjavik-2025;\"'=HYPERLINK(\"\"x\"\")\";0;-0,05;;150000;;7;;\r\n");
}
