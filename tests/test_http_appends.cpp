// POST /v1/streams/{stream}/events through http::handle, without sockets.

#include "support/http_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ledger::testing;
namespace json = boost::json;

namespace {
constexpr auto event_id = "0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a";
}

TEST_CASE("an append to a new stream answers 201 with where the batch landed", "[http][append]") {
    http_fixture f;
    auto const response = f.append("campaign-es-2024", append_body(R"("no_stream")", campaign_planned()));
    REQUIRE(response.status == 201);
    CHECK(response.content_type == "application/json");
    CHECK(json_of(response) == json::parse(R"({"stream":"campaign-es-2024","first_version":0,)"
                                           R"("last_version":0,"first_position":0,"last_position":0})"));
}

TEST_CASE("re-sending the same event ids answers 200 with the original positions", "[http][append]") {
    http_fixture f;
    auto const body = append_body("\"any\"", campaign_planned(event_id));
    f.append("campaign-other", append_body("\"any\"", campaign_planned()));
    auto const first = f.append("campaign-es-2024", body);
    auto const retry = f.append("campaign-es-2024", body);
    REQUIRE(first.status == 201);
    REQUIRE(retry.status == 200);
    CHECK(json_of(retry) == json_of(first));
    CHECK(f.store.head().events == 2);
}

TEST_CASE("an event id reused for a different event is 409 duplicate_event_id", "[http][append]") {
    http_fixture f;
    f.append("campaign-es-2024", append_body("\"any\"", campaign_planned(event_id)));
    auto const response =
        f.append("campaign-es-2024", append_body("\"any\"", campaign_planned(event_id, "Other")));
    CHECK(response.status == 409);
    CHECK(error_code_of(response) == "duplicate_event_id");
}

TEST_CASE("a stale expected version is 409 with expected and actual", "[http][append]") {
    http_fixture f;
    f.append("campaign-es-2024", append_body("\"no_stream\"", campaign_planned()));
    auto const response = f.append("campaign-es-2024", append_body("5", campaign_planned()));
    REQUIRE(response.status == 409);
    auto const error = json_of(response).at("error");
    CHECK(error.at("code") == "wrong_expected_version");
    CHECK(error.at("details").at("expected") == 5);
    CHECK(error.at("details").at("actual") == 0);
    CHECK(f.append("campaign-es-2024", append_body("0", shortage_check())).status == 201);
    CHECK(f.append("campaign-new", append_body("\"exists\"", campaign_planned())).status == 409);
}

TEST_CASE("an append without a JSON content type is 415", "[http][append]") {
    http_fixture f;
    auto const body = append_body("\"any\"", campaign_planned());
    auto const response = f.post("/v1/streams/campaign-es-2024/events", body, "text/plain");
    CHECK(response.status == 415);
    CHECK(error_code_of(response) == "unsupported_media_type");
    CHECK(f.post("/v1/streams/campaign-es-2024/events", body, "").status == 415);
    CHECK(f.post("/v1/streams/campaign-es-2024/events", body, "Application/JSON; charset=utf-8").status == 201);
}

TEST_CASE("a body over the limit is 413 and closes the connection", "[http][append]") {
    http_fixture f;
    f.api.body_limit = 64;
    auto const response = f.append("campaign-es-2024", append_body("\"any\"", campaign_planned()));
    CHECK(response.status == 413);
    CHECK(error_code_of(response) == "payload_too_large");
    CHECK_FALSE(response.keep_alive);
    CHECK(f.store.head().events == 0);
}

TEST_CASE("malformed JSON is 400 invalid_json", "[http][append]") {
    http_fixture f;
    for (auto const* body : {"{", "", "{\"events\": [}", "nul"}) {
        auto const response = f.append("campaign-es-2024", body);
        CHECK(response.status == 400);
        CHECK(error_code_of(response) == "invalid_json");
    }
}

TEST_CASE("a malformed or unknown-category stream name is 400 invalid_stream_name", "[http][append]") {
    http_fixture f;
    auto const body = append_body("\"any\"", campaign_planned());
    for (auto const* stream : {"campaign", "Campaign-x", "unknowncat-1", "campaign-a%20b", "-x"}) {
        auto const response = f.append(stream, body);
        CHECK(response.status == 400);
        CHECK(error_code_of(response) == "invalid_stream_name");
    }
}

TEST_CASE("unknown fields are 422 invalid_event naming the field and the event", "[http][append]") {
    http_fixture f;
    auto top = f.append("campaign-es-2024",
                        R"({"expected_version":"any","events":[)" + campaign_planned() + R"(],"extra":1})");
    CHECK(top.status == 422);
    CHECK(json_of(top).at("error").at("details") ==
          json::parse(R"({"index":null,"field":"extra","reason":"unknown field"})"));

    auto const second = R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","data":{},"colour":"red"})";
    auto event = f.append("campaign-es-2024", append_body("\"any\"", campaign_planned() + "," + second));
    CHECK(event.status == 422);
    auto const details = json_of(event).at("error").at("details");
    CHECK(details.at("index") == 1);
    CHECK(details.at("field") == "colour");
}

