// docs/catalog.md is rendered from catalog_json(), so the documented catalogue cannot drift
// from the code. After changing the catalogue, regenerate it with
//   LEDGER_WRITE_DOCS=1 ctest --test-dir build -R "catalogue documentation"
// and commit the result.

#include "events/catalog.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace ledger;
namespace fs = std::filesystem;

namespace {

// Markdown-safe text: "<id>" would otherwise vanish as an HTML tag.
std::string text(boost::json::value const& v) {
    std::string out;
    for (char c : v.as_string()) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

// "enum: a, b" / "array of country" / "date" …
std::string field_type(boost::json::object const& field) {
    auto const type = text(field.at("type"));
    if (type == "enum") {
        std::string values;
        for (auto const& v : field.at("values").as_array()) {
            values += (values.empty() ? "`" : ", `") + text(v) + "`";
        }
        return "one of " + values;
    }
    if (type == "array") return "array of " + field_type(field.at("items").as_object());
    return type;
}

std::string field_notes(boost::json::object const& field) {
    std::string notes;
    if (field.at("personal").as_bool()) notes += "personal";
    if (auto const* d = field.if_contains("default")) {
        notes += (notes.empty() ? "" : "; ") + std::string("default ") + boost::json::serialize(*d);
    }
    return notes;
}

std::string render(boost::json::object const& catalog) {
    std::ostringstream md;
    md << "# Event catalogue\n\n"
       << "Generated from `ledger::events::catalog_json()` (the same data as `GET /v1/catalog`) "
          "by tests/test_catalog_docs.cpp; do not edit by hand.\n\n"
       << "## Types and fields\n\n"
       << "| category | type | field | JSON type | required | notes |\n"
       << "|---|---|---|---|---|---|\n";
    for (auto const& type : catalog.at("types").as_array()) {
        for (auto const& f : type.at("fields").as_array()) {
            auto const& field = f.as_object();
            md << "| " << text(type.at("category")) << " | `" << text(type.at("type")) << "` v"
               << type.at("schema_version").to_number<int>() << " | `" << text(field.at("name"))
               << "` | " << field_type(field) << " | "
               << (field.at("required").as_bool() ? "**yes**" : "no") << " | "
               << field_notes(field) << " |\n";
        }
    }
    md << "\n## Domain rules\n\n| rule | error code | what it requires |\n|---|---|---|\n";
    for (auto const& rule : catalog.at("rules").as_array()) {
        md << "| `" << text(rule.at("name")) << "` | `" << text(rule.at("code")) << "` | "
           << text(rule.at("description")) << " |\n";
    }
    return md.str();
}

}  // namespace

TEST_CASE("the catalogue documentation matches the catalogue", "[catalog][docs]") {
    char const* data = std::getenv("LEDGER_TEST_DATA");
    REQUIRE(data != nullptr);
    auto const path = fs::path(data).parent_path().parent_path() / "docs" / "catalog.md";
    auto const expected = render(events::catalog_json().as_object());
    if (std::getenv("LEDGER_WRITE_DOCS") != nullptr) {
        fs::create_directories(path.parent_path());
        std::ofstream(path) << expected;
    }
    std::ifstream in(path);
    std::stringstream actual;
    actual << in.rdbuf();
    INFO("regenerate: LEDGER_WRITE_DOCS=1 ctest --test-dir build -R \"catalogue documentation\"");
    CHECK(actual.str() == expected);
}
