// The key-encryption key (docs/privacy.md): wrapped candidate keys, KEK files, the start-up
// check that refuses a missing or wrong KEK without changing the ledger, the migration of a
// ledger from before envelope encryption, rotation, and the bounded cache of unwrapped keys.

#include "support/temp_dir.hpp"
#include "support/legacy_seal.hpp"
#include "support/test_keys.hpp"

#include "events/catalog.hpp"
#include "events/codec.hpp"
#include "events/personal_data.hpp"
#include "ledger/aes_gcm.hpp"
#include "ledger/app/kek_rotation.hpp"
#include "ledger/app/key_encryption_key.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/app/personal_data_keys.hpp"
#include "ledger/base64.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/subject_key_maintenance.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <cstdlib>
#include <sys/stat.h>

using namespace ledger;
using app::key_encryption_key;
using app::key_refusal;
using ledger::testing::temp_dir;

namespace {

store::event_to_append registration(std::string const& name) {
    auto data = events::encode_data(
        "CandidateRegistered",
        boost::json::parse(R"({"name":")" + name + R"(","email":"x@example.se","country_of_training":"SE"})"), 0);
    REQUIRE(data.has_value());
    return store::event_to_append{.type = "CandidateRegistered",
                                  .schema_version = data->schema_version,
                                  .occurred_at = *parse_timestamp("2024-02-01T00:00:00Z"),
                                  .data = std::move(data->bytes)};
}

void register_candidate(store::event_store& store, std::string const& id, std::string const& name) {
    auto const result = store.append(store::append_request{
        "candidate-" + id, store::expected_version::no_stream(), "test", {registration(name)}});
    REQUIRE(result.has_value());
}

/// The name a store's reads show for the candidate (revealed, as for an admin).
std::string revealed_name(store::event_store const& store, std::string const& id) {
    auto const page = store.read_stream("candidate-" + id, std::nullopt, 1, store::read_direction::forward);
    REQUIRE(page.has_value());
    auto const event = app::reveal_personal_data(store, page->front(), app::personal_fields::revealed);
    return std::string(events::data_to_json(event.type, event.schema_version, event.data).at("name").as_string());
}

/// A ledger opened as the server opens it: KEK found and checked first, then the store.
struct opened_ledger {
    opened_ledger(std::filesystem::path const& data, std::optional<std::filesystem::path> const& kek,
                  std::optional<std::filesystem::path> const& new_kek = std::nullopt)
        : keys(app::open_personal_data_keys(data, kek, true, new_kek)),
          store({.directory = data, .seal = std::make_shared<app::personal_data_sealer>(keys.keys)}) {}
    app::personal_data_keys keys;
    store::event_store store;
};

/// SHA-256 of every file below `directory`, by relative path.
std::map<std::string, std::string> file_hashes(std::filesystem::path const& directory) {
    std::map<std::string, std::string> hashes;
    for (auto const& entry : std::filesystem::recursive_directory_iterator(directory)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        hashes[std::filesystem::relative(entry.path(), directory).string()] = to_hex(sha256(bytes));
    }
    return hashes;
}

std::string stored_key(std::filesystem::path const& data, std::string const& subject) {
    store::event_store raw({.directory = data});  // no seal: the stored bytes as they are
    return raw.subject_key(subject).value_or("");
}

}  // namespace

TEST_CASE("a wrapped key opens only for its candidate under its KEK", "[privacy][kek]") {
    auto const kek = ledger::testing::test_kek('A');
    auto const other = ledger::testing::test_kek('B');
    auto const key = random_bytes(32);
    auto const wrapped = kek->wrap("c-1", key);
    CHECK(wrapped.size() == app::wrapped_key_size);
    CHECK(wrapped.find(key) == std::string::npos);
    CHECK(app::wrapped_key_kek_id(wrapped) == kek->id());
    CHECK(kek->unwrap("c-1", wrapped) == key);
    CHECK_FALSE(kek->unwrap("c-2", wrapped));    // moved to another candidate
    CHECK_FALSE(other->unwrap("c-1", wrapped));  // another KEK
    auto tampered = wrapped;
    tampered[30] = static_cast<char>(tampered[30] ^ 1);
    CHECK_FALSE(kek->unwrap("c-1", tampered));
    CHECK_FALSE(kek->unwrap("c-1", key));  // a plain key is no wrapped key
    CHECK(kek->id() != other->id());
    CHECK(kek->id_hex().size() == 16);
    CHECK_THROWS_AS(key_encryption_key(std::string(31, 'x')), key_refusal);
}

