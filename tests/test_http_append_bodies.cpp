// End to end, how the session reads append bodies (src/http/session.cpp): a body that arrived
// with its header is parsed from the buffer without another read, a large body is read in
// large pieces, and neither loses the bytes of a request pipelined after it.

#include "support/http_fixture.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include <string>

using namespace ledger::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

/// A batch of `count` SessionHeld events (about 200 bytes each), as append_batch.lua sends.
std::string session_batch(int count) {
    std::string events;
    for (int i = 0; i < count; ++i) {
        if (i > 0) events += ',';
        events += fmt::format(R"({{"type":"SessionHeld","occurred_at":"2025-03-{:02}","data":{{"kind":"job_fair",)"
                              R"("held_on":"2025-03-{:02}","university":"Universidad Complutense de Madrid",)"
                              R"("city":"Madrid","country":"ES","visitors":{}}}}})",
                              i % 28 + 1, i % 28 + 1, i % 400);
    }
    return append_body("\"any\"", events);
}

std::string raw_post(std::string const& target, std::string const& body) {
    return fmt::format("POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: {}\r\n\r\n{}",
                       target, body.size(), body);
}

std::size_t count_of(std::string const& text, std::string const& part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
    return count;
}

}  // namespace

TEST_CASE("a 1,000-event batch is appended whole over a socket and the connection goes on",
          "[e2e][append]") {
    server_process server;
    test_connection client(server.port());
    auto const target = "/v1/streams/campaign-fairs/events";
    REQUIRE(client.call(make_request(http::verb::post, target, append_body("\"no_stream\"", campaign_planned())))
                .result_int() == 201);
    auto const batch = session_batch(1000);
    REQUIRE(batch.size() > 150'000);  // several of the session's 64 KiB reads
    auto const appended = client.call(make_request(http::verb::post, target, batch));
    REQUIRE(appended.result_int() == 201);
    auto const landed = json::parse(appended.body());
    CHECK(landed.at("first_version") == 1);
    CHECK(landed.at("last_version") == 1000);
    auto const last = client.call(make_request(http::verb::get, "/v1/streams/campaign-fairs?from_version=1000"));
    REQUIRE(last.result_int() == 200);
    auto const event = json::parse(last.body()).at("events").at(0);
    CHECK(event.at("type") == "SessionHeld");
    CHECK(event.at("data").at("visitors") == 999 % 400);
    CHECK(server.stop() == 0);
}

TEST_CASE("appends pipelined in one write are each answered, in order", "[e2e][append]") {
    server_process server;
    test_connection client(server.port());
    auto const target = std::string("/v1/streams/campaign-pipelined/events");
    auto const first = raw_post(target, append_body("\"no_stream\"", campaign_planned()));
    auto const second = raw_post(target, append_body("0", shortage_check()));
    auto const batch = raw_post(target, session_batch(600));
    client.write_raw(first + second + batch + "GET /v1/streams/campaign-pipelined?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    auto const answers = client.read_until("CampaignPlanned");
    CHECK(count_of(answers, "HTTP/1.1 201") == 3);
    CHECK(answers.find(R"("first_version":0,"last_version":0)") < answers.find(R"("first_version":1,"last_version":1)"));
    CHECK(answers.find(R"("first_version":2,"last_version":601)") != std::string::npos);
    CHECK(answers.find("HTTP/1.1 200") > answers.find(R"("last_version":601)"));
    CHECK(server.stop() == 0);
}

TEST_CASE("a 1,000-event batch with one bad event at its end is refused whole with the SPEC error body",
          "[e2e][append]") {
    server_process server;
    test_connection client(server.port());
    auto const target = "/v1/streams/campaign-fairs-bad/events";
    REQUIRE(client.call(make_request(http::verb::post, target, append_body("\"no_stream\"", campaign_planned())))
                .result_int() == 201);
    auto batch = session_batch(1000);
    // The last event's visitors becomes text: the catalogue refuses it, and with it the batch.
    auto const last_visitors = batch.rfind(R"("visitors":)");
    REQUIRE(last_visitors != std::string::npos);
    batch.replace(last_visitors, batch.find('}', last_visitors) - last_visitors, R"("visitors":"many")");
    auto const refused = client.call(make_request(http::verb::post, target, batch));
    REQUIRE(refused.result_int() == 422);
    CHECK(refused[http::field::content_type] == "application/json");
    auto const body = json::parse(refused.body());
    auto const& failure = body.at("error");
    CHECK(failure.at("code") == "invalid_event");
    CHECK(failure.at("message").is_string());
    CHECK(failure.at("details").at("index") == 999);
    CHECK(failure.at("details").at("field").as_string().ends_with("visitors"));
    CHECK(failure.at("details").at("reason").is_string());
    // Nothing of the batch was stored, and the connection serves the next request.
    auto const head = client.call(make_request(http::verb::get, "/v1/streams/campaign-fairs-bad?direction=backward&limit=1"));
    REQUIRE(head.result_int() == 200);
    CHECK(json::parse(head.body()).at("events").at(0).at("version") == 0);
    CHECK(server.stop() == 0);
}
