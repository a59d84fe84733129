// The verifiable audit routes (SPEC §11): signed checkpoints, inclusion and consistency proofs,
// the verifier key; their 400s; signatures checked by a third party (Python `cryptography`).

#include "support/http_fixture.hpp"
#include "support/process.hpp"

#include "ledger/base64.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/http/audit_witness.hpp"
#include "ledger/store/merkle.hpp"
#include "ledger/store/merkle_note.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

using namespace ledger;
using ledger::testing::append_body;
using ledger::testing::campaign_planned;
using ledger::testing::error_code_of;
using ledger::testing::json_of;
using ledger::testing::shortage_check;
namespace merkle = ledger::store::merkle;

namespace {

struct audit_fixture : ledger::testing::http_fixture {
    merkle::signing_key key = merkle::generate_signing_key("ledger.example/test");
    merkle::verifier_key verifier = *merkle::parse_verifier_key(merkle::verifier_text(key));

    audit_fixture() {
        api.audit_key = &key;
        REQUIRE(append("campaign-c1", append_body(R"("no_stream")", campaign_planned())).status == 201);
        for (int i = 0; i < 6; ++i) {
            REQUIRE(append("campaign-c1", append_body(R"("any")", shortage_check() + "," + shortage_check("PT"))).status == 201);
        }
    }

    merkle::checkpoint checkpoint(std::string const& query = "") {
        auto const response = get("/v1/audit/checkpoint" + query);
        REQUIRE(response.status == 200);
        CHECK(response.content_type == "text/plain; charset=utf-8");
        auto opened = merkle::open_checkpoint(response.body, verifier);
        INFO(response.body);
        REQUIRE(std::holds_alternative<merkle::checkpoint>(opened));
        return std::get<merkle::checkpoint>(opened);
    }
};

std::vector<sha256_digest> digests(boost::json::value const& list) {
    std::vector<sha256_digest> out;
    for (auto const& item : list.as_array()) out.push_back(*parse_hex_digest(item.as_string()));
    return out;
}

std::string parameter_of(http::response const& response) {
    auto const body = json_of(response);
    return std::string(body.at("error").at("details").at("parameter").as_string());
}

}  // namespace

TEST_CASE("the checkpoint route signs the tree head and any earlier size", "[audit][http]") {
    audit_fixture f;
    auto const head = f.checkpoint();
    CHECK(head.origin == "ledger.example/test");
    CHECK(head.size == f.store.head().events);
    CHECK(head.size == 13);
    CHECK(head.root == f.store.tree_root(13));
    auto const earlier = f.checkpoint("?tree_size=5");
    CHECK(earlier.size == 5);
    CHECK(earlier.root == f.store.tree_root(5));
    CHECK(f.checkpoint("?tree_size=0").root == merkle::empty_root());

    auto const beyond = f.get("/v1/audit/checkpoint?tree_size=14");
    CHECK(beyond.status == 400);
    CHECK(parameter_of(beyond) == "tree_size");
    auto const malformed = f.get("/v1/audit/checkpoint?tree_size=abc");
    CHECK(malformed.status == 400);
    CHECK(parameter_of(malformed) == "tree_size");
}

TEST_CASE("an inclusion proof from the route verifies against the signed root", "[audit][http]") {
    audit_fixture f;
    auto const c = f.checkpoint("?tree_size=11");
    auto const response = f.get("/v1/audit/proof/inclusion?position=4&tree_size=11");
    REQUIRE(response.status == 200);
    auto const body = json_of(response).as_object();
    CHECK(body.size() == 4);
    CHECK(body.at("position").as_int64() == 4);
    CHECK(body.at("tree_size").as_int64() == 11);
    auto const leaf = base64_decode(body.at("leaf").as_string());
    REQUIRE(leaf);
    CHECK(*leaf == canonical_part(*f.store.stored_event(4)));
    auto const path = digests(body.at("audit_path"));
    CHECK(merkle::verify_inclusion(4, 11, merkle::leaf_hash(*leaf), path, c.root));
    CHECK_FALSE(merkle::verify_inclusion(4, 11, merkle::leaf_hash(*leaf + "x"), path, c.root));

    auto const past = f.get("/v1/audit/proof/inclusion?position=11&tree_size=11");
    CHECK(past.status == 400);
    CHECK(parameter_of(past) == "position");
    auto const no_position = f.get("/v1/audit/proof/inclusion?tree_size=11");
    CHECK(no_position.status == 400);
    CHECK(parameter_of(no_position) == "position");
    auto const beyond = f.get("/v1/audit/proof/inclusion?position=1&tree_size=99");
    CHECK(beyond.status == 400);
    CHECK(parameter_of(beyond) == "tree_size");
    auto const negative = f.get("/v1/audit/proof/inclusion?position=-1&tree_size=11");
    CHECK(negative.status == 400);
    CHECK(error_code_of(negative) == "bad_request");
}