TEST_CASE("an unknown event type is 422 unknown_event_type", "[http][append]") {
    http_fixture f;
    auto const response = f.append(
        "campaign-es-2024",
        append_body("\"any\"", R"({"type":"DoctorTeleported","occurred_at":"2024-01-10","data":{}})"));
    CHECK(response.status == 422);
    CHECK(error_code_of(response) == "unknown_event_type");
}

TEST_CASE("bad event fields are 422 invalid_event with index, field and reason", "[http][append]") {
    http_fixture f;
    auto const check = [&](std::string const& event, std::string const& field) {
        auto const response = f.append("campaign-es-2024", append_body("\"any\"", event));
        REQUIRE(response.status == 422);
        auto const details = json_of(response).at("error").at("details");
        CHECK(details.at("index") == 0);
        CHECK(details.at("field").as_string().starts_with(field));
        CHECK(details.at("reason").is_string());
    };
    auto const data = std::string(R"("data":{"name":"x","kind":"recruitment_trip","organiser":"o"})");
    check(R"({"type":"CampaignPlanned","occurred_at":"last tuesday",)" + data + "}", "occurred_at");
    check(R"({"type":"CampaignPlanned",)" + data + "}", "occurred_at");
    check(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","id":"nope",)" + data + "}", "id");
    check(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","metadata":[],)" + data + "}", "metadata");
    check(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","correlation_id":7,)" + data + "}",
          "correlation_id");
    check(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10"})", "data");
    check(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","data":5})", "data");
    check(R"({"occurred_at":"2024-01-10",)" + data + "}", "type");
}

TEST_CASE("a malformed batch is 400 bad_request", "[http][append]") {
    http_fixture f;
    for (auto const* body : {R"([])", R"({"expected_version":"any"})", R"({"events":[]})",
                             R"({"expected_version":-1,"events":[{}]})",
                             R"({"expected_version":"sometimes","events":[{}]})"}) {
        auto const response = f.append("campaign-es-2024", body);
        CHECK(response.status == 400);
        CHECK(error_code_of(response) == "bad_request");
    }
}

TEST_CASE("metadata and correlation ids are stored and read back", "[http][append]") {
    http_fixture f;
    auto const event = R"({"type":"CampaignPlanned","occurred_at":"2024-01-10T09:30:00+01:00",)"
                       R"("data":{"name":"x","kind":"fair_tour","organiser":"o"},)"
                       R"("metadata":{"source":"import"},"correlation_id":"c-1","causation_id":"c-0"})";
    REQUIRE(f.append("campaign-es-2024", append_body("\"any\"", event)).status == 201);
    auto const read = json_of(f.get("/v1/streams/campaign-es-2024"));
    auto const envelope = read.at("events").at(0);
    CHECK(envelope.at("metadata") == json::parse(R"({"source":"import"})"));
    CHECK(envelope.at("correlation_id") == "c-1");
    CHECK(envelope.at("causation_id") == "c-0");
    CHECK(envelope.at("occurred_at") == "2024-01-10T08:30:00.000000Z");
    CHECK(envelope.at("actor") == "local");
    CHECK(envelope.at("data").at("kind") == "fair_tour");
}

TEST_CASE("a domain rule refusal is 422 rule_violation naming the rule", "[http][append]") {
    http_fixture f;
    auto const response = f.append("campaign-es-2024", append_body("\"any\"", shortage_check()));
    REQUIRE(response.status == 422);
    auto const error = json_of(response).at("error");
    CHECK(error.at("code") == "rule_violation");
    CHECK(error.at("details").at("rule").is_string());
    CHECK(f.store.head().events == 0);
}

TEST_CASE("a type from another category is 422 event_not_allowed_in_stream", "[http][append]") {
    http_fixture f;
    auto const response = f.append("position-p-1", append_body("\"any\"", campaign_planned()));
    CHECK(response.status == 422);
    CHECK(error_code_of(response) == "event_not_allowed_in_stream");
}

TEST_CASE("route hands a valid append back for the caller to submit, writing nothing", "[http][append]") {
    http_fixture f;
    ledger::http::request request;
    request.method = "POST";
    request.target = "/v1/streams/campaign-es-2024/events";
    request.content_type = "application/json";
    request.body = append_body("\"no_stream\"", campaign_planned());
    auto routed = ledger::http::route(request, f.api);
    REQUIRE(routed.append);
    CHECK(routed.route == "/v1/streams/{stream}/events");
    CHECK(routed.append->stream == "campaign-es-2024");
    CHECK(routed.append->actor == "local");
    CHECK(f.store.head().events == 0);

    auto const result = f.store.append(std::move(*routed.append));
    auto const answer = ledger::http::finish_append(result, 1, 0.001, f.api);
    CHECK(answer.status == 201);
    CHECK_THAT(f.get("/metrics").body, Catch::Contains("ledger_appends_total 1"));
}
