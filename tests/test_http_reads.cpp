// Stream and log reads, the subscription request, audit and routing errors through http::handle.

#include "support/http_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ledger::testing;
namespace json = boost::json;

namespace {

/// Appends `count` events to the new campaign `stream`, one request each: CampaignPlanned,
/// then shortage checks.
void fill(http_fixture& f, std::string const& stream, int count) {
    for (int i = 0; i < count; ++i) {
        auto const event = i == 0 ? campaign_planned() : shortage_check();
        REQUIRE(f.append(stream, append_body("\"any\"", event)).status == 201);
    }
}

std::vector<std::uint64_t> numbers(json::value const& page, char const* field) {
    std::vector<std::uint64_t> out;
    for (auto const& event : page.at("events").as_array()) out.push_back(event.at(field).to_number<std::uint64_t>());
    return out;
}

}  // namespace

TEST_CASE("a stream reads forward and backward in pages", "[http][read]") {
    http_fixture f;
    fill(f, "campaign-es-2024", 5);
    auto const first = json_of(f.get("/v1/streams/campaign-es-2024?limit=2"));
    CHECK(numbers(first, "version") == std::vector<std::uint64_t>{0, 1});
    CHECK(first.at("next_version") == 2);
    auto const last = json_of(f.get("/v1/streams/campaign-es-2024?from_version=4&limit=2"));
    CHECK(numbers(last, "version") == std::vector<std::uint64_t>{4});
    CHECK(last.at("next_version").is_null());
    auto const back = json_of(f.get("/v1/streams/campaign-es-2024?direction=backward&limit=2"));
    CHECK(numbers(back, "version") == std::vector<std::uint64_t>{4, 3});
    CHECK(back.at("next_version") == 2);
    CHECK(back.at("direction") == "backward");
}

TEST_CASE("an envelope has every SPEC field", "[http][read]") {
    http_fixture f;
    fill(f, "campaign-es-2024", 1);
    auto const envelope = json_of(f.get("/v1/streams/campaign-es-2024")).at("events").at(0).as_object();
    for (auto const* field : {"position", "stream", "version", "id", "type", "schema_version",
                              "occurred_at", "recorded_at", "actor", "correlation_id",
                              "causation_id", "data", "metadata", "hash"}) {
        CHECK(envelope.contains(field));
    }
    CHECK(envelope.at("hash").as_string().size() == 64);
}

TEST_CASE("reading a stream with no events is 404 stream_not_found", "[http][read]") {
    http_fixture f;
    auto const response = f.get("/v1/streams/campaign-nobody");
    CHECK(response.status == 404);
    CHECK(error_code_of(response) == "stream_not_found");
    CHECK(error_code_of(f.get("/v1/streams/nocategory-x")) == "invalid_stream_name");
}

TEST_CASE("bad read query values are 400 bad_request", "[http][read]") {
    http_fixture f;
    fill(f, "campaign-es-2024", 1);
    for (auto const* target :
         {"/v1/streams/campaign-es-2024?from_version=-1", "/v1/streams/campaign-es-2024?limit=0",
          "/v1/streams/campaign-es-2024?limit=1001", "/v1/streams/campaign-es-2024?limit=ten",
          "/v1/streams/campaign-es-2024?direction=sideways", "/v1/events?from_position=1.5",
          "/v1/events?limit=100000", "/v1/events?type=Bogus", "/v1/events?category=planet",
          "/v1/subscribe?from_position=x", "/v1/projections/funnel?as_of_position=-3"}) {
        auto const response = f.get(target);
        CHECK(response.status == 400);
        CHECK(error_code_of(response) == "bad_request");
    }
}

TEST_CASE("GET /v1/events pages the global log with type and category filters", "[http][read]") {
    http_fixture f;
    fill(f, "campaign-a", 2);
    fill(f, "campaign-b", 2);
    auto const page = json_of(f.get("/v1/events?from_position=1&limit=2"));
    CHECK(numbers(page, "position") == std::vector<std::uint64_t>{1, 2});
    CHECK(page.at("next_position") == 3);
    auto const tail = json_of(f.get("/v1/events?from_position=3"));
    CHECK(numbers(tail, "position") == std::vector<std::uint64_t>{3});
    CHECK(tail.at("next_position").is_null());
    CHECK(numbers(json_of(f.get("/v1/events?category=campaign")), "position").size() == 4);
    CHECK(numbers(json_of(f.get("/v1/events?type=CampaignPlanned")), "position") ==
          std::vector<std::uint64_t>{0, 2});
    CHECK(json_of(f.get("/v1/events?category=target")).at("events").as_array().empty());
}

TEST_CASE("a subscription starts at from_position or after Last-Event-ID", "[http][sse]") {
    http_fixture f;
    auto plain = f.get("/v1/subscribe");
    REQUIRE(plain.subscribe);
    CHECK(plain.subscribe->from_position == 0);
    CHECK(plain.content_type == "text/event-stream");
    CHECK(f.get("/v1/subscribe?from_position=7").subscribe->from_position == 7);

    ledger::http::request resume;
    resume.method = "GET";
    resume.target = "/v1/subscribe?from_position=2";
    resume.last_event_id = "41";
    CHECK(ledger::http::handle(resume, f.api).subscribe->from_position == 42);
    resume.last_event_id = "forty";
    auto const bad = ledger::http::handle(resume, f.api);
    CHECK(bad.status == 400);
    CHECK_FALSE(bad.subscribe);
}

TEST_CASE("audit verify and head report the chain head", "[http][audit]") {
    http_fixture f;
    auto const empty = json_of(f.get("/v1/audit/head"));
    CHECK(empty.at("events") == 0);
    CHECK(empty.at("head_position").is_null());
    fill(f, "campaign-es-2024", 3);
    auto const verify = json_of(f.get("/v1/audit/verify"));
    CHECK(verify.at("ok") == true);
    CHECK(verify.at("events") == 3);
    CHECK(verify.at("head_position") == 2);
    auto const head = json_of(f.get("/v1/audit/head"));
    CHECK(head.at("head_hash") == verify.at("head_hash"));
    CHECK(head.at("head_hash") ==
          json_of(f.get("/v1/events?from_position=2")).at("events").at(0).at("hash"));
}

TEST_CASE("an unknown path is 404 not_found and a wrong method 405 with Allow", "[http][routing]") {
    http_fixture f;
    for (auto const* target : {"/nothing", "/v2/events", "/v1/streams", "/v1/streams/campaign-x/events/1",
                               "/v1/candidates", "/v1/candidates/c-1/erase/now"}) {
        auto const response = f.get(target);
        CHECK(response.status == 404);
        CHECK(error_code_of(response) == "not_found");
    }
    auto const post = f.post("/v1/events", "{}");
    CHECK(post.status == 405);
    CHECK(error_code_of(post) == "method_not_allowed");
    REQUIRE(post.headers.size() == 1);
    CHECK(post.headers[0] == std::pair<std::string, std::string>{"Allow", "GET"});
    CHECK(f.get("/v1/candidates/c-1/erase").status == 405);
    auto const get_append = f.get("/v1/streams/campaign-x/events");
    CHECK(get_append.status == 405);
    CHECK(get_append.headers[0].second == "POST");
}

TEST_CASE("a target that is not a valid origin-form path is 400 bad_request", "[http][routing]") {
    http_fixture f;
    auto const response = f.get("http//bad target");
    CHECK(response.status == 400);
    CHECK(error_code_of(response) == "bad_request");
}