TEST_CASE("a KEK file is made once with mode 0600 and must be private and outside the data directory",
          "[privacy][kek]") {
    temp_dir dir;
    auto const file = dir / "ledger.kek";
    auto const made = key_encryption_key::create(file);
    struct stat status {};
    REQUIRE(::stat(file.c_str(), &status) == 0);
    CHECK((status.st_mode & 0777) == 0600);
    CHECK(std::filesystem::file_size(file) == 32);
    CHECK_THROWS_AS(key_encryption_key::create(file), key_refusal);  // never overwritten
    CHECK(key_encryption_key::load(file, dir / "data").id() == made.id());

    ::chmod(file.c_str(), 0640);
    CHECK_THROWS_WITH(key_encryption_key::load(file, dir / "data"), Catch::Contains("chmod 600"));
    ::chmod(file.c_str(), 0600);
    std::filesystem::create_directories(dir / "data");
    std::filesystem::copy_file(file, dir / "data" / "inside.kek");
    CHECK_THROWS_WITH(key_encryption_key::load(dir / "data" / "inside.kek", dir / "data"),
                      Catch::Contains("inside the data directory"));
    CHECK_THROWS_WITH(key_encryption_key::load(dir / "data" / "inside.kek", dir / "data" / "."),
                      Catch::Contains("inside the data directory"));
    {
        std::ofstream(dir / "short.kek") << "too short";
    }
    ::chmod((dir / "short.kek").c_str(), 0600);
    CHECK_THROWS_WITH(key_encryption_key::load(dir / "short.kek", dir / "data"), Catch::Contains("exactly 32"));
    CHECK_THROWS_AS(key_encryption_key::load(dir / "missing.kek", dir / "data"), key_refusal);
}

TEST_CASE("a new ledger gets a KEK beside its data directory and stores only wrapped keys",
          "[privacy][kek]") {
    temp_dir dir;
    auto const data = dir / "data";
    std::string key;
    {
        opened_ledger ledger(data, std::nullopt);
        register_candidate(ledger.store, "c-1", "Anna Lindqvist");
        CHECK(revealed_name(ledger.store, "c-1") == "Anna Lindqvist");
        key = *ledger.store.subject_key("c-1");
    }
    CHECK(app::default_kek_path(data) == dir / "data.kek");
    CHECK(app::default_kek_path(dir / "data/") == dir / "data.kek");
    REQUIRE(std::filesystem::exists(dir / "data.kek"));
    auto const census = store::read_subject_key_census(data);
    auto const kek = key_encryption_key::load(dir / "data.kek", data);
    CHECK(census.kek_id == kek.id());  // bound before its first key
    auto const stored = stored_key(data, "c-1");
    CHECK(stored.size() == app::wrapped_key_size);
    CHECK(kek.unwrap("c-1", stored) == key);
    CHECK(app::check_kek(data, dir / "data.kek") == kek.id_hex());

    opened_ledger again(data, std::nullopt);  // found beside the directory on the next start
    CHECK(revealed_name(again.store, "c-1") == "Anna Lindqvist");
}

