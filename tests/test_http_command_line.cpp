// recruit-ledgerd's flags (SPEC §8) and the start-up refusals.

#include "ledger/http/command_line.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

using namespace ledger::http;

namespace {

server_options parse_ok(std::vector<std::string> const& arguments) {
    auto const parsed = parse_command_line(arguments);
    REQUIRE(std::holds_alternative<command_line>(parsed));
    return std::get<command_line>(parsed).options;
}

bool is_usage_error(std::vector<std::string> const& arguments) {
    return std::holds_alternative<usage_error>(parse_command_line(arguments));
}

}  // namespace

TEST_CASE("the server flags default to ./data and 127.0.0.1:8080", "[http][cli]") {
    auto const options = parse_ok({});
    CHECK(options.data == "data");
    CHECK(options.host == "127.0.0.1");
    CHECK(options.port == 8080);
    CHECK_FALSE(startup_refusal(options));
}

TEST_CASE("the server flags parse in both spellings", "[http][cli]") {
    auto const options = parse_ok({"--data", "/tmp/l", "--listen=[::1]:0", "--threads", "4",
                                   "--log-level=warn", "--port-file", "p", "--body-limit", "2048"});
    CHECK(options.data == "/tmp/l");
    CHECK(options.host == "::1");
    CHECK(options.port == 0);
    CHECK(options.threads == 4);
    CHECK(options.log_level == "warn");
    CHECK(options.port_file == std::filesystem::path("p"));
    CHECK(options.body_limit == 2048);
}

TEST_CASE("bad server flags are usage errors", "[http][cli]") {
    CHECK(is_usage_error({"--listen", "8080"}));
    CHECK(is_usage_error({"--listen", "localhost:99999"}));
    CHECK(is_usage_error({"--threads", "0"}));
    CHECK(is_usage_error({"--log-level", "chatty"}));
    CHECK(is_usage_error({"--data"}));
    CHECK(is_usage_error({"--frobnicate", "1"}));
    CHECK(is_usage_error({"stray"}));
}

TEST_CASE("the serving-rule flags parse, repeat where they may and refuse bad values", "[http][cli][serving]") {
    auto const options = parse_ok({"--allow-host", "ledger.example", "--allow-host=10.0.0.5", "--allow-origin",
                                   "https://dash.example", "--workers", "3", "--worker-queue", "0",
                                   "--page-bytes", "65536", "--scan-events", "5000",
                                   "--max-client-connections", "0", "--cap-loopback-clients", "yes"});
    CHECK(options.allowed_hosts == std::vector<std::string>{"ledger.example", "10.0.0.5"});
    CHECK(options.allowed_origins == std::vector<std::string>{"https://dash.example"});
    CHECK(options.workers == 3);
    CHECK(options.worker_queue == 0);
    CHECK(options.page_bytes == 65536);
    CHECK(options.scan_events == 5000);
    CHECK(options.max_client_connections == 0);
    CHECK(options.cap_loopback_clients);
    auto const defaults = parse_ok({});
    CHECK(defaults.allowed_hosts.empty());
    CHECK(defaults.allowed_origins.empty());  // no CORS unless configured
    CHECK_FALSE(defaults.cap_loopback_clients);

    CHECK(is_usage_error({"--allow-origin", "dash.example"}));
    CHECK(is_usage_error({"--allow-host", ""}));
    CHECK(is_usage_error({"--workers", "0"}));
    CHECK(is_usage_error({"--page-bytes", "100"}));
    CHECK(is_usage_error({"--scan-events", "10"}));
    CHECK(is_usage_error({"--cap-loopback-clients", "maybe"}));
}

TEST_CASE("TLS needs both --tls-cert and --tls-key", "[http][cli][tls]") {
    CHECK_FALSE(startup_refusal(parse_ok({"--tls-cert", "c", "--tls-key", "k"})));
    CHECK(startup_refusal(parse_ok({"--tls-cert", "c"})));
    CHECK(startup_refusal(parse_ok({"--tls-key", "k"})));
}

TEST_CASE("non-loopback addresses without tokens are refused", "[http][cli]") {
    CHECK(startup_refusal(parse_ok({"--listen", "0.0.0.0:8080"})));
    CHECK(startup_refusal(parse_ok({"--listen", "example.org:8080"})));
    CHECK_FALSE(startup_refusal(parse_ok({"--listen", "localhost:1"})));
    CHECK_FALSE(startup_refusal(parse_ok({"--listen", "127.0.0.2:1"})));
    CHECK_FALSE(startup_refusal(parse_ok({"--tokens", "t"})));
    CHECK_FALSE(startup_refusal(parse_ok({"--tokens", "t", "--listen", "0.0.0.0:8080"})));
}