TEST_CASE("a consistency proof from the route links two signed roots", "[audit][http]") {
    audit_fixture f;
    auto const older = f.checkpoint("?tree_size=6");
    auto const newer = f.checkpoint();
    auto const response = f.get("/v1/audit/proof/consistency?first=6&second=" + std::to_string(newer.size));
    REQUIRE(response.status == 200);
    auto const body = json_of(response).as_object();
    CHECK(body.size() == 3);
    CHECK(body.at("first").as_int64() == 6);
    CHECK(body.at("second").as_int64() == static_cast<std::int64_t>(newer.size));
    auto const proof = digests(body.at("proof"));
    CHECK(merkle::verify_consistency(6, newer.size, older.root, newer.root, proof));

    auto const reversed = f.get("/v1/audit/proof/consistency?first=9&second=6");
    CHECK(reversed.status == 400);
    CHECK(parameter_of(reversed) == "first");
    auto const beyond = f.get("/v1/audit/proof/consistency?first=6&second=100");
    CHECK(beyond.status == 400);
    CHECK(parameter_of(beyond) == "second");
    auto const zero = f.get("/v1/audit/proof/consistency?first=0&second=6");
    CHECK(zero.status == 400);
    CHECK(parameter_of(zero) == "first");
    auto const same = f.get("/v1/audit/proof/consistency?first=6&second=6");
    REQUIRE(same.status == 200);
    CHECK(json_of(same).at("proof").as_array().empty());
}

TEST_CASE("the key route answers the verifier key, and without a key the checkpoint is 503", "[audit][http]") {
    audit_fixture f;
    auto const key = f.get("/v1/audit/key");
    REQUIRE(key.status == 200);
    CHECK(key.body == merkle::verifier_text(f.key) + "\n");
    f.api.audit_key = nullptr;
    CHECK(f.get("/v1/audit/checkpoint").status == 503);
    CHECK(f.get("/v1/audit/key").status == 503);
    CHECK(f.get("/v1/audit/proof/inclusion?position=0&tree_size=1").status == 200);
}

TEST_CASE("a checkpoint whose text or signature was altered does not open", "[audit][http]") {
    audit_fixture f;
    auto const note = f.get("/v1/audit/checkpoint").body;
    auto altered = note;
    altered[note.find('\n') + 1] = '9';  // the tree size
    CHECK(std::holds_alternative<std::string>(merkle::open_checkpoint(altered, f.verifier)));
    auto const other = merkle::generate_signing_key("ledger.example/test");
    CHECK(std::holds_alternative<std::string>(merkle::open_checkpoint(note, *merkle::parse_verifier_key(merkle::verifier_text(other)))));
    CHECK(std::holds_alternative<merkle::checkpoint>(merkle::open_checkpoint(note, f.verifier)));
}

TEST_CASE("python cryptography verifies a checkpoint's Ed25519 signature by the verifier key", "[audit][http]") {
    audit_fixture f;
    auto const note = f.get("/v1/audit/checkpoint").body;
    auto const verifier = merkle::verifier_text(f.key);
    // A third-party check written from the C2SP signed-note spec: key id, then Ed25519 over the body.
    std::string const script = R"PY(
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
verifier, note = sys.stdin.read().split("\n", 1)
name, key_id, key = verifier.split("+", 2)
key = base64.b64decode(key)
assert key[0] == 1
assert hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() == key_id
body, signatures = note.split("\n\n", 1)
body += "\n"
line = signatures.splitlines()[0]
assert line.startswith("\u2014 " + name + " ")
signature = base64.b64decode(line.split(" ")[2])
assert signature[:4].hex() == key_id
Ed25519PublicKey.from_public_bytes(key[1:]).verify(signature[4:], body.encode())
lines = body.split("\n")
print(lines[1], base64.b64decode(lines[2]).hex())
)PY";
    auto const ok = ledger::testing::run_process("/usr/bin/python3", {"-c", script}, verifier + "\n" + note);
    INFO(ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(ok.out == std::to_string(f.store.head().events) + " " + to_hex(f.store.tree_root(f.store.head().events)) + "\n");
    auto tampered = note;
    tampered[0] = tampered[0] == 'x' ? 'y' : 'x';
    CHECK(ledger::testing::run_process("/usr/bin/python3", {"-c", script}, verifier + "\n" + tampered).exit_code != 0);
}

