// Data for people and spreadsheets over HTTP: plain-decimal JSON numbers in envelopes,
// flattened CSV with amounts in major units, and the spreadsheet variant.

#include "support/http_fixture.hpp"
#include "support/json_tokens.hpp"

#include "ledger/app/projection_runner.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// How many number tokens of `text` have a fraction; fails the test on an exponent.
std::size_t fractions_in(std::string const& text) {
    std::size_t fractions = 0;
    for (auto const& token : json_number_tokens(text)) {
        INFO(token);
        CHECK(token.find_first_of("eE") == std::string::npos);
        if (token.find('.') != std::string::npos) ++fractions;
    }
    return fractions;
}

/// A trip to Östersund's partner region in Spain, paid in euros and kronor.
void record_campaign_costs(http_fixture& f) {
    auto const events =
        std::string(R"({"type":"CampaignPlanned","occurred_at":"2025-01-10","data":{"name":"Östersund 2025",)"
                    R"("kind":"recruitment_trip","organiser":"region-jamtland-harjedalen","target_countries":["ES"]}},)") +
        R"({"type":"ShortageCheckRecorded","occurred_at":"2025-01-11","data":{"country":"ES","shortage":false}},)"
        R"({"type":"AdvertisementPublished","occurred_at":"2025-02-15","data":{"channel":"Diario Médico",)"
        R"("country":"ES","language":"es","published_on":"2025-02-15","cost_minor":1850000,"currency":"EUR"}},)"
        R"({"type":"CostRecorded","occurred_at":"2025-04-11","data":{"category":"travel","amount_minor":4200050,"currency":"SEK"}})";
    auto const response = f.append("campaign-ostersund-2025", append_body("\"no_stream\"", events));
    INFO(response.body);
    REQUIRE(response.status == 201);
}

}  // namespace

TEST_CASE("event metadata numbers read back as plain decimals", "[http][read][json]") {
    http_fixture f;
    auto const event = R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","metadata":{"score":0.5,"weight":40.5},)"
                       R"("data":{"name":"Spain","kind":"recruitment_trip","organiser":"region-jonkoping"}})";
    REQUIRE(f.append("campaign-es-2024", append_body("\"any\"", event)).status == 201);
    auto const stream = f.get("/v1/streams/campaign-es-2024");
    CHECK(stream.body.find(R"("metadata":{"score":0.5,"weight":40.5})") != std::string::npos);
    CHECK(fractions_in(stream.body) == 2);
    CHECK(fractions_in(f.get("/v1/events").body) == 2);
}

TEST_CASE("CSV of a ledger paid in two currencies has one column per currency in major units",
          "[http][projections][csv]") {
    http_fixture f;
    record_campaign_costs(f);
    app::projection_runner runner(f.store);
    REQUIRE(runner.wait_until_caught_up(10s));
    f.api.projections = &runner;

    auto const response = f.get("/v1/projections/recruits-per-campaign?format=csv");
    REQUIRE(response.status == 200);
    CHECK(response.content_type == "text/csv; charset=utf-8");
    CHECK(response.headers.empty());  // plain CSV is not a download
    CHECK(response.body ==
          "campaign_id,name,kind,organiser,applications,shortlisted,interviewed,offers,"
          "offers_accepted,contracts_signed,started,costs_EUR,costs_SEK,cost_per_contract\r\n"
          "ostersund-2025,Östersund 2025,recruitment_trip,region-jamtland-harjedalen,"
          "0,0,0,0,0,0,0,18500.00,42000.50,\r\n");
    // The JSON keeps the integer minor units, as the read model defines them.
    auto const row = json_of(f.get("/v1/projections/recruits-per-campaign")).at("rows").at(0);
    CHECK(row.at("costs") == json::parse(R"({"EUR":1850000,"SEK":4200050})"));
}

TEST_CASE("the spreadsheet CSV has a byte-order mark, semicolons, decimal commas and a file name",
          "[http][projections][csv][excel]") {
    http_fixture f;
    record_campaign_costs(f);
    app::projection_runner runner(f.store);
    REQUIRE(runner.wait_until_caught_up(10s));
    f.api.projections = &runner;

    auto const expected =
        "\xEF\xBB\xBF"
        "campaign_id;name;kind;organiser;applications;shortlisted;interviewed;offers;"
        "offers_accepted;contracts_signed;started;costs_EUR;costs_SEK;cost_per_contract\r\n"
        "ostersund-2025;\xC3\x96stersund 2025;recruitment_trip;region-jamtland-harjedalen;"
        "0;0;0;0;0;0;0;18500,00;42000,50;\r\n";
    for (auto const& target : {"/v1/projections/recruits-per-campaign?format=csv&excel=1",
                               "/v1/projections/recruits-per-campaign?excel=1"}) {
        INFO(target);
        auto const response = f.get(target);
        REQUIRE(response.status == 200);
        CHECK(response.content_type == "text/csv; charset=utf-8");
        CHECK(response.body == expected);
        REQUIRE(response.headers.size() == 1);
        CHECK(response.headers[0].first == "Content-Disposition");
        CHECK(response.headers[0].second == "attachment; filename=\"recruits-per-campaign.csv\"");
    }
    CHECK(f.get("/v1/projections/recruits-per-campaign?excel=1", "application/json").body == expected);
    CHECK(f.get("/v1/projections/recruits-per-campaign?format=csv&excel=0").body.starts_with("campaign_id,name,"));
    CHECK(f.get("/v1/projections/recruits-per-campaign?excel=0").content_type == "application/json");
}

TEST_CASE("an excel value other than 0 or 1, or excel=1 with JSON, is 400 bad_request",
          "[http][projections][csv][excel]") {
    http_fixture f;
    record_campaign_costs(f);
    app::projection_runner runner(f.store);
    f.api.projections = &runner;
    for (auto const& target : {"/v1/projections/funnel?format=csv&excel=yes",
                               "/v1/projections/funnel?excel=2", "/v1/projections/funnel?excel=",
                               "/v1/projections/funnel?format=json&excel=1"}) {
        INFO(target);
        auto const response = f.get(target);
        CHECK(response.status == 400);
        CHECK(error_code_of(response) == "bad_request");
        CHECK(json_of(response).at("error").at("details").at("parameter") == "excel");
    }
    auto const format = f.get("/v1/projections/funnel?format=xlsx&excel=1");
    CHECK(format.status == 400);
    CHECK(json_of(format).at("error").at("details").at("parameter") == "format");
}
