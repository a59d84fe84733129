// Least-privilege reads (SPEC §6, docs/privacy.md): personal fields are shown to admin and
// recruiter only; reader, writer and auditor read "[redacted]" in stream and log reads; the
// access export stays admin/auditor and readable; without tokens (local admin) all is shown.

#include "support/http_fixture.hpp"

#include "ledger/app/authenticator.hpp"
#include "ledger/sha256.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace ledger;
using ledger::testing::append_body;
using ledger::testing::http_fixture;
using ledger::testing::json_of;

namespace {

constexpr std::array<std::pair<std::string_view, app::role>, 5> roles{{
    {"reader", app::role::reader},
    {"writer", app::role::writer},
    {"auditor", app::role::auditor},
    {"recruiter", app::role::recruiter},
    {"admin", app::role::admin},
}};

std::string token_of(std::string_view role) { return "rlt_test_" + std::string(role); }

app::authenticator every_role() {
    std::vector<app::token_entry> tokens;
    for (auto const& [name, granted] : roles) tokens.push_back({sha256(token_of(name)), granted, std::string(name)});
    return app::authenticator(std::move(tokens));
}

void register_candidate(http_fixture& f) {
    auto const body = append_body("\"no_stream\"", R"({"type":"CandidateRegistered","occurred_at":"2024-02-01",)"
                                                   R"("data":{"name":"Eva Berg","email":"eva@example.se",)"
                                                   R"("country_of_training":"DE"}})");
    REQUIRE(f.append("candidate-c-1", body).status == 201);
}

/// The first candidate event's data as `role` reads it from `target` (a stream or log read).
boost::json::object data_as(http_fixture& f, std::string_view role, std::string const& target) {
    f.authorization = "Bearer " + token_of(role);
    auto const response = f.get(target);
    REQUIRE(response.status == 200);
    return json_of(response).at("events").at(0).at("data").as_object();
}

}  // namespace

TEST_CASE("personal fields are shown to admin and recruiter and read [redacted] for other roles",
          "[privacy][roles]") {
    http_fixture f;
    register_candidate(f);
    f.api.authenticator = every_role();
    for (auto const& [role, granted] : roles) {
        bool const shown = role == "admin" || role == "recruiter";
        for (std::string const target : {"/v1/streams/candidate-c-1", "/v1/events?category=candidate",
                                         "/v1/streams/candidate-c-1?direction=backward"}) {
            INFO(role << " reads " << target);
            auto const data = data_as(f, role, target);
            CHECK(data.at("name") == (shown ? "Eva Berg" : "[redacted]"));
            CHECK(data.at("email") == (shown ? "eva@example.se" : "[redacted]"));
            CHECK(data.at("country_of_training") == "DE");  // not personal: shown to all
            CHECK_FALSE(data.contains("phone"));             // absent stays absent
        }
    }
}

TEST_CASE("the access export stays admin and auditor, readable, and a recruiter may not use it",
          "[privacy][roles]") {
    http_fixture f;
    register_candidate(f);
    f.api.authenticator = every_role();
    for (auto const& [role, granted] : roles) {
        f.authorization = "Bearer " + token_of(role);
        auto const response = f.get("/v1/candidates/c-1");
        INFO(role);
        if (role == "admin" || role == "auditor") {
            REQUIRE(response.status == 200);
            CHECK(json_of(response).at("events").at(0).at("data").at("name") == "Eva Berg");
        } else {
            CHECK(response.status == 403);
        }
    }
    f.authorization = "Bearer " + token_of("recruiter");
    CHECK(f.post("/v1/candidates/c-1/erase", "{}").status == 403);
    CHECK(f.append("candidate-c-2", append_body("\"no_stream\"", "")).status == 403);
}

TEST_CASE("without tokens the local admin sees personal fields and erased ones read [erased]",
          "[privacy][roles]") {
    http_fixture f;
    register_candidate(f);
    CHECK(data_as(f, "none", "/v1/streams/candidate-c-1").at("name") == "Eva Berg");
    REQUIRE(f.post("/v1/candidates/c-1/erase", "").status == 201);
    CHECK(data_as(f, "none", "/v1/streams/candidate-c-1").at("name") == "[erased]");
}

TEST_CASE("the recruiter role is known to the tokens file and the role model", "[privacy][roles]") {
    CHECK(app::parse_role("recruiter") == app::role::recruiter);
    CHECK(app::to_string(app::role::recruiter) == "recruiter");
    CHECK(app::grants(app::role::recruiter, app::role::reader));
    CHECK_FALSE(app::grants(app::role::recruiter, app::role::writer));
    CHECK_FALSE(app::grants(app::role::recruiter, app::role::auditor));
    CHECK(app::reveals_personal_data(app::role::recruiter));
    CHECK(app::reveals_personal_data(app::role::admin));
    CHECK_FALSE(app::reveals_personal_data(app::role::auditor));
}