TEST_CASE("an erasure leaves every earlier proof valid", "[audit][http][privacy]") {
    audit_fixture f;
    std::string const registered =
        R"({"type":"CandidateRegistered","occurred_at":"2024-03-01","data":{"name":"Lucía García","country_of_training":"ES","career_stage":"specialist"}})";
    REQUIRE(f.append("candidate-c-0192", append_body(R"("no_stream")", registered)).status == 201);
    auto const before = f.checkpoint();
    auto const position = before.size - 1;
    auto const stored_before = *f.store.stored_event(position);
    std::string const leaf_before(canonical_part(stored_before));
    REQUIRE(f.post("/v1/candidates/c-0192/erase", R"({"basis":"GDPR art. 17"})").status == 201);
    auto const after = f.checkpoint();
    CHECK(after.size > before.size);
    // The stored bytes are the ciphertext the erasure left: the same bytes, so the same leaf.
    CHECK(canonical_part(*f.store.stored_event(position)) == leaf_before);
    auto const inclusion = json_of(f.get("/v1/audit/proof/inclusion?position=" + std::to_string(position) +
                                         "&tree_size=" + std::to_string(before.size)));
    CHECK(merkle::verify_inclusion(position, before.size, merkle::leaf_hash(leaf_before), digests(inclusion.at("audit_path")), before.root));
    auto const consistency = json_of(f.get("/v1/audit/proof/consistency?first=" + std::to_string(before.size) +
                                           "&second=" + std::to_string(after.size)));
    CHECK(merkle::verify_consistency(before.size, after.size, before.root, after.root, digests(consistency.at("proof"))));
    CHECK_FALSE(f.store.verify_tree().has_value());
}

namespace {

/// Waits (bounded, 10 s) until the witness lists `count` checkpoints.
bool witnessed(http::audit_witness const& witness, std::size_t count) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (witness.after(0, 100).size() < count) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace

TEST_CASE("the witness signs a checkpoint every N events, lists them and keeps them across restarts", "[audit][http]") {
    audit_fixture f;
    auto const file = f.directory / "audit-checkpoints.jsonl";
    {
        http::audit_witness witness(f.store, f.key, 5, std::chrono::seconds(3600), file);
        REQUIRE(witnessed(witness, 1));
        for (int i = 0; i < 3; ++i) {
            REQUIRE(f.append("campaign-c1", append_body(R"("any")", shortage_check() + "," + shortage_check("PT"))).status == 201);
        }
        REQUIRE(witnessed(witness, 2));
        f.api.witness = &witness;
        auto const listed = json_of(f.get("/v1/audit/checkpoints")).at("checkpoints").as_array();
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].at("tree_size").as_int64() == 13);
        CHECK(listed[1].at("tree_size").as_int64() == 19);
        for (auto const& entry : listed) {
            auto const opened = merkle::open_checkpoint(entry.at("note").as_string(), f.verifier);
            REQUIRE(std::holds_alternative<merkle::checkpoint>(opened));
            auto const& c = std::get<merkle::checkpoint>(opened);
            CHECK(c.root == f.store.tree_root(c.size));
        }
        CHECK(json_of(f.get("/v1/audit/checkpoints?after=13")).at("checkpoints").as_array().size() == 1);
        f.api.witness = nullptr;
    }
    http::audit_witness reopened(f.store, f.key, 1000, std::chrono::seconds(3600), file);
    auto const kept = reopened.after(0, 100);
    REQUIRE(kept.size() == 2);
    CHECK(kept[1].tree_size == 19);
}

TEST_CASE("keys and signed notes match Go's golang.org/x/mod/sumdb/note example byte for byte", "[audit]") {
    // The published example key and note of Go's note package (Ed25519 signatures are
    // deterministic, so the same key signs the same text to the same bytes).
    std::string const private_key = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    std::string const verifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    std::string const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    auto const key = merkle::parse_private_key(private_key);
    CHECK(key.id == 0xc74f20a3);
    CHECK(merkle::private_key_text(key) == private_key);
    CHECK(merkle::verifier_text(key) == verifier);
    CHECK(merkle::sign_note(text, key) ==
          text + "\n\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n");
    auto const parsed = merkle::parse_verifier_key(verifier);
    REQUIRE(parsed);
    CHECK(parsed->id == 0xc74f20a3);
    CHECK(parsed->public_key == key.public_key);
    CHECK_FALSE(merkle::parse_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
}
