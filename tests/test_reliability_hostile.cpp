// Hostile input over real sockets (SPEC §6 "Security", §10): every malformed, oversized,
// truncated or hostile request to the real recruit-ledgerd gets the right 4xx with the SPEC §6
// error body, or a closed connection for bytes that are not HTTP at all. After each one the
// server still answers a normal request, never answers 5xx, and the chain head is unchanged.

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include "ledger/http/command_line.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

using namespace ledger::testing;

namespace {

constexpr auto append_target = "/v1/streams/campaign-hostile/events";

std::string planned(std::string const& data) {
    return R"({"expected_version":"any","events":[{"type":"CampaignPlanned","occurred_at":"2024-01-10","data":)" +
           data + "}]}";
}
std::string const good_data = R"({"name":"Trip","kind":"recruitment_trip","organiser":"region-x"})";

/// A server with one stored event and short timeouts, and the checks every hostile case shares.
struct hostile_server {
    temp_dir directory;
    ledgerd server{directory / "data", {"--idle-timeout", "2", "--request-timeout", "2",
                                        "--body-limit", "131072"}};
    std::string head;

    hostile_server() {
        REQUIRE(server.start());
        raw_client client(server.port());
        REQUIRE(client.call(http_request("POST", append_target, planned(good_data))).status == 201);
        head = chain_head();
    }

    std::string chain_head() {
        raw_client client(server.port());
        auto const reply = client.call(http_request("GET", "/v1/audit/head"));
        REQUIRE(reply.status == 200);
        return reply.body;
    }

    /// The server is up, answers normally, and stored nothing new.
    void check_unharmed() {
        REQUIRE(server.running());
        raw_client client(server.port());
        CHECK(client.call(http_request("GET", "/healthz")).status == 200);
        CHECK(chain_head() == head);
    }

    /// Sends `bytes` on a fresh connection and expects `status` with the SPEC §6 error body.
    void expect_error(std::string const& bytes, unsigned status, std::string const& code) {
        raw_client client(server.port());
        auto const reply = client.call(bytes);
        INFO("request: " << bytes.substr(0, 200) << "\nresponse: " << reply.head << reply.body);
        CHECK(reply.status == status);
        if (reply.status != 0) {
            auto const body = boost::json::parse(reply.body);
            auto const& error = body.at("error");
            CHECK(error.at("code") == code.c_str());
            CHECK(error.at("message").is_string());
            CHECK(error.at("details").is_object());
        }
        check_unharmed();
    }

    /// Sends `bytes` on a fresh connection and expects no 2xx or 5xx: a 4xx or a closed connection.
    void expect_refused_or_closed(std::string const& bytes) {
        raw_client client(server.port());
        auto const reply = client.call(bytes);
        INFO("request: " << bytes.substr(0, 200) << "\nresponse: " << reply.head);
        // A closed connection is a refusal; silence until the client gives up is not.
        CHECK_FALSE(reply.timed_out);
        CHECK(((reply.status == 0 && reply.closed) || (reply.status >= 400 && reply.status < 500)));
        check_unharmed();
    }
};

std::string post(std::string const& body) { return http_request("POST", append_target, body); }

}  // namespace

