// Bearer tokens and roles (SPEC §6 Security) through http::handle: every caller on every route.

#include "support/http_fixture.hpp"

#include "ledger/app/authenticator.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/sha256.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace ledger::testing;
using ledger::app::authenticator;
using ledger::app::role;
using ledger::app::token_entry;

namespace {

// The callers of the table below, in its column order.
enum caller { nobody, wrong_token, reader, writer, auditor, admin };
constexpr std::array<std::string_view, 6> caller_names{"nobody", "wrong", "reader", "writer", "auditor", "admin"};

std::string token_of(caller who) { return "rlt_test_" + std::string(caller_names[static_cast<std::size_t>(who)]); }

std::string authorization_of(caller who) {
    return who == nobody ? std::string() : "Bearer " + token_of(who);
}

/// Tokens for every caller but `nobody` and `wrong_token` (whose token is in no entry).
authenticator test_authenticator() {
    std::vector<token_entry> tokens;
    for (auto const& [who, granted] : {std::pair{reader, role::reader}, {writer, role::writer},
                                      {auditor, role::auditor}, {admin, role::admin}}) {
        tokens.push_back({ledger::sha256(token_of(who)), granted, "user-" + token_of(who)});
    }
    return authenticator(std::move(tokens));
}

struct endpoint {
    std::string_view method;
    std::string_view target;          // "{caller}" is replaced by the caller's name
    std::array<unsigned, 6> expected;  // status for nobody, wrong, reader, writer, auditor, admin
};

constexpr unsigned ok = 200;

std::string candidate_registered() {
    return R"({"type":"CandidateRegistered","occurred_at":"2024-02-01","data":{"name":"Eva Berg",)"
           R"("country_of_training":"DE","career_stage":"specialist"}})";
}
// Every route of SPEC §6. The candidates `seed` and `admin` are registered beforehand, so the
// admin's erase and everyone's access export find their candidate.
constexpr std::array<endpoint, 15> endpoints{{
    {"POST", "/v1/streams/campaign-{caller}/events", {401, 401, 403, 201, 403, 201}},
    {"GET", "/v1/streams/campaign-seed", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/events?limit=1", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/subscribe", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/projections", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/projections/funnel", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/projections/funnel?format=csv", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/catalog", {401, 401, ok, ok, ok, ok}},
    {"GET", "/v1/audit/verify", {401, 401, 403, 403, ok, ok}},
    {"GET", "/v1/audit/head", {401, 401, 403, 403, ok, ok}},
    {"GET", "/v1/candidates/seed", {401, 401, 403, 403, ok, ok}},
    {"POST", "/v1/candidates/{caller}/erase", {401, 401, 403, 403, 403, 201}},
    {"GET", "/healthz", {ok, ok, ok, ok, ok, ok}},
    {"GET", "/readyz", {ok, ok, ok, ok, ok, ok}},
    {"GET", "/metrics", {ok, ok, ok, ok, ok, ok}},
}};

std::string header_value(ledger::http::response const& response, std::string_view name) {
    for (auto const& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

}  // namespace

TEST_CASE("every caller gets the status SPEC §6's role table says on every route", "[http][auth]") {
    http_fixture f;
    ledger::app::projection_runner projections(f.store);
    f.api.projections = &projections;
    f.api.authenticator = test_authenticator();
    f.authorization = authorization_of(admin);
    REQUIRE(f.append("campaign-seed", append_body("\"no_stream\"", campaign_planned())).status == 201);
    for (std::string const candidate : {"seed", "admin"}) {
        REQUIRE(f.append("candidate-" + candidate, append_body("\"no_stream\"", candidate_registered())).status == 201);
    }

    for (auto const& route : endpoints) {
        for (std::size_t column = 0; column < caller_names.size(); ++column) {
            auto const who = static_cast<caller>(column);
            std::string target(route.target);
            if (auto const at = target.find("{caller}"); at != std::string::npos) {
                target.replace(at, 8, caller_names[column]);
            }
            f.authorization = authorization_of(who);
            auto const response = route.method == "POST"
                                      ? f.post(target, target.ends_with("/erase")
                                                           ? std::string("{}")
                                                           : append_body("\"no_stream\"", campaign_planned()))
                                      : f.get(target);
            INFO(route.method << ' ' << target << " as " << caller_names[column] << ": " << response.body);
            CHECK(response.status == route.expected[column]);
            if (response.status == 401) {
                CHECK(error_code_of(response) == "unauthenticated");
                CHECK(header_value(response, "WWW-Authenticate") == "Bearer");
            }
            if (response.status == 403) CHECK(error_code_of(response) == "forbidden");
        }
    }
}

TEST_CASE("an appended event's actor is the token's name", "[http][auth]") {
    http_fixture f;
    f.api.authenticator = authenticator({{ledger::sha256("rlt_jkpg"), role::writer, "coordinator-jkpg"}});
    f.authorization = "Bearer rlt_jkpg";
    REQUIRE(f.append("campaign-es-2024", append_body("\"no_stream\"", campaign_planned())).status == 201);
    auto const read = json_of(f.get("/v1/streams/campaign-es-2024"));
    CHECK(read.at("events").at(0).at("actor") == "coordinator-jkpg");
}

TEST_CASE("without tokens every request is local with admin rights", "[http][auth]") {
    http_fixture f;  // the default authenticator: no tokens file
    CHECK(f.get("/v1/audit/verify").status == 200);
    f.authorization = "Bearer rlt_anything";  // ignored: there is nothing to check it against
    CHECK(f.get("/v1/audit/head").status == 200);
    auto const caller = f.api.authenticator.authenticate("");
    REQUIRE(caller.has_value());
    CHECK(caller->name == "local");
    CHECK(caller->granted == role::admin);
}

TEST_CASE("only a well-formed bearer header with a known token authenticates", "[http][auth]") {
    authenticator const tokens({{ledger::sha256("rlt_a"), role::reader, "ann"},
                                {ledger::sha256("rlt_b"), role::auditor, "bo"}});
    for (auto const* header : {"", "Bearer", "Bearer ", "Bearer  ", "Basic rlt_a", "Bearerrlt_a",
                               "Bearer rlt_a extra", "Bearer rlt_c", "Bearer rlt_", "rlt_a"}) {
        INFO('"' << header << '"');
        auto const caller = tokens.authenticate(header);
        REQUIRE_FALSE(caller.has_value());
        CHECK(caller.error().code == ledger::error_code::unauthenticated);
    }
    for (auto const* header : {"Bearer rlt_b", "bearer rlt_b", "BEARER   rlt_b"}) {
        auto const caller = tokens.authenticate(header);
        REQUIRE(caller.has_value());
        CHECK(caller->name == "bo");
        CHECK(caller->granted == role::auditor);
    }
    CHECK(tokens.authenticate("Bearer rlt_a")->name == "ann");
    CHECK_FALSE(authenticator(std::vector<token_entry>{}).authenticate("Bearer rlt_a").has_value());  // an empty list admits nobody
}

TEST_CASE("writer and auditor add different rights to reader, and only admin has all", "[http][auth]") {
    using ledger::app::grants;
    // Rows: held role; columns: required reader, writer, auditor, admin.
    std::array<std::pair<role, std::array<bool, 4>>, 4> const table{{
        {role::reader, {true, false, false, false}},
        {role::writer, {true, true, false, false}},
        {role::auditor, {true, false, true, false}},
        {role::admin, {true, true, true, true}},
    }};
    constexpr std::array required{role::reader, role::writer, role::auditor, role::admin};
    for (auto const& [held, allowed] : table) {
        for (std::size_t i = 0; i < required.size(); ++i) {
            INFO(ledger::app::to_string(held) << " on a " << ledger::app::to_string(required[i]) << " route");
            CHECK(grants(held, required[i]) == allowed[i]);
        }
    }
}
