// Personal data at rest (SPEC §6, docs/privacy.md): sealed personal fields, crypto-shredding
// erasure and the data-subject access export, through the HTTP handler on a real store.

#include "support/http_fixture.hpp"
#include "support/temp_dir.hpp"

#include "events/catalog.hpp"
#include "events/personal_data.hpp"
#include "ledger/app/exchange.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/key_encryption_key.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace ledger;
using ledger::testing::append_body;
using ledger::testing::error_code_of;
using ledger::testing::http_fixture;
using ledger::testing::json_of;
using ledger::testing::temp_dir;

namespace {

std::string const name = "Anna Lindqvist";
std::string const email = "anna.lindqvist@example.se";
std::string const phone = "+46701234567";

std::string registration(std::string const& id = "") {
    std::string event = R"({"type":"CandidateRegistered","occurred_at":"2024-02-01","data":{)"
                        R"("name":")" + name + R"(","email":")" + email + R"(","phone":")" + phone +
                        R"(","country_of_training":"DE","career_stage":"specialist"})";
    if (!id.empty()) event += R"(,"id":")" + id + "\"";
    return event + "}";
}

void register_candidate(http_fixture& f, std::string const& candidate = "c-1") {
    REQUIRE(f.append("candidate-" + candidate, append_body("\"no_stream\"", registration())).status == 201);
}

std::string file_bytes(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool holds_personal_plaintext(std::string const& bytes) {
    return bytes.find(name) != std::string::npos || bytes.find(email) != std::string::npos ||
           bytes.find(phone) != std::string::npos;
}

boost::json::object first_data(http_fixture& f, std::string const& stream) {
    auto const page = json_of(f.get("/v1/streams/" + stream));
    return page.at("events").at(0).at("data").as_object();
}

http::response erase(http_fixture& f, std::string const& candidate, std::string body = "") {
    return f.post("/v1/candidates/" + candidate + "/erase", std::move(body));
}

std::string export_text(store::event_store const& store) {
    std::ostringstream out;
    app::export_events(store, 0, out);
    return out.str();
}

}  // namespace