TEST_CASE("malformed and truncated JSON appends get 400 invalid_json", "[reliability][hostile]") {
    hostile_server s;
    auto const whole = planned(good_data);
    for (std::string const& body : std::vector<std::string>{std::string("{"), std::string("not json"), std::string("{\"events\":[}"),
                                   whole.substr(0, whole.size() / 2), whole + "}", whole + " trailing",
                                   std::string(100'000, '['), std::string(50'000, '{')}) {
        s.expect_error(post(body), 400, "invalid_json");
    }
}

TEST_CASE("wrong JSON types in every append field are refused with 400 or 422",
          "[reliability][hostile]") {
    hostile_server s;
    for (std::string const& body : std::vector<std::string>{std::string("[]"), std::string("42"), std::string("null"), std::string("\"x\""),
                                   std::string(R"({"expected_version":"any","events":{}})"),
                                   std::string(R"({"expected_version":"any","events":"x"})"),
                                   std::string(R"({"expected_version":"any","events":[]})"),
                                   std::string(R"({"expected_version":[],"events":[]})"),
                                   std::string(R"({"expected_version":-1,"events":[]})"),
                                   std::string(R"({"expected_version":1.5,"events":[]})")}) {
        s.expect_error(post(body), 400, "bad_request");
    }
    auto const event = [](std::string const& fields) {
        return R"({"expected_version":"any","events":[)" + fields + "]}";
    };
    for (std::string const& fields :
         {std::string(R"(42)"), std::string(R"({"type":42,"occurred_at":"2024-01-10","data":{}})"),
          std::string(R"({"type":"CampaignPlanned","occurred_at":20240110,"data":{}})"),
          std::string(R"({"type":"CampaignPlanned","occurred_at":"2024-13-45","data":{}})"),
          std::string(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","data":[]})"),
          std::string(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","data":)" + good_data + R"(,"id":7})"),
          std::string(R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","data":)" + good_data + R"(,"metadata":"x"})")}) {
        raw_client client(s.server.port());
        auto const reply = client.call(post(event(fields)));
        INFO(fields << " -> " << reply.body);
        CHECK((reply.status == 400 || reply.status == 422));
        s.check_unharmed();
    }
    for (std::string const& data : std::vector<std::string>{std::string(R"({"name":1,"kind":"recruitment_trip","organiser":"x"})"),
                                   std::string(R"({"name":"T","kind":"holiday","organiser":"x"})"),
                                   std::string(R"({"name":"T","kind":"recruitment_trip"})"),
                                   std::string(R"({"name":"T","kind":"recruitment_trip","organiser":"x","extra":1})")}) {
        s.expect_error(post(planned(data)), 422, "invalid_event");
    }
}

TEST_CASE("huge numbers and invalid UTF-8 are refused, not stored", "[reliability][hostile]") {
    hostile_server s;
    s.expect_error(post(R"({"expected_version":1e400,"events":[]})"), 400, "bad_request");
    s.expect_error(post(R"({"expected_version":99999999999999999999999,"events":[]})"), 400, "bad_request");
    auto const cost = [](std::string const& amount) {
        return R"({"expected_version":"any","events":[{"type":"CostRecorded","occurred_at":"2024-01-10",)"
               R"("data":{"category":"travel","amount_minor":)" + amount + R"(,"currency":"SEK"}}]})";
    };
    for (std::string const& amount : std::vector<std::string>{std::string("1e30"), std::string("-0.5"),
                                     std::string("99999999999999999999999"), std::string("\"12\"")}) {
        s.expect_error(post(cost(amount)), 422, "invalid_event");
    }
    s.expect_error(post(planned(R"({"name":")" + std::string("\xff\xfe\xc3") + R"(","kind":"recruitment_trip","organiser":"x"})")),
                   400, "invalid_json");
    s.expect_error(http_request("POST", "/v1/streams/campaign-\xc3\x28/events", planned(good_data)), 400,
                   "bad_request");
}

TEST_CASE("path traversal and encoded tricks in stream names are invalid_stream_name or 404",
          "[reliability][hostile]") {
    hostile_server s;
    // "campaign-%2e%2e" is the valid name "campaign-..": names are LMDB keys, never file paths.
    for (std::string const& name : std::vector<std::string>{std::string("campaign-..%2F..%2Fetc"), "campaign-%00", "..",
                                   "CAMPAIGN-x", "campaign-", "nosuchcategory-x", "campaign-a%20b",
                                   "campaign-" + std::string(200, 'a')}) {
        s.expect_error(http_request("POST", "/v1/streams/" + name + "/events", planned(good_data)), 400,
                       "invalid_stream_name");
    }
    for (std::string const& target : std::vector<std::string>{std::string("/v1/streams/../../etc/passwd/events"), "/v1/streams/campaign-x/../events",
                                     "/v1/streams//events", "/../../etc/passwd", "/v1/%2e%2e/%2e%2e/"}) {
        s.expect_refused_or_closed(http_request("POST", target, planned(good_data)));
    }
}

TEST_CASE("an error that echoes invalid UTF-8 from the target is still UTF-8 JSON", "[reliability][hostile]") {
    hostile_server s;
    // Found by tests/fuzz: the percent-decoded name went into the error details byte for byte.
    for (std::string const& name : {std::string("campaign-%ff%fe"), std::string("campaign-%ed%a0%80"),
                                    std::string("campaign-a%c3")}) {
        s.expect_error(http_request("GET", "/v1/streams/" + name), 400, "invalid_stream_name");
    }
    raw_client client(s.server.port());
    auto const reply = client.call(http_request("GET", "/v1/streams/campaign-%ff"));
    auto const stream = boost::json::parse(reply.body).at("error").at("details").at("stream");
    CHECK(stream == "campaign-\xEF\xBF\xBD");
}

TEST_CASE("bad query values get 400 bad_request", "[reliability][hostile]") {
    hostile_server s;
    for (std::string const& query : std::vector<std::string>{std::string("/v1/events?limit=-1"), "/v1/events?limit=abc", "/v1/events?limit=0",
                                    "/v1/events?limit=99999999999999999999999", "/v1/events?from_position=x",
                                    "/v1/events?from_position=%00", "/v1/streams/campaign-hostile?direction=sideways",
                                    "/v1/streams/campaign-hostile?from_version=-5", "/v1/events?limit=1e3"}) {
        s.expect_error(http_request("GET", query), 400, "bad_request");
    }
}

TEST_CASE("oversized bodies, headers and absurd lengths get 413 or 400 and nothing is read",
          "[reliability][hostile]") {
    hostile_server s;
    auto const big = planned(R"({"name":")" + std::string(140'000, 'x') + R"(","kind":"recruitment_trip","organiser":"x"})");
    s.expect_error(post(big), 413, "payload_too_large");
    s.expect_error("POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 99999999999\r\n\r\n{", 413, "payload_too_large");
    std::string chunked = "POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 80; ++i) chunked += "800\r\n" + std::string(0x800, ' ') + "\r\n";
    s.expect_error(chunked + "0\r\n\r\n", 413, "payload_too_large");
    s.expect_error("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20'000, 'a') + "\r\n\r\n", 400,
                   "bad_request");
    s.expect_refused_or_closed("POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 99999999999999999999999999\r\n\r\n{}");
    s.expect_refused_or_closed("POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: -4\r\n\r\n{}");
    s.expect_refused_or_closed("POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 4\r\nContent-Length: 9\r\n\r\n{}");
}

TEST_CASE("HTTP garbage and TLS handshakes on the plain port get 400 or a closed connection",
          "[reliability][hostile]") {
    hostile_server s;
    // The start of a TLS 1.2 ClientHello record.
    std::string const client_hello("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11);
    for (std::string const& bytes : {client_hello + std::string(160, '\x00'), std::string("\r\n\r\n\r\n"),
                                    std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                                    std::string("GET\x00/ HTTP/1.1\r\n\r\n", 18), std::string(5000, '\xff'),
                                    std::string("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n")}) {
        s.expect_refused_or_closed(bytes);
    }
}

TEST_CASE("hundreds of idle and slowloris connections are timed out while others are served",
          "[reliability][hostile]") {
    hostile_server s;
    std::vector<std::unique_ptr<raw_client>> idle;
    for (int i = 0; i < 300; ++i) {
        idle.push_back(std::make_unique<raw_client>(s.server.port(), std::chrono::seconds(6)));
        REQUIRE(idle.back()->connected());
        // Half of them send the start of a request and never finish it.
        if (i % 2 == 1) REQUIRE(idle.back()->send("POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost:"));
    }
    // With all of them open, a normal request is still answered.
    raw_client normal(s.server.port());
    CHECK(normal.call(http_request("GET", "/healthz")).status == 200);
    // The 2 s idle and request timeouts close every one of them within the 6 s socket timeout.
    for (auto& client : idle) CHECK(client->closed_by_peer());
    s.check_unharmed();
}

TEST_CASE("the timeout flags parse and bad ones are usage errors", "[reliability][cli]") {
    using ledger::http::parse_command_line;
    auto const parsed = parse_command_line({"--idle-timeout", "2", "--request-timeout=3"});
    auto const* command = std::get_if<ledger::http::command_line>(&parsed);
    REQUIRE(command != nullptr);
    CHECK(command->options.idle_timeout == std::chrono::seconds(2));
    CHECK(command->options.request_timeout == std::chrono::seconds(3));
    for (char const* bad : {"0", "-1", "x", "3601"}) {
        CHECK(std::holds_alternative<ledger::http::usage_error>(parse_command_line({"--idle-timeout", std::string(bad)})));
    }
}
