// `recruit-ledger audit keygen|prove|check|extend` end to end: the real binaries on real ledgers,
// with a tampered byte, a truncated proof, a rewritten event, a shrunk log and a rewritten
// history each refused (exit 1, naming the break).

#include "support/process.hpp"
#include "support/self_signed_cert.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include "ledger/base64.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/merkle_note.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>

using ledger::testing::run_process;
using ledger::testing::temp_dir;
namespace json = boost::json;

namespace {

std::string const tool = RECRUIT_LEDGER;

ledger::testing::process_result cli(std::vector<std::string> args) { return run_process(tool, std::move(args)); }

void write(std::filesystem::path const& file, std::string const& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
}

void make_demo(std::filesystem::path const& data, int events, int seed) {
    auto const r = cli({"demo", "--data", data.string(), "--events", std::to_string(events), "--seed", std::to_string(seed)});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

/// keygen into `file`; returns the verifier key it printed.
std::string keygen(std::filesystem::path const& file) {
    auto const r = cli({"audit", "keygen", "--key", file.string(), "--name", "region.example/ledger"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out.substr(0, r.out.find('\n'));
}

json::object prove(std::filesystem::path const& data, std::filesystem::path const& key, int position,
                   std::optional<int> tree_size = std::nullopt) {
    std::vector<std::string> args{"audit", "prove", "--data", data.string(), "--position", std::to_string(position),
                                  "--signing-key", key.string()};
    if (tree_size) args.insert(args.end(), {"--tree-size", std::to_string(*tree_size)});
    auto const r = cli(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).as_object();
}

ledger::testing::process_result check(temp_dir const& dir, json::object const& bundle, std::string const& verifier) {
    write(dir / "bundle.json", json::serialize(bundle));
    return cli({"audit", "check", (dir / "bundle.json").string(), "--key", verifier});
}

/// recruit-ledgerd on `data` with the signing key, on a loopback port it picks; killed at scope exit.
class server {
public:
    server(std::filesystem::path const& data, std::filesystem::path const& key, std::filesystem::path const& port_file,
           std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--data", data.string(), "--listen", "127.0.0.1:0", "--port-file",
                                      port_file.string(), "--signing-key", key.string(), "--log-level", "warn"};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = ledger::testing::spawn_server(args);
        REQUIRE(pid_ > 0);
        port_ = ledger::testing::wait_for_port_file(port_file);
        REQUIRE(port_ != 0);
    }
    ~server() {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    server(server const&) = delete;
    server& operator=(server const&) = delete;
    std::string url(std::string const& scheme = "http") const { return scheme + "://127.0.0.1:" + std::to_string(port_); }

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("audit keygen writes a private key only its owner reads and prints its verifier key", "[audit][cli]") {
    temp_dir dir;
    auto const verifier = keygen(dir / "signing.key");
    auto const permissions = std::filesystem::status(dir / "signing.key").permissions();
    CHECK((permissions & std::filesystem::perms::all) == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    auto const key = ledger::store::merkle::read_private_key(dir / "signing.key");
    CHECK(verifier == ledger::store::merkle::verifier_text(key));
    CHECK(verifier.starts_with("region.example/ledger+"));
    CHECK(ledger::store::merkle::parse_verifier_key(verifier));
    auto const again = cli({"audit", "keygen", "--key", (dir / "signing.key").string()});
    CHECK(again.exit_code == 1);  // never overwrites a key
}

TEST_CASE("audit prove makes a bundle that audit check accepts, and tampering fails it", "[audit][cli]") {
    temp_dir dir;
    make_demo(dir / "data", 300, 7);
    auto const verifier = keygen(dir / "signing.key");
    auto const bundle = prove(dir / "data", dir / "signing.key", 123);
    CHECK(bundle.at("position").as_int64() == 123);
    CHECK(bundle.at("tree_size").as_int64() == 300);
    CHECK(bundle.at("event").at("position").as_int64() == 123);
    auto const ok = check(dir, bundle, verifier);
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.starts_with("ok: the event at position 123"));

    SECTION("a tampered byte of the event fails") {
        auto leaf = *ledger::base64_decode(bundle.at("leaf").as_string());
        leaf[leaf.size() / 2] = static_cast<char>(leaf[leaf.size() / 2] ^ 0x01);
        auto tampered = bundle;
        tampered["leaf"] = ledger::base64_encode(leaf);
        auto const r = check(dir, tampered, verifier);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("FAILED: the event's bytes and audit path do not lead to the signed root") != std::string::npos);
    }
    SECTION("a truncated audit path fails") {
        auto truncated = bundle;
        truncated["audit_path"].as_array().pop_back();
        auto const r = check(dir, truncated, verifier);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("FAILED") != std::string::npos);
    }
    SECTION("an event shown other than the one proven fails") {
        auto rewritten = bundle;
        rewritten["event"].as_object()["type"] = "SomethingElse";
        auto const r = check(dir, rewritten, verifier);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("differs from the proven bytes") != std::string::npos);
    }
    SECTION("a checkpoint signed by another key fails") {
        auto const other = keygen(dir / "other.key");
        auto const r = check(dir, bundle, other);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("the checkpoint's signature") != std::string::npos);
    }
    SECTION("a proof against another tree size fails") {
        auto resized = bundle;
        resized["tree_size"] = 299;
        CHECK(check(dir, resized, verifier).exit_code == 1);
    }
}

TEST_CASE("audit extend accepts a live log that extends a kept checkpoint and names a shrunk or rewritten one", "[audit][cli]") {
    temp_dir dir;
    make_demo(dir / "a", 300, 7);
    make_demo(dir / "b", 400, 8);  // another history, signed by the same key (a rewrite)
    auto const verifier = keygen(dir / "signing.key");
    write(dir / "a150.note", std::string(prove(dir / "a", dir / "signing.key", 0, 150).at("checkpoint").as_string()));
    write(dir / "b400.note", std::string(prove(dir / "b", dir / "signing.key", 0).at("checkpoint").as_string()));
    write(dir / "b100.note", std::string(prove(dir / "b", dir / "signing.key", 0, 100).at("checkpoint").as_string()));
    server live(dir / "a", dir / "signing.key", dir / "port");

    auto const extends = cli({"audit", "extend", "--server", live.url(), "--checkpoint", (dir / "a150.note").string(),
                              "--key", verifier, "--out", (dir / "now.note").string()});
    INFO(extends.err);
    CHECK(extends.exit_code == 0);
    CHECK(extends.out == "ok: the log of 300 events extends the kept checkpoint of 150 events\n");
    auto const now = cli({"audit", "extend", "--server", live.url(), "--checkpoint", (dir / "now.note").string(), "--key", verifier});
    CHECK(now.exit_code == 0);

    auto const shrunk = cli({"audit", "extend", "--server", live.url(), "--checkpoint", (dir / "b400.note").string(), "--key", verifier});
    CHECK(shrunk.exit_code == 1);
    CHECK(shrunk.err.find("the log shrank from 400 to 300 events") != std::string::npos);

    auto const rewritten = cli({"audit", "extend", "--server", live.url(), "--checkpoint", (dir / "b100.note").string(), "--key", verifier});
    CHECK(rewritten.exit_code == 1);
    CHECK(rewritten.err.find("does not extend the kept checkpoint of 100 events") != std::string::npos);
}

TEST_CASE("export then import into an empty ledger gives the same Merkle root", "[audit][cli]") {
    temp_dir dir;
    make_demo(dir / "a", 250, 3);
    auto const exported = cli({"export", "--data", (dir / "a").string()});
    REQUIRE(exported.exit_code == 0);
    write(dir / "a.jsonl", exported.out);
    auto const imported = cli({"import", "--data", (dir / "b").string(), (dir / "a.jsonl").string()});
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    ledger::store::event_store a({.directory = dir / "a", .writer = false});
    ledger::store::event_store b({.directory = dir / "b", .writer = false});
    REQUIRE(a.tree_size() == 250);
    REQUIRE(b.tree_size() == 250);
    CHECK(a.tree_root(250) == b.tree_root(250));
    CHECK(a.tree_root(17) == b.tree_root(17));
}

TEST_CASE("audit extend asks an HTTPS server and checks its certificate", "[audit][cli][tls]") {
    temp_dir dir;
    make_demo(dir / "a", 120, 5);
    auto const verifier = keygen(dir / "signing.key");
    write(dir / "a60.note", std::string(prove(dir / "a", dir / "signing.key", 0, 60).at("checkpoint").as_string()));
    auto const pem = ledger::testing::make_self_signed(dir.path());
    auto const other = ledger::testing::make_self_signed(dir.path(), "other");
    server live(dir / "a", dir / "signing.key", dir / "port", {"--tls-cert", pem.cert.string(), "--tls-key", pem.key.string()});
    auto const ok = cli({"audit", "extend", "--server", live.url("https"), "--ca", pem.cert.string(),
                         "--checkpoint", (dir / "a60.note").string(), "--key", verifier});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out == "ok: the log of 120 events extends the kept checkpoint of 60 events\n");
    auto const untrusted = cli({"audit", "extend", "--server", live.url("https"), "--ca", other.cert.string(),
                                "--checkpoint", (dir / "a60.note").string(), "--key", verifier});
    CHECK(untrusted.exit_code == 1);
    CHECK(untrusted.err.find("certificate verify failed") != std::string::npos);
}
