// SPEC §6 serving rules, end to end against the real recruit-ledgerd: only its own Host names
// are answered, state changes from another Origin are refused, tokens are checked before a body
// is read, slow reads never hold up the I/O threads, pages are cut by bytes, and one client
// cannot take every connection.

#include "support/http_fixture.hpp"
#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace ledger::testing;

namespace {

/// `method target` with exactly the header lines `headers` (each ending in CRLF) and `body`.
std::string raw_request(std::string const& method, std::string const& target, std::string const& headers,
                        std::string const& body = {}) {
    return method + " " + target + " HTTP/1.1\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

raw_response call(ledgerd const& server, std::string const& bytes) {
    raw_client client(server.port());
    REQUIRE(client.connected());
    return client.call(bytes);
}

std::string error_code_of(raw_response const& response) {
    auto const body = boost::json::parse(response.body);
    return std::string(body.at("error").at("code").as_string());
}

std::string const registration =
    R"({"expected_version":"no_stream","events":[{"type":"CandidateRegistered",)"
    R"("occurred_at":"2024-02-01","data":{"name":"Björn Ödmark","email":"bjorn.odmark@example.no",)"
    R"("phone":"+4791234567","country_of_training":"NO"}}]})";

double elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

TEST_CASE("the server answers only its own Host names", "[http][serving][e2e]") {
    temp_dir dir;
    ledgerd server(dir.path() / "data", {"--allow-host", "ledger.example"});
    REQUIRE(server.start());
    auto const port = std::to_string(server.port());

    auto const foreign = call(server, raw_request("GET", "/healthz", "Host: evil.example:" + port + "\r\n"));
    CHECK(foreign.status == 421);
    CHECK(error_code_of(foreign) == "misdirected_request");
    auto const rebound = call(server, raw_request("GET", "/v1/events", "Host: evil.example\r\n"));
    CHECK(rebound.status == 421);
    CHECK(rebound.body.find("\"events\"") == std::string::npos);
    auto const missing = call(server, raw_request("GET", "/healthz", ""));
    CHECK(missing.status == 400);
    CHECK(error_code_of(missing) == "bad_request");

    for (std::string const& host : std::vector<std::string>{"127.0.0.1", "127.0.0.1:" + port, "localhost:" + port,
                                                            "LOCALHOST", "[::1]:" + port, "ledger.example",
                                                            "ledger.example:443"}) {
        INFO("Host: " << host);
        CHECK(call(server, raw_request("GET", "/healthz", "Host: " + host + "\r\n")).status == 200);
    }
}

TEST_CASE("a cross-origin erase is refused and erases nothing, and a same-origin one works",
          "[http][serving][e2e]") {
    temp_dir dir;
    ledgerd server(dir.path() / "data");
    REQUIRE(server.start());
    auto const port = std::to_string(server.port());
    REQUIRE(call(server, http_request("POST", "/v1/streams/candidate-n-7/events", registration)).status == 201);

    // What a foreign page can send without a CORS preflight: text/plain, no body.
    auto const forged = call(server, raw_request("POST", "/v1/candidates/n-7/erase",
                                                 "Host: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n"
                                                 "Content-Type: text/plain\r\n"));
    CHECK(forged.status == 403);
    CHECK(error_code_of(forged) == "forbidden");
    // Another local server's page is another origin too.
    auto const neighbour = call(server, raw_request("POST", "/v1/candidates/n-7/erase",
                                                    "Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:3000\r\n"
                                                    "Content-Type: application/json\r\n", "{}"));
    CHECK(neighbour.status == 403);
    auto const append = call(server, raw_request("POST", "/v1/streams/campaign-x/events",
                                                 "Host: localhost:" + port + "\r\nOrigin: https://evil.example\r\n"
                                                 "Content-Type: application/json\r\n",
                                                 append_body("\"no_stream\"", campaign_planned())));
    CHECK(append.status == 403);
    // Without an Origin (not a browser) erasure still takes JSON only, like appends.
    auto const plain = call(server, raw_request("POST", "/v1/candidates/n-7/erase",
                                                "Host: 127.0.0.1\r\nContent-Type: text/plain\r\n"));
    CHECK(plain.status == 415);
    CHECK(error_code_of(plain) == "unsupported_media_type");
    // No CORS headers for anyone unless configured.
    auto const read = call(server, raw_request("GET", "/v1/streams/candidate-n-7",
                                               "Host: 127.0.0.1\r\nOrigin: http://evil.example\r\n"));
    CHECK(read.status == 200);
    CHECK(read.head.find("Access-Control-Allow-Origin") == std::string::npos);
    CHECK(read.body.find("SubjectErased") == std::string::npos);
    CHECK(read.body.find("Björn") != std::string::npos);

    // The dashboard's own page: Origin is the server's own, so it passes.
    auto const own = call(server, raw_request("POST", "/v1/candidates/n-7/erase",
                                              "Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:" + port +
                                                  "\r\nContent-Type: application/json\r\n",
                                              R"({"basis":"GDPR art. 17"})"));
    CHECK(own.status == 201);
}

TEST_CASE("a configured origin may change state and gets CORS headers", "[http][serving][e2e]") {
    temp_dir dir;
    ledgerd server(dir.path() / "data", {"--allow-origin", "https://dash.example"});
    REQUIRE(server.start());
    auto const appended = call(server, raw_request("POST", "/v1/streams/campaign-x/events",
                                                   "Host: 127.0.0.1\r\nOrigin: https://dash.example\r\n"
                                                   "Content-Type: application/json\r\n",
                                                   append_body("\"no_stream\"", campaign_planned())));
    CHECK(appended.status == 201);
    CHECK(appended.head.find("Access-Control-Allow-Origin: https://dash.example\r\n") != std::string::npos);
    CHECK(appended.head.find("Access-Control-Expose-Headers: X-Request-Id\r\n") != std::string::npos);
    // The browser's preflight before a JSON POST.
    auto const preflight = call(server, raw_request("OPTIONS", "/v1/streams/campaign-x/events",
                                                    "Host: 127.0.0.1\r\nOrigin: https://dash.example\r\n"
                                                    "Access-Control-Request-Method: POST\r\n"));
    CHECK(preflight.status == 204);
    CHECK(preflight.head.find("Access-Control-Allow-Origin: https://dash.example\r\n") != std::string::npos);
    CHECK(preflight.head.find("Access-Control-Allow-Headers: Authorization, Content-Type") != std::string::npos);
    auto const foreign_preflight = call(server, raw_request("OPTIONS", "/v1/streams/campaign-x/events",
                                                            "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n"
                                                            "Access-Control-Request-Method: POST\r\n"));
    CHECK(foreign_preflight.status == 403);
    CHECK(foreign_preflight.head.find("Access-Control-Allow-Origin") == std::string::npos);
    auto const other = call(server, raw_request("GET", "/healthz", "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n"));
    CHECK(other.status == 200);
    CHECK(other.head.find("Access-Control-Allow-Origin") == std::string::npos);
}

TEST_CASE("with tokens, a body without a valid token is refused 401 before it is sent",
          "[http][serving][auth][e2e]") {
    temp_dir dir;
    auto const tokens = dir.path() / "tokens";
    auto const added = run_process(RECRUIT_LEDGER, {"token", "add", "--tokens", tokens.string(), "writer-1", "writer"});
    REQUIRE(added.exit_code == 0);
    auto const token = added.out.substr(0, added.out.find('\n'));
    ledgerd server(dir.path() / "data", {"--tokens", tokens.string()});
    REQUIRE(server.start());

    for (std::string const& authorization : {std::string(), std::string("Authorization: Bearer wrong\r\n")}) {
        raw_client client(server.port());
        REQUIRE(client.connected());
        // Only the headers of a 4 MB body: the answer must come without the body being sent.
        REQUIRE(client.send("POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authorization +
                            "Content-Type: application/json\r\nContent-Length: 4000000\r\n\r\n"));
        auto const refused = client.receive();
        CHECK(refused.status == 401);
        CHECK(refused.closed);
        CHECK(refused.head.find("WWW-Authenticate: Bearer\r\n") != std::string::npos);
        CHECK(error_code_of(refused) == "unauthenticated");
        CHECK(client.closed_by_peer());
    }
    // An authenticated body is read and served as before.
    auto const stored = call(server, http_request("POST", "/v1/streams/campaign-x/events",
                                                  append_body("\"no_stream\"", campaign_planned()),
                                                  "Authorization: Bearer " + token + "\r\n"));
    CHECK(stored.status == 201);
}

TEST_CASE("health and stream reads answer at once while slow reads wait", "[http][serving][e2e]") {
    temp_dir dir;
    ledgerd server(dir.path() / "data");
    REQUIRE(server.start());
    REQUIRE(call(server, http_request("POST", "/v1/streams/campaign-x/events",
                                      append_body("\"no_stream\"", campaign_planned())))
                .status == 201);

    // Four min_position waits (5 s each) and two slow-read kinds, each on its own connection:
    // more than the two I/O threads.
    std::vector<std::unique_ptr<raw_client>> slow;
    std::vector<std::string> const targets{
        "/v1/projections/funnel?min_position=18446744073709551615",
        "/v1/projections/funnel?min_position=18446744073709551615",
        "/v1/projections/funnel?min_position=18446744073709551615&format=csv",
        "/v1/projections/outreach?min_position=18446744073709551615",
        "/v1/projections/funnel?as_of_position=0",
        "/v1/events?type=SubjectErased"};
    for (auto const& target : targets) {
        slow.push_back(std::make_unique<raw_client>(server.port(), std::chrono::seconds(10)));
        REQUIRE(slow.back()->send(http_request("GET", target)));
    }

    raw_client probe(server.port());
    REQUIRE(probe.connected());
    REQUIRE(probe.call(http_request("GET", "/healthz")).status == 200);  // connected and warm
    auto const started = std::chrono::steady_clock::now();
    auto const health = probe.call(http_request("GET", "/healthz"));
    auto const health_ms = elapsed_ms(started);
    auto const read_started = std::chrono::steady_clock::now();
    auto const read = probe.call(http_request("GET", "/v1/streams/campaign-x"));
    auto const read_ms = elapsed_ms(read_started);
    CHECK(health.status == 200);
    CHECK(read.status == 200);
    CHECK(health_ms < 100.0);
    CHECK(read_ms < 100.0);

    // The waits end as SPEC §6 says: 503 unavailable naming the position; the others answer.
    for (std::size_t i = 0; i < 4; ++i) {
        auto const waited = slow[i]->receive();
        CHECK(waited.status == 503);
    }
    CHECK(slow[4]->receive().status == 200);
    CHECK(slow[5]->receive().status == 200);
}

TEST_CASE("a saturated worker pool answers 503 with Retry-After at once", "[http][serving][e2e]") {
    temp_dir dir;
    auto const data = dir.path() / "data";
    auto const demo = run_process(RECRUIT_LEDGER, {"demo", "--data", data.string(), "--events", "5000"});
    REQUIRE(demo.exit_code == 0);
    ledgerd server(data, {"--workers", "1", "--worker-queue", "0"});
    REQUIRE(server.start());

    // Every audit verify walks the whole log on the one worker; sent together, the later ones
    // find it busy.
    std::vector<std::unique_ptr<raw_client>> clients;
    for (int i = 0; i < 12; ++i) {
        clients.push_back(std::make_unique<raw_client>(server.port(), std::chrono::seconds(20)));
        REQUIRE(clients.back()->connected());
    }
    for (auto& client : clients) REQUIRE(client->send(http_request("GET", "/v1/audit/verify")));
    std::size_t answered = 0;
    std::size_t saturated = 0;
    for (auto& client : clients) {
        auto const reply = client->receive();
        if (reply.status == 200) ++answered;
        if (reply.status == 503) {
            ++saturated;
            CHECK(error_code_of(reply) == "unavailable");
            CHECK(reply.head.find("Retry-After: 1\r\n") != std::string::npos);
        }
    }
    CHECK(answered >= 1);
    CHECK(saturated >= 1);
    CHECK(answered + saturated == clients.size());
    // Once the worker is free, the same request is served again.
    CHECK(call(server, http_request("GET", "/v1/audit/verify")).status == 200);
}