TEST_CASE("personal fields are sealed at rest: no plaintext in data.mdb or the export", "[privacy]") {
    http_fixture f;
    register_candidate(f);
    auto const key = f.store.subject_key("c-1");
    REQUIRE(key);
    CHECK(key->size() == 32);

    auto const data = first_data(f, "candidate-c-1");  // reads decrypt
    CHECK(data.at("name") == name.c_str());
    CHECK(data.at("email") == email.c_str());
    CHECK(data.at("phone") == phone.c_str());
    CHECK(data.at("country_of_training") == "DE");  // not personal: stored as it is

    auto const raw = file_bytes(f.directory.path() / "data.mdb");
    CHECK(raw.find("Lindqvist") == std::string::npos);
    CHECK_FALSE(holds_personal_plaintext(raw));
    auto const exported = export_text(f.store);
    CHECK_FALSE(holds_personal_plaintext(exported));
    CHECK(exported.find(R"("name":"enc:v1:)") != std::string::npos);
}

TEST_CASE("erasure destroys the key, reads show [erased], the chain verifies, the stream is closed",
          "[privacy]") {
    http_fixture f;
    register_candidate(f);
    auto const erased = erase(f, "c-1", R"({"basis":"GDPR art. 17"})");
    REQUIRE(erased.status == 201);
    CHECK(json_of(erased).at("stream") == "candidate-c-1");
    CHECK_FALSE(f.store.subject_key("c-1"));

    auto const data = first_data(f, "candidate-c-1");
    CHECK(data.at("name") == "[erased]");
    CHECK(data.at("email") == "[erased]");
    CHECK(data.at("phone") == "[erased]");
    CHECK(data.at("country_of_training") == "DE");
    auto const log = json_of(f.get("/v1/events?category=candidate")).at("events").as_array();
    REQUIRE(log.size() == 2);
    CHECK(log[0].at("data").at("name") == "[erased]");
    CHECK(log[1].at("type") == "SubjectErased");
    CHECK(log[1].at("data").at("basis") == "GDPR art. 17");
    CHECK(json_of(f.get("/v1/audit/verify")).at("ok") == true);
    CHECK(f.store.verify(true).ok);

    auto const consent = f.append("candidate-c-1", append_body("\"any\"",
        R"({"type":"ConsentGranted","occurred_at":"2024-03-01","data":{"purpose":"talent_pool"}})"));
    CHECK(consent.status == 422);
    CHECK(json_of(consent).at("error").at("details").at("rule") == "stream_closed");
    auto const twice = erase(f, "c-1");
    CHECK(twice.status == 422);
    CHECK(json_of(twice).at("error").at("details").at("rule") == "stream_closed");
}

TEST_CASE("erasing an unknown candidate is 404 and a bad body is refused", "[privacy]") {
    http_fixture f;
    CHECK(error_code_of(erase(f, "nobody")) == "stream_not_found");
    register_candidate(f);
    CHECK(error_code_of(erase(f, "c-1", "{")) == "invalid_json");
    CHECK(error_code_of(erase(f, "c-1", R"({"basis":""})")) == "bad_request");
    CHECK(error_code_of(erase(f, "c-1", R"({"reason":"x"})")) == "bad_request");
    CHECK(f.store.subject_key("c-1"));
    auto const defaulted = erase(f, "c-1");  // no body: the default basis
    REQUIRE(defaulted.status == 201);
    auto const last = json_of(f.get("/v1/streams/candidate-c-1?direction=backward&limit=1"));
    CHECK(last.at("events").at(0).at("data").at("basis") == "data subject request");
}

TEST_CASE("only the erase endpoint writes SubjectErased", "[privacy]") {
    http_fixture f;
    register_candidate(f);
    auto const direct = f.append("candidate-c-1", append_body("\"any\"",
        R"({"type":"SubjectErased","occurred_at":"2024-03-01","data":{"basis":"by hand"}})"));
    CHECK(direct.status == 422);
    CHECK(json_of(direct).at("error").at("details").at("rule") == "erase_via_erase_endpoint");
    CHECK(f.store.subject_key("c-1"));
    CHECK(f.store.last_version("candidate-c-1") == 0u);
}

TEST_CASE("a client cannot pass plaintext off as sealed with the enc:v1: prefix", "[privacy]") {
    http_fixture f;
    auto const lookalike = f.append("candidate-c-1", append_body("\"no_stream\"",
        R"({"type":"CandidateRegistered","occurred_at":"2024-02-01","data":{"name":"enc:v1:Anna",)"
        R"("country_of_training":"DE","career_stage":"specialist"}})"));
    CHECK(lookalike.status == 422);
    CHECK(error_code_of(lookalike) == "invalid_event");
    CHECK(json_of(lookalike).at("error").at("details").at("field") == "name");
    CHECK_FALSE(f.store.last_version("candidate-c-1"));
    CHECK_FALSE(f.store.subject_key("c-1"));
}

TEST_CASE("an idempotent retry of a sealed registration is recognised", "[privacy]") {
    http_fixture f;
    std::string const id = "0190f1c2-7b8a-7c3d-9e4f-a1b2c3d4e5f6";
    auto const body = append_body("\"no_stream\"", registration(id));
    REQUIRE(f.append("candidate-c-1", body).status == 201);
    auto const retry = f.append("candidate-c-1", body);
    CHECK(retry.status == 200);
    CHECK(json_of(retry).at("first_position") == 0);
    auto changed = body;
    changed.replace(changed.find("Anna"), 4, "Anne");
    CHECK(error_code_of(f.append("candidate-c-1", changed)) == "duplicate_event_id");
}

TEST_CASE("the access export holds the candidate's events readable and who names them",
          "[privacy]") {
    http_fixture f;
    register_candidate(f);
    register_candidate(f, "c-2");
    REQUIRE(f.append("position-p-1", append_body("\"no_stream\"",
        R"({"type":"PositionOpened","occurred_at":"2024-01-05","data":{"organisation":"region-kalmar","role":"GP"}},)"
        R"({"type":"PositionFilled","occurred_at":"2024-05-01","data":{"candidate_id":"c-1","filled_on":"2024-05-01"}})"))
                .status == 201);

    auto const access = json_of(f.get("/v1/candidates/c-1")).as_object();
    CHECK(access.at("candidate_id") == "c-1");
    CHECK(access.at("erased") == false);
    REQUIRE(access.at("events").as_array().size() == 1);
    CHECK(access.at("events").at(0).at("data").at("email") == email.c_str());
    REQUIRE(access.at("referenced_by").as_array().size() == 1);
    CHECK(access.at("referenced_by").at(0).at("type") == "PositionFilled");
    CHECK(json_of(f.get("/v1/candidates/c-2")).at("referenced_by").as_array().empty());

    REQUIRE(erase(f, "c-1").status == 201);
    auto const after = json_of(f.get("/v1/candidates/c-1")).as_object();
    CHECK(after.at("erased") == true);
    CHECK(after.at("events").as_array().size() == 2);
    CHECK(after.at("events").at(0).at("data").at("name") == "[erased]");
    CHECK(json_of(f.get("/v1/candidates/c-2")).at("events").at(0).at("data").at("name") == name.c_str());
    CHECK(error_code_of(f.get("/v1/candidates/nobody")) == "stream_not_found");
    CHECK(error_code_of(f.get("/v1/candidates/bad%20id")) == "invalid_stream_name");
}

TEST_CASE("only PositionFilled names a candidate outside candidate streams", "[privacy][catalog]") {
    // The access export's reference scan relies on it; a new such type must be added there.
    auto const catalog = events::catalog_json();
    for (auto const& type : catalog.at("types").as_array()) {
        if (type.at("category") == "candidate") continue;
        for (auto const& field : type.at("fields").as_array()) {
            if (field.at("name") == "candidate_id") CHECK(type.at("type") == "PositionFilled");
        }
    }
    CHECK(events::has_personal_fields("CandidateRegistered"));
    CHECK_FALSE(events::has_personal_fields("SubjectErased"));
}

TEST_CASE("projections are the same before and after an erasure", "[privacy][projections]") {
    http_fixture f;
    REQUIRE(f.append("campaign-trip", append_body("\"no_stream\"", ledger::testing::campaign_planned())).status == 201);
    register_candidate(f);
    REQUIRE(f.append("candidate-c-1", append_body("\"any\"",
        R"({"type":"ApplicationReceived","occurred_at":"2024-02-02","data":{"application_id":"a-1","campaign_id":"trip"}},)"
        R"({"type":"ContractSigned","occurred_at":"2024-04-01","data":{"application_id":"a-1","employer":"region-kalmar","role":"GP","starts_on":"2024-09-01"}})"))
                .status == 201);
    app::projection_runner runner(f.store);
    auto rows = [&] {
        REQUIRE(runner.wait_until_caught_up(std::chrono::seconds(10)));
        std::vector<std::string> all;
        for (auto const& summary : runner.list()) {
            auto const table = runner.query({.name = summary.name});
            REQUIRE(table.has_value());
            all.push_back(summary.name + boost::json::serialize(table->rows));
        }
        return all;
    };
    auto const before = rows();
    // origin counts the contract by country_of_training, which sits next to the personal fields.
    CHECK(std::any_of(before.begin(), before.end(),
                      [](auto const& r) { return r.find(R"("DE")") != std::string::npos; }));
    REQUIRE(erase(f, "c-1").status == 201);
    CHECK(rows() == before);
}

TEST_CASE("export carries ciphertext: an import elsewhere keeps it byte for byte, unreadable",
          "[privacy][exchange]") {
    http_fixture f;
    register_candidate(f);
    auto const exported = export_text(f.store);

    temp_dir other;
    store::event_store copy({.directory = other.path(),
                             .policy = std::make_shared<app::domain_policy>(),
                             .seal = ledger::testing::test_sealer()});
    std::istringstream in(exported);
    auto const report = app::import_events(copy, in);
    REQUIRE(report.has_value());
    CHECK(report->appended == 1);
    CHECK(export_text(copy) == exported);
    CHECK(copy.head().hash == f.store.head().hash);
    CHECK_FALSE(copy.subject_key("c-1"));  // keys never travel in an export
    auto const read = copy.read_stream("candidate-c-1", std::nullopt, 1, store::read_direction::forward);
    REQUIRE(read.has_value());
    auto const revealed = app::reveal_personal_data(copy, read->front(), app::personal_fields::revealed);
    CHECK(events::data_to_json(revealed.type, 1, revealed.data).at("name") == "[erased]");
}

TEST_CASE("a backup taken before erasure still decrypts with the KEK, a compacted one taken after holds no key",
          "[privacy][backup]") {
    http_fixture f;
    register_candidate(f);
    auto const key = *f.store.subject_key("c-1");
    temp_dir backups;
    std::filesystem::create_directories(backups / "before");
    std::filesystem::create_directories(backups / "after");
    f.store.environment().copy_compacted(backups / "before");
    REQUIRE(erase(f, "c-1").status == 201);
    f.store.environment().copy_compacted(backups / "after");

    std::string wrapped;  // the stored form: without a seal the store answers it as it is
    {
        store::event_store raw({.directory = backups / "before"});
        wrapped = *raw.subject_key("c-1");
    }
    CHECK(wrapped.size() == app::wrapped_key_size);
    // Only the wrapped form is ever stored: the data key itself is in neither file.
    CHECK(file_bytes(backups / "before" / "data.mdb").find(key) == std::string::npos);
    CHECK(file_bytes(backups / "before" / "data.mdb").find(wrapped) != std::string::npos);
    CHECK(file_bytes(backups / "after" / "data.mdb").find(wrapped) == std::string::npos);
    CHECK_FALSE(holds_personal_plaintext(file_bytes(backups / "after" / "data.mdb")));

    // Restoring it with the KEK brings the personal data back (docs/privacy.md: erase, then rotate).
    store::event_store before({.directory = backups / "before", .seal = ledger::testing::test_sealer()});
    CHECK(before.subject_key("c-1") == key);
    store::event_store after({.directory = backups / "after"});
    CHECK_FALSE(after.subject_key("c-1"));
    CHECK(after.verify().ok);
}

TEST_CASE("a refused registration creates no key and leaves an existing one alone", "[privacy]") {
    http_fixture f;
    CHECK(error_code_of(f.append("candidate-c-1", append_body("3", registration()))) ==
          "wrong_expected_version");
    CHECK_FALSE(f.store.subject_key("c-1"));
    register_candidate(f);
    auto const key = f.store.subject_key("c-1");
    CHECK(f.append("candidate-c-1", append_body("\"any\"", registration())).status == 422);
    CHECK(f.store.subject_key("c-1") == key);  // the second registration was refused whole
}

TEST_CASE("a ledger written without sealing is migrated by export and import", "[privacy][exchange]") {
    temp_dir legacy_dir;
    store::event_store legacy({.directory = legacy_dir.path(),
                               .policy = std::make_shared<app::domain_policy>()});
    auto data = events::encode_data("CandidateRegistered",
                                    boost::json::object{{"name", name}, {"email", email}}, 0);
    REQUIRE(data.has_value());
    REQUIRE(legacy.append({.stream = "candidate-c-1", .expected = store::expected_version::no_stream(),
                           .actor = "local",
                           .events = {{.type = "CandidateRegistered", .data = data->bytes}}})
                .has_value());
    auto const exported = export_text(legacy);
    REQUIRE(holds_personal_plaintext(exported));  // what an old build wrote

    http_fixture f;
    std::istringstream in(exported);
    REQUIRE(app::import_events(f.store, in).has_value());
    CHECK_FALSE(holds_personal_plaintext(file_bytes(f.directory.path() / "data.mdb")));
    CHECK(first_data(f, "candidate-c-1").at("email") == email.c_str());
    CHECK(f.store.verify().ok);
}
