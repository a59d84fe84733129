// GET /v1/audit/verify?indexes=true (SPEC §6, §11): the auditor's walk can also prove the
// event-id and stream indexes agree with the log (event_store::verify(true); the tampered
// cases are in test_store_tamper.cpp).

#include "support/http_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ledger::testing;

TEST_CASE("audit verify with indexes=true checks the indexes too and reports ok on a sound ledger",
          "[http][audit]") {
    http_fixture f;
    REQUIRE(f.append("campaign-a", append_body("\"no_stream\"", campaign_planned())).status == 201);
    REQUIRE(f.append("campaign-a", append_body("\"any\"", shortage_check())).status == 201);
    auto const plain = f.get("/v1/audit/verify");
    auto const indexed = f.get("/v1/audit/verify?indexes=true");
    REQUIRE(indexed.status == 200);
    CHECK(json_of(indexed).at("ok") == true);
    CHECK(json_of(indexed).at("events") == 2);
    CHECK(json_of(plain).at("head_hash") == json_of(indexed).at("head_hash"));
}

TEST_CASE("audit verify refuses an indexes value other than true or false", "[http][audit]") {
    http_fixture f;
    auto const refused = f.get("/v1/audit/verify?indexes=yes");
    CHECK(refused.status == 400);
    CHECK(json_of(refused).at("error").at("code") == "bad_request");
}
