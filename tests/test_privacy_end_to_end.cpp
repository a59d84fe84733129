// Personal data at rest, end to end (docs/privacy.md): the real recruit-ledgerd and
// recruit-ledger on a real data directory: no plaintext in data.mdb or `export`, erasure that
// survives kill -9 and a restart, and what a backup taken before the erasure still holds.

#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using ledger::testing::http_request;
using ledger::testing::ledgerd;
using ledger::testing::raw_client;
using ledger::testing::raw_response;
using ledger::testing::run_process;
using ledger::testing::temp_dir;

namespace {

char const* const registration =
    R"({"expected_version":"no_stream","events":[{"type":"CandidateRegistered",)"
    R"("occurred_at":"2024-02-01","data":{"name":"Björn Ödmark","email":"bjorn.odmark@example.no",)"
    R"("phone":"+4791234567","country_of_training":"NO"}}]})";

raw_response call(ledgerd const& server, std::string const& method, std::string const& target,
                  std::string const& body = {}) {
    raw_client client(server.port());
    REQUIRE(client.connected());
    return client.call(http_request(method, target, body));
}

std::string file_bytes(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool holds_plaintext(std::string const& bytes) {
    for (char const* personal : {"Ödmark", "bjorn.odmark@example.no", "+4791234567"}) {
        if (bytes.find(personal) != std::string::npos) return true;
    }
    return false;
}

std::string first_name(ledgerd const& server, std::string const& target) {
    auto const reply = call(server, "GET", target);
    REQUIRE(reply.status == 200);
    auto const body = boost::json::parse(reply.body);
    return std::string(body.at("events").at(0).at("data").at("name").as_string());
}

}  // namespace

TEST_CASE("end to end: sealed at rest, erased across kill -9 and restart, old backup still readable",
          "[privacy][e2e]") {
    temp_dir directory;
    auto const data = directory / "data";
    ledgerd server(data);
    REQUIRE(server.start());
    REQUIRE(call(server, "POST", "/v1/streams/candidate-n-7/events", registration).status == 201);
    CHECK(first_name(server, "/v1/streams/candidate-n-7") == "Björn Ödmark");
    CHECK_FALSE(holds_plaintext(file_bytes(data / "data.mdb")));

    auto const tool = std::string(RECRUIT_LEDGER);
    auto const exported = run_process(tool, {"export", "--data", data.string()});
    REQUIRE(exported.exit_code == 0);
    CHECK(exported.out.find("enc:v1:") != std::string::npos);
    CHECK_FALSE(holds_plaintext(exported.out));
    auto const before = directory / "backup-before";
    REQUIRE(run_process(tool, {"backup", "--data", data.string(), "--to", before.string()}).exit_code == 0);

    REQUIRE(call(server, "POST", "/v1/candidates/n-7/erase", R"({"basis":"GDPR art. 17"})").status == 201);
    REQUIRE(server.kill(SIGKILL));
    REQUIRE(server.start());
    CHECK(first_name(server, "/v1/streams/candidate-n-7") == "[erased]");
    CHECK(first_name(server, "/v1/candidates/n-7") == "[erased]");
    CHECK(boost::json::parse(call(server, "GET", "/v1/audit/verify").body).at("ok") == true);
    CHECK(call(server, "POST", "/v1/candidates/n-7/erase").status == 422);
    REQUIRE(server.kill(SIGTERM));
    CHECK(run_process(tool, {"verify", "--data", data.string()}).exit_code == 0);

    // The backup predates the erasure: with the KEK (made beside the data directory at the
    // first start) it still opens the key (docs/privacy.md: erase, then rotate).
    CHECK(std::filesystem::exists(directory / "data.kek"));
    ledgerd restored(before, {"--kek", (directory / "data.kek").string()});
    REQUIRE(restored.start());
    CHECK(first_name(restored, "/v1/candidates/n-7") == "Björn Ödmark");
}