TEST_CASE("without its KEK or with another a sealed ledger refuses to open and stays byte-identical",
          "[privacy][kek]") {
    temp_dir dir;
    auto const data = dir / "data";
    key_encryption_key::create(dir / "right.kek");
    key_encryption_key::create(dir / "wrong.kek");
    {
        opened_ledger ledger(data, dir / "right.kek");
        register_candidate(ledger.store, "c-1", "Anna Lindqvist");
    }
    auto const before = file_hashes(dir.path());
    CHECK_THROWS_WITH(app::open_personal_data_keys(data, std::nullopt, true),
                      Catch::Contains("holds sealed personal data") && Catch::Contains("--kek"));
    CHECK_THROWS_WITH(app::open_personal_data_keys(data, dir / "wrong.kek", true),
                      Catch::Contains("wrong key-encryption key"));
    CHECK_THROWS_AS(app::check_kek(data, dir / "wrong.kek"), key_refusal);
    auto const after = file_hashes(dir.path());
    for (auto const& [file, hash] : before) {
        INFO(file);
        CHECK(after.at(file) == hash);  // data.mdb and lock.mdb
    }
    CHECK(after.size() == before.size());  // and no KEK was made
    CHECK_FALSE(std::filesystem::exists(dir / "data.kek"));
}

TEST_CASE("a ledger from before envelope encryption is wrapped on its first start with a KEK",
          "[privacy][kek][migration]") {
    temp_dir dir;
    auto const data = dir / "data";
    std::string plain;
    {
        store::event_store old({.directory = data, .seal = std::make_shared<ledger::testing::plain_key_sealer>()});
        register_candidate(old, "c-1", "Anna Lindqvist");
        register_candidate(old, "c-2", "Björn Ödmark");
        plain = *old.subject_key("c-1");
    }
    REQUIRE(plain.size() == 32);
    CHECK(stored_key(data, "c-1") == plain);
    CHECK_FALSE(store::read_subject_key_census(data).kek_id);

    key_encryption_key::create(dir / "ledger.kek");
    {
        opened_ledger ledger(data, dir / "ledger.kek");  // migrates, then opens
        CHECK(revealed_name(ledger.store, "c-1") == "Anna Lindqvist");
        CHECK(revealed_name(ledger.store, "c-2") == "Björn Ödmark");
        register_candidate(ledger.store, "c-3", "Carin Ek");  // new keys are wrapped too
    }
    auto const kek = key_encryption_key::load(dir / "ledger.kek", data);
    CHECK(store::read_subject_key_census(data).kek_id == kek.id());
    for (std::string const subject : {"c-1", "c-2", "c-3"}) {
        auto const stored = stored_key(data, subject);
        CHECK(stored.size() == app::wrapped_key_size);
        CHECK(kek.unwrap(subject, stored).has_value());
    }
    CHECK(kek.unwrap("c-1", stored_key(data, "c-1")) == plain);  // the same data key, wrapped
    // From now on it refuses to start without the KEK, like any sealed ledger.
    CHECK_THROWS_AS(app::open_personal_data_keys(data, std::nullopt, false), key_refusal);
}

TEST_CASE("rotation re-wraps every key under the new KEK and the old one opens nothing afterwards",
          "[privacy][kek][rotation]") {
    temp_dir dir;
    auto const data = dir / "data";
    key_encryption_key::create(dir / "old.kek");
    key_encryption_key::create(dir / "new.kek");
    {
        opened_ledger ledger(data, dir / "old.kek");
        register_candidate(ledger.store, "c-1", "Anna Lindqvist");
        register_candidate(ledger.store, "c-2", "Björn Ödmark");
        // While the ledger is in use, a rotation is refused.
        CHECK_THROWS_WITH(app::rotate_kek(data, dir / "old.kek", dir / "new.kek"), Catch::Contains("in use"));
    }
    key_encryption_key::create(dir / "third.kek");
    CHECK_THROWS_WITH(app::rotate_kek(data, dir / "third.kek", dir / "new.kek"),
                      Catch::Contains("wrong key-encryption key"));
    CHECK(app::rotate_kek(data, dir / "old.kek", dir / "new.kek") == 2);
    CHECK(app::rotate_kek(data, dir / "old.kek", dir / "new.kek") == 0);  // done already: no-op

    CHECK_THROWS_AS(app::open_personal_data_keys(data, dir / "old.kek", true), key_refusal);
    auto const old_kek = key_encryption_key::load(dir / "old.kek", data);
    for (std::string const subject : {"c-1", "c-2"}) CHECK_FALSE(old_kek.unwrap(subject, stored_key(data, subject)));
    opened_ledger ledger(data, dir / "new.kek");
    CHECK(revealed_name(ledger.store, "c-1") == "Anna Lindqvist");
    CHECK(revealed_name(ledger.store, "c-2") == "Björn Ödmark");
}

