// End to end: the real recruit-ledgerd on an ephemeral loopback port, spoken to over HTTP.

#include "support/http_fixture.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>

using namespace ledger::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
constexpr auto append_target = "/v1/streams/campaign-es-2024/events";
}

TEST_CASE("the server appends, reads, refuses a conflict and answers a retry with 200", "[e2e]") {
    server_process server;
    test_connection client(server.port());
    auto const body = append_body("\"no_stream\"", campaign_planned("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a"));
    auto const created = client.call(make_request(http::verb::post, append_target, body));
    CHECK(created.result_int() == 201);
    auto const retry = client.call(make_request(http::verb::post, append_target, body));
    CHECK(retry.result_int() == 200);
    CHECK(json::parse(retry.body()) == json::parse(created.body()));

    auto const conflict = client.call(make_request(http::verb::post, append_target,
                                                   append_body("\"no_stream\"", shortage_check())));
    CHECK(conflict.result_int() == 409);
    CHECK(json::parse(conflict.body()).at("error").at("code") == "wrong_expected_version");

    auto const read = client.call(make_request(http::verb::get, "/v1/streams/campaign-es-2024"));
    REQUIRE(read.result_int() == 200);
    CHECK(json::parse(read.body()).at("events").at(0).at("data").at("name") == "Spain 2024");
    CHECK(client.call(make_request(http::verb::get, "/nowhere")).result_int() == 404);
    CHECK(server.stop() == 0);
}

TEST_CASE("the server refuses a declared oversized body with 413 before reading it", "[e2e]") {
    server_process server;
    test_connection client(server.port());
    auto request = make_request(http::verb::post, append_target);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.content_length(64u << 20);
    client.write(request, true);
    auto const answer = client.read_until("payload_too_large");
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
    CHECK(server.stop() == 0);
}

TEST_CASE("the server answers malformed or oversized request headers with 400", "[e2e]") {
    server_process server;
    test_connection garbage(server.port());
    garbage.write_raw("GARBAGE\r\n\r\n");
    CHECK_THAT(garbage.read_until("bad_request"), Catch::StartsWith("HTTP/1.1 400"));
    test_connection huge(server.port());
    huge.write_raw("GET /healthz HTTP/1.1\r\nX-Padding: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
    CHECK_THAT(huge.read_until("bad_request"), Catch::StartsWith("HTTP/1.1 400"));
    test_connection healthy(server.port());
    CHECK(healthy.call(make_request(http::verb::get, "/healthz")).result_int() == 200);
    CHECK(server.stop() == 0);
}

TEST_CASE("a subscriber gets the stored events, then live ones, and can resume", "[e2e][sse]") {
    server_process server;
    test_connection writer(server.port());
    REQUIRE(writer.call(make_request(http::verb::post, append_target,
                                     append_body("\"any\"", campaign_planned()))).result_int() == 201);

    test_connection subscriber(server.port());
    auto subscribe = make_request(http::verb::get, "/v1/subscribe?from_position=0");
    subscriber.write(subscribe);
    REQUIRE(subscriber.read_header() == 200);
    CHECK_THAT(subscriber.read_until("\n\n"), Catch::StartsWith("id: 0\nevent: CampaignPlanned\ndata: {"));

    REQUIRE(writer.call(make_request(http::verb::post, append_target,
                                     append_body("\"any\"", shortage_check()))).result_int() == 201);
    CHECK_THAT(subscriber.read_until("\n\n"), Catch::StartsWith("id: 1\nevent: ShortageCheckRecorded\n"));

    test_connection resumed(server.port());
    auto resume = make_request(http::verb::get, "/v1/subscribe");
    resume.set("Last-Event-ID", "0");
    resumed.write(resume);
    REQUIRE(resumed.read_header() == 200);
    CHECK_THAT(resumed.read_until("\n\n"), Catch::StartsWith("id: 1\n"));

    // SIGTERM ends the open subscriptions and the server exits cleanly.
    CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("SIGINT with an idle keep-alive connection still exits 0", "[e2e]") {
    server_process server;
    test_connection idle(server.port());
    CHECK(idle.call(make_request(http::verb::get, "/healthz")).result_int() == 200);
    CHECK(server.stop(SIGINT) == 0);
}

TEST_CASE("bad flags and unsupported options exit with status 2", "[e2e][cli]") {
    for (auto const& arguments : std::vector<std::vector<std::string>>{
             {"--threads", "0"}, {"--bogus"}, {"--listen", "0.0.0.0:0"}}) {
        auto const pid = spawn_server(arguments);
        REQUIRE(pid > 0);
        CHECK(wait_for_exit(pid, std::chrono::seconds(10)) == 2);
    }
}
