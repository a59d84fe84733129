// GET / and /assets/…: the embedded dashboard (SPEC §13), its headers and revalidation.

#include "support/http_fixture.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ledger;
using namespace ledger::testing;

namespace {

std::string header(http::response const& response, std::string const& name) {
    for (auto const& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

}  // namespace

TEST_CASE("GET / serves the dashboard page with a same-origin content security policy",
          "[http][dashboard]") {
    http_fixture f;
    auto const page = f.get("/");
    REQUIRE(page.status == 200);
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(page.body.find("<html") != std::string::npos);
    auto const policy = header(page, "Content-Security-Policy");
    CHECK(policy.find("default-src 'self'") != std::string::npos);
    CHECK(policy.find("script-src 'self';") != std::string::npos);
    CHECK(policy.find("unsafe") == std::string::npos);
    CHECK(header(page, "X-Content-Type-Options") == "nosniff");
    CHECK(header(page, "Cache-Control") == "no-cache");
}

TEST_CASE("dashboard files need no token even when the API does", "[http][dashboard]") {
    http_fixture f;
    f.api.authenticator = app::authenticator(std::vector<app::token_entry>{});
    CHECK(f.get("/").status == 200);
    CHECK(f.get("/assets/app.js").status == 200);
    CHECK(f.get("/v1/catalog").status == 401);
}

TEST_CASE("a dashboard script is served as JavaScript and revalidates by its ETag",
          "[http][dashboard]") {
    http_fixture f;
    auto const script = f.get("/assets/app.js");
    REQUIRE(script.status == 200);
    CHECK(script.content_type == "text/javascript; charset=utf-8");
    auto const etag = header(script, "ETag");
    REQUIRE(etag.size() == 18);
    http::request again;
    again.method = "GET";
    again.target = "/assets/app.js?v=1";
    again.if_none_match = etag;
    auto const unchanged = http::handle(again, f.api);
    CHECK(unchanged.status == 304);
    CHECK(unchanged.body.empty());
    CHECK(header(unchanged, "ETag") == etag);
}

TEST_CASE("an unknown dashboard file is 404 and a POST to one 405", "[http][dashboard]") {
    http_fixture f;
    auto const missing = f.get("/assets/../README.md");
    CHECK(missing.status == 404);
    CHECK(error_code_of(missing) == "not_found");
    CHECK(error_code_of(f.get("/assets/nothing.js")) == "not_found");
    CHECK(f.post("/", "{}").status == 405);
    CHECK(f.get("/assets/vendor/chart.umd.min.js").status == 200);
}
