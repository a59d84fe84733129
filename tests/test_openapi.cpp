// The OpenAPI document against the router and the catalogue it is generated from, and
// GET /v1/info.

#include "support/catalog_samples.hpp"
#include "support/http_fixture.hpp"

#include "events/catalog.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/build_info.hpp"
#include "ledger/http/openapi.hpp"
#include "ledger/http/route_table.hpp"
#include "ledger/store/format_version.hpp"
#include "ledger/store/merkle_note.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>

using namespace ledger::testing;
namespace json = boost::json;

namespace {

using operation_key = std::pair<std::string, std::string>;  // lower-case method, path

std::set<operation_key> documented(json::value const& document) {
    std::set<operation_key> out;
    for (auto const& [path, item] : document.at("paths").as_object()) {
        for (auto const& [method, operation] : item.as_object()) out.emplace(method, path);
    }
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

/// A concrete request path for a template: every "{…}" segment becomes "x-1".
std::string concrete(std::string_view path_template) {
    std::string out;
    for (std::size_t i = 0; i < path_template.size(); ++i) {
        if (path_template[i] != '{') {
            out += path_template[i];
            continue;
        }
        out += "campaign-x1";
        i = path_template.find('}', i);
    }
    return out;
}

json::object data_schema(json::value const& document, std::string_view type) {
    return document.at("components").at("schemas").at(std::string(type) + "Data").as_object();
}

}  // namespace

TEST_CASE("the OpenAPI document has every routed operation and only those", "[openapi]") {
    auto const document = ledger::http::openapi_document();
    std::set<operation_key> routed;
    for (auto const& route : ledger::http::routed_operations()) {
        routed.emplace(lower(route.method), ledger::http::documented_path(route.path));
    }
    CHECK(documented(document) == routed);
    for (auto const& note : ledger::http::described_operations()) {
        INFO(note.method << ' ' << note.path);
        CHECK(routed.contains({lower(note.method), ledger::http::documented_path(note.path)}));
    }
}

TEST_CASE("every documented operation is answered by a route, not 404 or 405", "[openapi]") {
    http_fixture f;
    for (auto const& operation : documented(ledger::http::openapi_document())) {
        auto const target = concrete(operation.second);
        INFO(operation.first << ' ' << target);
        auto const response = operation.first == "get" ? f.get(target) : f.post(target, "{}");
        CHECK(ledger::http::documented_path(response.route) == operation.second);
        CHECK(response.status != 405);
        // A 404 must come from the handler (no such stream, file…), not from the router.
        if (response.status == 404) CHECK(json_of(response).at("error").at("message") != "no such path");
    }
}

TEST_CASE("the document says OpenAPI 3.1, the build's version and a bearer scheme", "[openapi]") {
    auto const document = ledger::http::openapi_document();
    CHECK(document.at("openapi") == "3.1.0");
    CHECK(document.at("info").at("version").as_string() == ledger::build_version());
    auto const& append = document.at("paths").at("/v1/streams/{stream}/events").at("post");
    CHECK(append.at("x-required-role") == "writer");
    CHECK(append.at("responses").as_object().contains("201"));
    CHECK(document.at("paths").at("/healthz").at("get").at("security").as_array().empty());
}

TEST_CASE("each event's data schema has the fields, required ones and enums that validation uses", "[openapi]") {
    auto const document = ledger::http::openapi_document();
    for (auto const& sample : catalog_samples()) {
        INFO(sample.type);
        auto const schema = data_schema(document, sample.type);
        CHECK(schema.at("additionalProperties") == false);
        auto const data = json::parse(sample.data).as_object();
        REQUIRE(ledger::events::encode_data(sample.type, data, 0).has_value());
        // Every field of a full sample is a property; an enum value is among the schema's.
        for (auto const& [name, value] : data) {
            auto const& property = schema.at("properties").at(name).as_object();
            if (auto const* values = property.if_contains("enum")) {
                bool listed = false;
                for (auto const& v : values->as_array()) listed = listed || v == value;
                CHECK(listed);
            }
        }
        // A field the schema calls required is one that validation insists on.
        if (auto const* required = schema.if_contains("required")) {
            for (auto const& name : required->as_array()) {
                auto without = data;
                without.erase(name.as_string());
                CHECK_FALSE(ledger::events::encode_data(sample.type, without, 0).has_value());
            }
        }
        // And a field it does not list is refused, as additionalProperties false says.
        auto extra = data;
        extra["not_a_field"] = 1;
        CHECK_FALSE(ledger::events::encode_data(sample.type, extra, 0).has_value());
    }
}

TEST_CASE("an enum field's schema lists exactly the catalogue's values", "[openapi]") {
    auto const schema = data_schema(ledger::http::openapi_document(), "InterviewHeld");
    CHECK(schema.at("properties").at("outcome").at("enum") == json::parse(R"(["pass","fail","no_show"])"));
    CHECK(schema.at("required") == json::parse(R"(["application_id","outcome"])"));
}

TEST_CASE("GET /v1/openapi.json serves the generated document", "[openapi][http]") {
    http_fixture f;
    auto const response = f.get("/v1/openapi.json");
    REQUIRE(response.status == 200);
    CHECK(json_of(response) == ledger::http::openapi_document());
}

TEST_CASE("GET /v1/info names the version, commit, store format and a ledger id once there is a log", "[openapi][http]") {
    http_fixture f;
    auto const empty = json_of(f.get("/v1/info"));
    CHECK(empty.at("version").as_string() == ledger::build_version());
    CHECK(empty.at("commit").as_string() == ledger::build_commit());
    CHECK(empty.at("format_version") == ledger::store::stored_format_version());
    CHECK(empty.at("ledger_id").is_null());
    REQUIRE(f.append("campaign-c1", append_body("\"no_stream\"", campaign_planned())).status == 201);
    auto const id = json_of(f.get("/v1/info")).at("ledger_id");
    REQUIRE(id.is_string());
    CHECK(id.as_string().size() == 32);
    REQUIRE(f.append("campaign-c1", append_body("0", shortage_check())).status == 201);
    CHECK(json_of(f.get("/v1/info")).at("ledger_id") == id);  // fixed by the first event
}

namespace {

/// The operation's example request target: path parameters and query parameters from their
/// `example`s.
std::string example_target(std::string const& path, json::object const& operation) {
    std::string target = path;
    std::string query;
    for (auto const& value : operation.at("parameters").as_array()) {
        auto const& parameter = value.as_object();
        auto const* example = parameter.if_contains("example");
        if (example == nullptr) continue;
        auto const text = example->is_string() ? std::string(example->as_string()) : json::serialize(*example);
        auto const name = std::string(parameter.at("name").as_string());
        if (parameter.at("in") == "path") {
            target.replace(target.find("{" + name + "}"), name.size() + 2, text);
        } else {
            query += (query.empty() ? "?" : "&") + name + "=" + text;
        }
    }
    return target + query;
}

}  // namespace

TEST_CASE("the document's example requests succeed against a new ledger, in order", "[openapi][http]") {
    http_fixture f;
    ledger::app::projection_runner projections(f.store);
    f.api.projections = &projections;
    auto const audit_key = ledger::store::merkle::generate_signing_key("test");  // signs /v1/audit/checkpoint
    f.api.audit_key = &audit_key;
    auto const document = ledger::http::openapi_document();
    auto const& paths = document.at("paths").as_object();
    auto run = [&](std::string const& path, std::string const& method) {
        auto const& operation = paths.at(path).at(method).as_object();
        auto const target = example_target(path, operation);
        INFO(method << ' ' << target);
        ledger::http::response response;
        if (method == "post") {
            auto const& body = operation.at("requestBody").at("content").at("application/json").at("example");
            response = f.post(target, json::serialize(body));
        } else {
            response = f.get(target);
        }
        auto const& expected = operation.at("responses").as_object();
        CHECK(expected.contains(std::to_string(response.status)));
        CHECK(response.status < 300);
    };
    run("/v1/streams/{stream}/events", "post");  // the data the others read
    // /readyz is 200 only once every read model has folded that append: wait for it (bounded).
    REQUIRE(projections.wait_until_caught_up(std::chrono::seconds(10)));
    for (auto const& [path, item] : paths) {
        if (item.as_object().contains("get")) run(std::string(path), "get");
    }
    run("/v1/candidates/{id}/erase", "post");
}
