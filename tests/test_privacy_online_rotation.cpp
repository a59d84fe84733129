// Online KEK rotation by the running server (issue 20, docs/privacy.md): started with
// --kek OLD --new-kek NEW, recruit-ledgerd re-wraps every candidate key in small durable
// transactions while it keeps answering reads and appends. kill -9 at any point leaves every
// key wrapped under one of the two KEKs, the ledger refusing either KEK alone, and a restart
// with both resumes; at the end only the new KEK opens the ledger and every name still reads.

#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include "ledger/app/key_encryption_key.hpp"
#include "ledger/store/subject_key_maintenance.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include <signal.h>
#include <sys/wait.h>

using namespace ledger;
using ledger::testing::http_request;
using ledger::testing::ledgerd;
using ledger::testing::raw_client;
using ledger::testing::run_process;
using ledger::testing::temp_dir;

namespace {

std::string const tool = RECRUIT_LEDGER;

ledger::testing::raw_response call(ledgerd const& server, std::string const& method, std::string const& target,
                                   std::string const& body = {}) {
    raw_client client(server.port());
    REQUIRE(client.connected());
    return client.call(http_request(method, target, body));
}

/// The value of a metric line `name value` of GET /metrics (-1 when absent).
long long metric(ledgerd const& server, std::string const& name) {
    auto const text = call(server, "GET", "/metrics").body;
    auto const at = text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + name.size() + 2));
}

/// Waits (bounded, 20 s) until `condition` holds, polling the server; returns whether it did.
template <class Condition>
bool await(Condition condition) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

/// recruit-ledgerd with `arguments` that must refuse to start: its exit code.
int refused_start(std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--listen", "127.0.0.1:0", "--log-level", "off"});
    auto const pid = ledger::testing::spawn_program(RECRUIT_LEDGERD, arguments);
    REQUIRE(pid > 0);
    auto const status = ledger::testing::wait_for_exit(pid, std::chrono::seconds(30));
    if (!status) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    return status.value_or(-1);
}

std::string registration(std::string const& name) {
    return R"({"expected_version":"no_stream","events":[{"type":"CandidateRegistered","occurred_at":"2024-02-01",)"
           R"("data":{"name":")" + name + R"(","email":"x@example.se","country_of_training":"SE"}}]})";
}

/// The name a stream's first event shows an admin (the local caller).
std::string name_of(ledgerd const& server, std::string const& stream) {
    auto const reply = call(server, "GET", "/v1/streams/" + stream + "?limit=1");
    REQUIRE(reply.status == 200);
    return std::string(boost::json::parse(reply.body).at("events").at(0).at("data").at("name").as_string());
}

/// How many stored keys open under each KEK; fails on a key that opens under neither.
struct key_census {
    std::size_t old_kek = 0;
    std::size_t new_kek = 0;
};
key_census census_of(std::filesystem::path const& data, app::key_encryption_key const& old_kek,
                     app::key_encryption_key const& new_kek) {
    key_census census;
    std::size_t neither = 0;
    store::visit_subject_keys(data, [&](std::string_view subject, std::string_view stored) {
        if (old_kek.unwrap(subject, stored)) ++census.old_kek;
        else if (new_kek.unwrap(subject, stored)) ++census.new_kek;
        else ++neither;
    });
    CHECK(neither == 0);
    return census;
}

}  // namespace

TEST_CASE("online KEK rotation serves reads and appends and survives kill -9 rounds and resumes",
          "[privacy][kek][rotation][e2e]") {
    temp_dir dir;
    auto const data = dir / "data";
    auto const old_file = dir / "data.kek";
    auto const new_file = dir / "new.kek";
    REQUIRE(run_process(tool, {"demo", "--data", data.string(), "--events", "1500", "--seed", "7"}).exit_code == 0);
    REQUIRE(run_process(tool, {"keys", "init", "--kek", new_file.string()}).exit_code == 0);
    auto const old_kek = app::key_encryption_key::load(old_file, data);
    auto const new_kek = app::key_encryption_key::load(new_file, data);
    auto const keys = store::read_subject_key_census(data).keys;
    REQUIRE(keys >= 40);
    // A demo candidate and its name, as read before the rotation.
    std::string first_stream, first_name;
    {
        ledgerd server(data, {"--kek", old_file.string()});
        REQUIRE(server.start());
        auto const reply = call(server, "GET", "/v1/events?type=CandidateRegistered&limit=1");
        REQUIRE(reply.status == 200);
        auto const event = boost::json::parse(reply.body).at("events").at(0);
        first_stream = std::string(event.at("stream").as_string());
        first_name = std::string(event.at("data").at("name").as_string());
        CHECK_FALSE(first_name.starts_with("enc:"));
        REQUIRE(server.kill(SIGTERM));
    }
    std::vector<std::string> const rotating{"--kek", old_file.string(), "--new-kek", new_file.string(),
                                            "--kek-rotation-batch", "1", "--kek-rotation-pause", "40"};

    std::size_t appended = 0;
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        ledgerd server(data, rotating);
        REQUIRE(server.start());
        REQUIRE(await([&] { return metric(server, "ledger_kek_rotation_rewrapped_total") >= 1; }));
        CHECK(metric(server, "ledger_kek_rotation_active") == 1);
        // While it re-wraps: appends seal new candidates and reads reveal old and new ones.
        for (int i = 0; i < 3; ++i, ++appended) {
            auto const id = "rot-" + std::to_string(appended);
            CHECK(call(server, "POST", "/v1/streams/candidate-" + id + "/events", registration("Name " + id)).status == 201);
            CHECK(name_of(server, "candidate-" + id) == "Name " + id);
            CHECK(name_of(server, first_stream) == first_name);
        }
        CHECK(metric(server, "ledger_kek_rotation_active") == 1);  // the calls above overlapped it
        REQUIRE(server.kill(SIGKILL));

        auto const census = census_of(data, old_kek, new_kek);
        CHECK(census.new_kek >= 1);
        CHECK(census.old_kek >= 1);
        CHECK(census.old_kek + census.new_kek == keys + appended);
        CHECK(store::read_subject_key_census(data).rotation_to == new_kek.id());
    }
    // Mid-rotation, neither KEK alone opens the ledger.
    CHECK(refused_start({"--data", data.string(), "--kek", old_file.string()}) == 1);
    CHECK(refused_start({"--data", data.string(), "--kek", new_file.string()}) == 1);

    {
        ledgerd server(data, {"--kek", old_file.string(), "--new-kek", new_file.string()});
        REQUIRE(server.start());
        REQUIRE(await([&] { return metric(server, "ledger_kek_rotation_active") == 0; }));
        REQUIRE(server.kill(SIGTERM));
    }
    auto const census = census_of(data, old_kek, new_kek);
    CHECK(census.old_kek == 0);
    CHECK(census.new_kek == keys + appended);
    auto const after = store::read_subject_key_census(data);
    CHECK(after.kek_id == new_kek.id());
    CHECK_FALSE(after.rotation_to.has_value());
    CHECK(refused_start({"--data", data.string(), "--kek", old_file.string()}) == 1);
    CHECK(run_process(tool, {"keys", "check", "--data", data.string(), "--kek", new_file.string()}).exit_code == 0);

    ledgerd server(data, {"--kek", new_file.string()});
    REQUIRE(server.start());
    CHECK(name_of(server, first_stream) == first_name);
    for (std::size_t i = 0; i < appended; ++i) {
        auto const id = "rot-" + std::to_string(i);
        CHECK(name_of(server, "candidate-" + id) == "Name " + id);
    }
}
