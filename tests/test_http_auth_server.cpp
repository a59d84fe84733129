// recruit-ledgerd with --tokens made by `recruit-ledger token add`, end to end, and the
// start-up refusals of SPEC §6 Security.

#include "support/http_fixture.hpp"
#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace ledger::testing;

namespace {

/// Adds a token with `role` for `name` to `file` through the CLI; returns the token.
std::string add_token(std::filesystem::path const& file, std::string const& name, std::string const& role) {
    auto const added = run_process(RECRUIT_LEDGER, {"token", "add", "--tokens", file.string(), name, role});
    INFO(added.err);
    REQUIRE(added.exit_code == 0);
    return added.out.substr(0, added.out.find('\n'));
}

std::string bearer(std::string const& token) { return "Authorization: Bearer " + token + "\r\n"; }

std::string file_text(std::filesystem::path const& file) {
    std::ostringstream text;
    text << std::ifstream(file).rdbuf();
    return text.str();
}

/// recruit-ledgerd's exit status with `arguments` (nullopt: still running after ten seconds).
std::optional<int> exit_status(std::vector<std::string> const& arguments) {
    auto const pid = spawn_program(RECRUIT_LEDGERD, arguments);
    REQUIRE(pid > 0);
    auto const status = wait_for_exit(pid, std::chrono::seconds(10));
    if (!status) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    return status;
}

}  // namespace

TEST_CASE("recruit-ledgerd with --tokens admits writers to appends and keeps them out of audits",
          "[http][auth][e2e]") {
    temp_dir dir;
    auto const tokens = dir.path() / "tokens";
    auto const writer = add_token(tokens, "coordinator-jkpg", "writer");
    auto const auditor = add_token(tokens, "auditor-1", "auditor");
    auto const stored = file_text(tokens);
    CHECK(stored.find(writer) == std::string::npos);  // only hashes are stored
    CHECK(stored.find(auditor) == std::string::npos);

    ledgerd server(dir.path() / "data", {"--tokens", tokens.string()});
    REQUIRE(server.start());
    raw_client client(server.port());
    REQUIRE(client.connected());
    auto const append = http_request("POST", "/v1/streams/campaign-es-2024/events",
                                     append_body("\"no_stream\"", campaign_planned()));
    {
        // A body without a token is refused from its headers, and the connection closed
        // (SPEC §6 serving rules: the token is checked before a body is read).
        raw_client unauthenticated(server.port());
        auto const refused = unauthenticated.call(append);
        CHECK(refused.status == 401);
        CHECK(refused.closed);
        CHECK(refused.head.find("WWW-Authenticate: Bearer\r\n") != std::string::npos);
        CHECK(refused.body.find("\"unauthenticated\"") != std::string::npos);
    }
    CHECK(client.call(http_request("POST", "/v1/streams/campaign-es-2024/events",
                                   append_body("\"no_stream\"", campaign_planned()), bearer(writer)))
              .status == 201);
    auto const forbidden = client.call(http_request("GET", "/v1/audit/verify", {}, bearer(writer)));
    CHECK(forbidden.status == 403);
    CHECK(forbidden.body.find("\"forbidden\"") != std::string::npos);
    CHECK(client.call(http_request("GET", "/v1/audit/verify", {}, bearer(auditor))).status == 200);

    auto const read = client.call(http_request("GET", "/v1/streams/campaign-es-2024", {}, bearer(auditor)));
    CHECK(read.body.find(R"("actor":"coordinator-jkpg")") != std::string::npos);
    auto const metrics = client.call(http_request("GET", "/metrics"));  // open to everyone
    REQUIRE(metrics.status == 200);
    CHECK(metrics.body.find(R"(route="unmatched",status="401"} 1)") != std::string::npos);
    CHECK(metrics.body.find(R"(route="/v1/audit/verify",status="403"} 1)") != std::string::npos);
}

TEST_CASE("recruit-ledgerd refuses a tokens file it cannot use", "[http][auth][e2e]") {
    temp_dir dir;
    auto const data = (dir.path() / "data").string();
    auto const tokens = dir.path() / "tokens";
    std::ofstream(tokens) << "# no tokens yet\n\n";
    CHECK(exit_status({"--data", data, "--listen", "127.0.0.1:0", "--tokens", tokens.string()}) == 2);
    std::ofstream(tokens) << "not-a-hash writer someone\n";
    CHECK(exit_status({"--data", data, "--listen", "127.0.0.1:0", "--tokens", tokens.string()}) == 1);
    auto const missing = (dir.path() / "missing").string();
    CHECK(exit_status({"--data", data, "--listen", "127.0.0.1:0", "--tokens", missing}) == 1);
}

TEST_CASE("recruit-ledgerd listens beyond loopback only with tokens", "[http][auth][e2e]") {
    temp_dir dir;
    auto const data = dir.path() / "data";
    CHECK(exit_status({"--data", data.string(), "--listen", "0.0.0.0:0"}) == 2);

    auto const tokens = dir.path() / "tokens";
    auto const reader = add_token(tokens, "analyst", "reader");
    auto const port_file = dir.path() / "port";
    auto const pid = spawn_program(RECRUIT_LEDGERD, {"--data", data.string(), "--listen", "0.0.0.0:0",
                                                     "--tokens", tokens.string(), "--port-file",
                                                     port_file.string(), "--log-level", "error"});
    REQUIRE(pid > 0);
    auto const port = wait_for_port_file(port_file);
    if (port != 0) {
        raw_client client(port);
        CHECK(client.call(http_request("GET", "/v1/events", {}, bearer(reader))).status == 200);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    CHECK(port != 0);
}