TEST_CASE("the cache of unwrapped keys is bounded and never outlives a changed stored key",
          "[privacy][kek]") {
    auto const kek = ledger::testing::test_kek();
    app::subject_key_cache cache(kek, 2);
    std::map<std::string, std::string> stored;
    for (std::string const subject : {"a", "b", "c"}) stored[subject] = kek->wrap(subject, random_bytes(32));
    for (auto const& [subject, wrapped] : stored) CHECK(cache.open(subject, wrapped) == kek->unwrap(subject, wrapped));
    CHECK(cache.size() == 2);
    auto const replaced = kek->wrap("c", random_bytes(32));
    CHECK(cache.open("c", replaced) == kek->unwrap("c", replaced));  // not the cached older key
    CHECK_FALSE(cache.open("c", ledger::testing::test_kek('Z')->wrap("c", random_bytes(32))));
    cache.forget("c");
    CHECK(cache.size() == 1);
}

TEST_CASE("an online rotation opens either KEK's keys and wraps new keys under the new one and ends bound to it",
          "[privacy][kek][rotation]") {
    temp_dir dir;
    auto const data = dir / "data";
    key_encryption_key::create(dir / "old.kek");
    key_encryption_key::create(dir / "new.kek");
    auto const old_kek = key_encryption_key::load(dir / "old.kek", data);
    auto const new_kek = key_encryption_key::load(dir / "new.kek", data);
    {
        opened_ledger ledger(data, dir / "old.kek");
        for (int i = 1; i <= 5; ++i) register_candidate(ledger.store, "c-" + std::to_string(i), "Name " + std::to_string(i));
    }
    {
        opened_ledger ledger(data, dir / "old.kek", dir / "new.kek");
        REQUIRE(ledger.keys.rotating);
        CHECK(store::read_subject_key_census(data).rotation_to == new_kek.id());
        // Sealed under the new KEK at once: the rotation below re-wraps only the other five.
        register_candidate(ledger.store, "c-6", "Name 6");
        app::kek_rotation rotation(ledger.store, ledger.keys.keys, {.batch_keys = 2, .pause = std::chrono::milliseconds(0)});
        for (int i = 1; i <= 6; ++i) {
            CHECK(revealed_name(ledger.store, "c-" + std::to_string(i)) == "Name " + std::to_string(i));
        }
        REQUIRE(rotation.wait(std::chrono::seconds(30)));
        CHECK(rotation.finished());
        CHECK_THAT(rotation.metrics_text(), Catch::Contains("ledger_kek_rotation_rewrapped_total 5\n") &&
                                                Catch::Contains("ledger_kek_rotation_active 0\n"));
        for (int i = 1; i <= 6; ++i) {
            CHECK(revealed_name(ledger.store, "c-" + std::to_string(i)) == "Name " + std::to_string(i));
        }
    }
    auto const census = store::read_subject_key_census(data);
    CHECK(census.kek_id == new_kek.id());
    CHECK_FALSE(census.rotation_to);
    for (int i = 1; i <= 6; ++i) {
        auto const subject = "c-" + std::to_string(i);
        CHECK(new_kek.unwrap(subject, stored_key(data, subject)).has_value());
        CHECK_FALSE(old_kek.unwrap(subject, stored_key(data, subject)).has_value());
    }
    CHECK_THROWS_WITH(app::open_personal_data_keys(data, dir / "old.kek", true), Catch::Contains("wrong key-encryption key"));
    {
        // Still started with both: it opens with the new one alone and rotates nothing.
        opened_ledger ledger(data, dir / "old.kek", dir / "new.kek");
        CHECK_FALSE(ledger.keys.rotating);
        CHECK(revealed_name(ledger.store, "c-1") == "Name 1");
    }
    opened_ledger ledger(data, dir / "new.kek");
    CHECK(revealed_name(ledger.store, "c-6") == "Name 6");
}

