// End-to-end tests of the recruit-ledger command-line tool: the real binary on real ledgers.

#include "support/process.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/sha256.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

using ledger::testing::run_process;
using ledger::testing::temp_dir;

namespace {

std::string const tool = RECRUIT_LEDGER;

ledger::testing::process_result cli(std::vector<std::string> args, std::string const& input = {}) {
    return run_process(tool, std::move(args), input);
}

void make_demo(std::filesystem::path const& data, int events, int seed = 42) {
    auto const r = cli({"demo", "--data", data.string(), "--events", std::to_string(events), "--seed", std::to_string(seed)});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

std::size_t count_lines(std::string const& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("cli: export, import into an empty ledger and export again is byte-identical", "[cli]") {
    temp_dir dir;
    make_demo(dir / "a", 400);
    auto const first = cli({"export", "--data", (dir / "a").string()});
    REQUIRE(first.exit_code == 0);
    CHECK(count_lines(first.out) == 400);

    auto const imported = cli({"import", "--data", (dir / "b").string(), "-"}, first.out);
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK(imported.err.find("400 appended") != std::string::npos);
    auto const second = cli({"export", "--data", (dir / "b").string()});
    REQUIRE(second.exit_code == 0);
    CHECK(second.out == first.out);  // same positions, times, actors and so the same hash chain

    auto const again = cli({"import", "--data", (dir / "b").string(), "-"}, first.out);
    REQUIRE(again.exit_code == 0);
    CHECK(again.err.find("0 appended, 400 already present") != std::string::npos);
    CHECK(cli({"export", "--data", (dir / "b").string()}).out == first.out);
}

TEST_CASE("cli: export from a position writes only the tail as CloudEvents", "[cli]") {
    temp_dir dir;
    make_demo(dir / "a", 50);
    auto const tail = cli({"export", "--data", (dir / "a").string(), "--from-position", "45"});
    REQUIRE(tail.exit_code == 0);
    REQUIRE(count_lines(tail.out) == 5);
    auto const first = boost::json::parse(tail.out.substr(0, tail.out.find('\n'))).as_object();
    CHECK(first.at("specversion") == "1.0");
    CHECK(first.at("position") == 45);
    CHECK(first.at("datacontenttype") == "application/json");
    CHECK(first.at("subject") == first.at("stream"));
    CHECK(first.at("hash").as_string().size() == 64);
}

TEST_CASE("cli: import stops at a bad line, names it and writes only the lines before it", "[cli]") {
    temp_dir dir;
    make_demo(dir / "a", 30);
    auto const exported = cli({"export", "--data", (dir / "a").string()}).out;
    std::istringstream lines(exported);
    std::string good, line;
    for (int i = 0; i < 3 && std::getline(lines, line); ++i) good += line + "\n";
    auto const bad = cli({"import", "--data", (dir / "b").string(), "-"}, good + "{\"specversion\": \n");
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("line 4") != std::string::npos);
    ledger::store::event_store b({.directory = dir / "b"});
    CHECK(b.head().events == 3);
}

TEST_CASE("cli: a hot backup taken during appends verifies", "[cli][backup]") {
    temp_dir dir;
    make_demo(dir / "a", 200);
    std::atomic<bool> stop{false};
    std::atomic<int> appended{0};
    {
        ledger::store::event_store live({.directory = dir / "a"});
        std::jthread writer([&] {
            // The store alone, without the domain policy: any event will do as load.
            while (!stop) {
                if (live.append(ledger::testing::one_event("target-load"))) ++appended;
            }
        });
        auto const backup = cli({"backup", "--data", (dir / "a").string(), "--to", (dir / "copy").string()});
        stop = true;
        INFO(backup.err);
        CHECK(backup.exit_code == 0);
        CHECK(backup.out.find("verified") != std::string::npos);
    }
    CHECK(appended > 0);
    CHECK(cli({"verify", "--data", (dir / "copy").string()}).exit_code == 0);
    CHECK(cli({"backup", "--data", (dir / "a").string(), "--to", (dir / "copy").string()}).exit_code == 2);
}

TEST_CASE("cli: verify exits 1 and names the position of a corrupted event", "[cli]") {
    temp_dir dir;
    make_demo(dir / "a", 100);
    CHECK(cli({"verify", "--data", (dir / "a").string()}).exit_code == 0);
    std::ifstream in(dir / "a" / "data.mdb", std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    in.close();
    std::size_t changed = 0;
    for (auto at = bytes.find("trip completed"); at != std::string::npos; at = bytes.find("trip completed", at)) {
        bytes[at] = 'T';
        ++changed;
    }
    REQUIRE(changed > 0);
    std::ofstream(dir / "a" / "data.mdb", std::ios::binary | std::ios::trunc) << bytes;
    auto const r = cli({"verify", "--data", (dir / "a").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("FAILED at position") != std::string::npos);
}

TEST_CASE("cli: the same seed gives the same demo ledger content", "[cli][demo]") {
    temp_dir dir;
    make_demo(dir / "a", 300, 7);
    make_demo(dir / "b", 300, 7);
    auto strip_server_fields = [](std::string const& jsonl) {
        std::istringstream in(jsonl);
        std::string line, kept;
        while (std::getline(in, line)) {
            auto event = boost::json::parse(line).as_object();
            event.erase("recordedtime");
            event.erase("hash");
            // Personal fields are sealed with random keys and nonces (docs/privacy.md).
            for (auto& [field, value] : event["data"].as_object()) {
                if (value.is_string() && value.as_string().starts_with("enc:v1:")) value = "[sealed]";
            }
            kept += boost::json::serialize(event) + "\n";
        }
        return kept;
    };
    auto const a = cli({"export", "--data", (dir / "a").string()}).out;
    auto const b = cli({"export", "--data", (dir / "b").string()}).out;
    CHECK(strip_server_fields(a) == strip_server_fields(b));
    make_demo(dir / "c", 300, 8);
    CHECK(strip_server_fields(cli({"export", "--data", (dir / "c").string()}).out) != strip_server_fields(a));
}

TEST_CASE("cli: usage errors exit 2 with the command's usage", "[cli]") {
    // A path that holds nothing, so only the bad flag can make the command fail.
    temp_dir dir;
    auto const nowhere = (dir / "nothing-here").string();
    CHECK(cli({}).exit_code == 2);
    CHECK(cli({"frobnicate"}).exit_code == 2);
    auto const missing = cli({"verify"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("usage: recruit-ledger verify --data DIR") != std::string::npos);
    CHECK(cli({"demo", "--data", nowhere, "--events", "many"}).exit_code == 2);
    CHECK(cli({"export", "--data", nowhere, "--bogus", "1"}).exit_code == 2);
    CHECK(cli({"token", "add", "--tokens", nowhere, "alice", "superuser"}).exit_code == 2);
    CHECK(cli({"verify", "--help"}).exit_code == 0);
}

TEST_CASE("cli: token add prints a new token once and stores only its hash", "[cli][tokens]") {
    temp_dir dir;
    auto const file = (dir / "tokens").string();
    auto const added = cli({"token", "add", "--tokens", file, "coordinator-jkpg", "writer"});
    REQUIRE(added.exit_code == 0);
    auto const token = added.out.substr(0, added.out.find('\n'));
    CHECK(token.starts_with("rlt_"));
    std::ifstream in(file);
    std::string const stored{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    CHECK(stored.find(token) == std::string::npos);
    CHECK(stored.find(ledger::to_hex(ledger::sha256(token)) + " writer coordinator-jkpg") != std::string::npos);
    CHECK(cli({"token", "add", "--tokens", file, "coordinator-jkpg", "reader"}).exit_code == 2);
    CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);
}

TEST_CASE("cli: replay prints a read model as the server does, live or as of a position", "[cli][replay]") {
    temp_dir dir;
    make_demo(dir / "a", 600);
    auto const data = (dir / "a").string();
    auto const live = cli({"replay", "--data", data, "--projection", "recruits-per-campaign"});
    INFO(live.err);
    REQUIRE(live.exit_code == 0);
    auto const table = boost::json::parse(live.out).as_object();
    CHECK(table.at("name") == "recruits-per-campaign");
    CHECK(table.at("position") == 599);
    CHECK_FALSE(table.at("rows").as_array().empty());

    auto const early = boost::json::parse(
        cli({"replay", "--data", data, "--projection", "recruits-per-campaign", "--as-of-position", "99"}).out);
    CHECK(early.at("position") == 99);
    CHECK(early.at("rows").as_array().size() <= table.at("rows").as_array().size());

    auto const csv = cli({"replay", "--data", data, "--projection", "funnel", "--format", "csv"});
    REQUIRE(csv.exit_code == 0);
    CHECK(csv.out.starts_with("kind,organiser,year,applications,"));
    // Maps are flattened into columns, numbers are plain decimals (README: Data for people).
    CHECK(csv.out.find(",conversion_shortlisted,conversion_interviewed,") != std::string::npos);
    CHECK(csv.out.find('{') == std::string::npos);
    auto const funnel = cli({"replay", "--data", data, "--projection", "funnel"}).out;
    CHECK(funnel.find("\"conversion\":{\"shortlisted\":") != std::string::npos);
    // No number in exponent form: a digit, then e or E (names hold no digit before an e).
    auto const exponent = std::adjacent_find(funnel.begin(), funnel.end(), [](char a, char b) {
        return a >= '0' && a <= '9' && (b == 'e' || b == 'E');
    });
    CHECK(exponent == funnel.end());

    CHECK(cli({"replay", "--data", data, "--projection", "no-such-model"}).exit_code == 2);
    CHECK(cli({"replay", "--data", data, "--projection", "funnel", "--format", "xml"}).exit_code == 2);
    CHECK(cli({"replay", "--data", data, "--projection", "funnel", "--as-of", "yesterday"}).exit_code == 2);
}

TEST_CASE("cli: stats reports the ledger's sizes and chain head", "[cli]") {
    temp_dir dir;
    make_demo(dir / "a", 120);
    auto const r = cli({"stats", "--data", (dir / "a").string()});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("events             120\n") != std::string::npos);
    auto const head = cli({"verify", "--data", (dir / "a").string()}).out;
    CHECK(r.out.find(head.substr(head.find("head hash ") + 10, 64)) != std::string::npos);
}

TEST_CASE("cli: serve is the server, read models included, and stops cleanly on SIGTERM", "[cli][serve]") {
    temp_dir dir;
    make_demo(dir / "a", 200);
    auto const port_file = dir / "port";
    auto const pid = ledger::testing::spawn_program(
        tool, {"serve", "--data", (dir / "a").string(), "--listen", "127.0.0.1:0", "--port-file",
               port_file.string(), "--log-level", "warn"});
    REQUIRE(pid > 0);
    auto const port = ledger::testing::wait_for_port_file(port_file);
    REQUIRE(port != 0);
    auto const origin = run_process("/usr/bin/curl", {"-s", "--max-time", "10",
                                                       "http://127.0.0.1:" + std::to_string(port) +
                                                           "/v1/projections/origin?min_position=199"});
    kill(pid, SIGTERM);
    CHECK(ledger::testing::wait_for_exit(pid, std::chrono::seconds(15)) == 0);
    REQUIRE(origin.exit_code == 0);
    auto const table = boost::json::parse(origin.out).as_object();
    CHECK(table.at("name") == "origin");
    CHECK(table.at("position") == 199);
}

TEST_CASE("cli: import and demo refuse a data directory another process writes, and reading commands run beside it",
          "[cli][lock]") {
    temp_dir dir;
    make_demo(dir / "a", 50);
    auto const exported = cli({"export", "--data", (dir / "a").string()});
    REQUIRE(exported.exit_code == 0);
    {
        ledger::store::event_store server_like({.directory = dir / "a"});  // holds the writer lock
        auto const imported = cli({"import", "--data", (dir / "a").string(), "-"}, exported.out);
        CHECK(imported.exit_code == 1);
        CHECK(imported.err.find("in use by another process") != std::string::npos);
        auto const demo = cli({"demo", "--data", (dir / "a").string(), "--events", "10"});
        CHECK(demo.exit_code == 1);
        CHECK(demo.err.find("in use by another process") != std::string::npos);
        CHECK(cli({"verify", "--data", (dir / "a").string()}).exit_code == 0);
        CHECK(cli({"stats", "--data", (dir / "a").string()}).exit_code == 0);
        CHECK(cli({"export", "--data", (dir / "a").string()}).out == exported.out);
    }
    CHECK(cli({"import", "--data", (dir / "a").string(), "-"}, exported.out).exit_code == 0);  // free again
}
