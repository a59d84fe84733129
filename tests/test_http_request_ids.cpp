// Request ids end to end (issue 19): every answer of the real recruit-ledgerd carries
// X-Request-Id (the client's own when sane, else a new one), and every SPEC §6 error body names
// the same id in its `details`, keeping the body's shape. The log side is tests/logs/.

#include "support/http_fixture.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>

#include <set>
#include <string>

using namespace ledger::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

/// The error body's members, checked to be exactly SPEC §6's: code, message, details.
json::object const& error_of(json::value const& body) {
    REQUIRE(body.is_object());
    REQUIRE(body.as_object().size() == 1);
    auto const& error = body.at("error").as_object();
    CHECK(error.size() == 3);
    CHECK(error.at("code").is_string());
    CHECK(error.at("message").is_string());
    REQUIRE(error.at("details").is_object());
    return error;
}

/// A JSON string's text ("" when it is not a string, which then fails the comparison).
std::string text_of(json::value const& value) {
    return value.is_string() ? std::string(value.as_string()) : std::string();
}

}  // namespace

TEST_CASE("every answer carries a new X-Request-Id and an error body names it in details",
          "[e2e][request-id]") {
    server_process server;
    test_connection client(server.port());
    std::set<std::string> seen;
    auto const ok = client.call(make_request(http::verb::get, "/healthz"));
    CHECK(ok.result_int() == 200);
    seen.insert(std::string(ok["X-Request-Id"]));

    auto const missing = client.call(make_request(http::verb::get, "/v1/streams/campaign-nowhere"));
    CHECK(missing.result_int() == 404);
    std::string const id(missing["X-Request-Id"]);
    CHECK(id.starts_with("req-"));
    seen.insert(id);
    auto const body = json::parse(missing.body());
    auto const& error = error_of(body);
    CHECK(error.at("code") == "stream_not_found");
    CHECK(text_of(error.at("details").at("request_id")) == id);

    // Details SPEC §6 names keep their members beside the id.
    auto const append = append_body("\"no_stream\"", campaign_planned("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a"));
    CHECK(client.call(make_request(http::verb::post, "/v1/streams/campaign-es-2024/events", append)).result_int() == 201);
    auto const conflict = client.call(make_request(http::verb::post, "/v1/streams/campaign-es-2024/events",
                                                   append_body("5", shortage_check())));
    CHECK(conflict.result_int() == 409);
    auto const conflict_body = json::parse(conflict.body());
    auto const& details = error_of(conflict_body).at("details");
    CHECK(details.at("expected") == 5);
    CHECK(details.at("actual") == 0);
    CHECK(text_of(details.at("request_id")) == std::string(conflict["X-Request-Id"]));
    seen.insert(std::string(conflict["X-Request-Id"]));
    CHECK(seen.size() == 3);  // a new id per request
    CHECK(server.stop() == 0);
}

TEST_CASE("a sane client X-Request-Id is kept and an unsafe one is replaced", "[e2e][request-id]") {
    server_process server;
    test_connection client(server.port());
    auto request = make_request(http::verb::get, "/v1/projections/no-such-model");
    request.set("X-Request-Id", "lb-7f3a:2026/11/30+ok=");
    auto const kept = client.call(request);
    CHECK(kept.result_int() == 404);
    CHECK(std::string(kept["X-Request-Id"]) == "lb-7f3a:2026/11/30+ok=");
    CHECK(text_of(json::parse(kept.body()).at("error").at("details").at("request_id")) == "lb-7f3a:2026/11/30+ok=");

    for (std::string const& unsafe : {std::string("has \"quotes\""), std::string(65, 'a'), std::string("a b")}) {
        auto bad = make_request(http::verb::get, "/v1/projections/no-such-model");
        bad.set("X-Request-Id", unsafe);
        auto const replaced = client.call(bad);
        CHECK(std::string(replaced["X-Request-Id"]) != unsafe);
        CHECK(std::string(replaced["X-Request-Id"]).starts_with("req-"));
        CHECK(text_of(json::parse(replaced.body()).at("error").at("details").at("request_id")) == std::string(replaced["X-Request-Id"]));
    }
    CHECK(server.stop() == 0);
}

TEST_CASE("a request refused by its headers alone still names its request id", "[e2e][request-id]") {
    server_process server;
    test_connection client(server.port());
    auto request = make_request(http::verb::get, "/v1/projections");
    request.set(http::field::host, "evil.example");
    request.set("X-Request-Id", "refused-1");
    client.write(request);
    auto const raw = client.read_until("}}}");
    CHECK(raw.find("X-Request-Id: refused-1") != std::string::npos);
    auto const body = json::parse(raw.substr(raw.find("\r\n\r\n") + 4));
    CHECK(text_of(error_of(body).at("details").at("request_id")) == "refused-1");
    CHECK(server.stop() == 0);
}