TEST_CASE("an interrupted online rotation needs both KEKs and the offline rotation finishes it",
          "[privacy][kek][rotation]") {
    temp_dir dir;
    auto const data = dir / "data";
    for (char const* name : {"old.kek", "new.kek", "third.kek"}) key_encryption_key::create(dir / name);
    auto const new_kek = key_encryption_key::load(dir / "new.kek", data);
    {
        opened_ledger ledger(data, dir / "old.kek");
        register_candidate(ledger.store, "c-1", "Anna Lindqvist");
        register_candidate(ledger.store, "c-2", "Björn Ödmark");
    }
    {
        // The rotation begins (meta names the new KEK), a key is sealed under it, then it stops.
        opened_ledger ledger(data, dir / "old.kek", dir / "new.kek");
        register_candidate(ledger.store, "c-3", "Carin Ek");
    }
    CHECK(app::wrapped_key_kek_id(stored_key(data, "c-3")) == new_kek.id());
    auto const before = file_hashes(data);
    CHECK_THROWS_WITH(app::open_personal_data_keys(data, dir / "old.kek", true), Catch::Contains("unfinished"));
    CHECK_THROWS_WITH(app::open_personal_data_keys(data, dir / "new.kek", true), Catch::Contains("unfinished"));
    CHECK_THROWS_WITH(app::open_personal_data_keys(data, dir / "old.kek", true, dir / "third.kek"),
                      Catch::Contains("unfinished"));
    CHECK_THROWS_WITH(app::check_kek(data, dir / "old.kek"), Catch::Contains("unfinished"));
    CHECK_THROWS_WITH(app::rotate_kek(data, dir / "old.kek", dir / "third.kek"), Catch::Contains("unfinished"));
    CHECK(file_hashes(data) == before);  // every refusal left the ledger as it was

    CHECK(app::rotate_kek(data, dir / "old.kek", dir / "new.kek") == 3);
    auto const census = store::read_subject_key_census(data);
    CHECK(census.kek_id == new_kek.id());
    CHECK_FALSE(census.rotation_to);
    opened_ledger ledger(data, dir / "new.kek");
    CHECK(revealed_name(ledger.store, "c-1") == "Anna Lindqvist");
    CHECK(revealed_name(ledger.store, "c-3") == "Carin Ek");
}

TEST_CASE("the KEK and a rotation's new KEK are found as systemd credentials but a flag wins",
          "[privacy][kek][credentials]") {
    temp_dir dir;
    auto const credentials = dir / "credentials";
    std::filesystem::create_directories(credentials);
    key_encryption_key::create(credentials / "recruit-ledger-kek");
    key_encryption_key::create(credentials / "recruit-ledger-kek-new");
    CHECK(app::find_kek(std::nullopt, dir / "data") == std::nullopt);
    CHECK(app::find_new_kek(std::nullopt) == std::nullopt);
    ::setenv("CREDENTIALS_DIRECTORY", credentials.c_str(), 1);
    CHECK(app::find_kek(std::nullopt, dir / "data") == credentials / "recruit-ledger-kek");
    CHECK(app::find_new_kek(std::nullopt) == credentials / "recruit-ledger-kek-new");
    CHECK(app::find_kek(dir / "flag.kek", dir / "data") == dir / "flag.kek");
    CHECK(app::find_new_kek(dir / "flag.kek") == dir / "flag.kek");
    ::unsetenv("CREDENTIALS_DIRECTORY");
}
