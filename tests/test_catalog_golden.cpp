// Golden bytes per (type, schema version): if a change to a struct, its description or the
// field codec alters the stored form, these tests fail, because existing ledgers would no
// longer decode. Do not edit a fixture to make them pass: add a schema version and an upgrade
// path in decode_event instead. A new type or version gets its fixture by running the tests
// once with LEDGER_WRITE_GOLDEN=1 (existing fixtures are never overwritten).

#include "events/codec.hpp"
#include "events/recruitment_event.hpp"
#include "ledger/envelope_codec.hpp"
#include "support/catalog_samples.hpp"

#include <catch2/catch.hpp>

#include <boost/algorithm/hex.hpp>
#include <boost/json/parse.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace ledger;
namespace fs = std::filesystem;

namespace {

fs::path golden_dir() {
    char const* data = std::getenv("LEDGER_TEST_DATA");
    REQUIRE(data != nullptr);
    return fs::path(data) / "golden";
}

events::recruitment_event sample_event(std::string_view type) {
    for (auto const& s : ledger::testing::catalog_samples()) {
        if (s.type == type) {
            return events::event_from_json(type, boost::json::parse(s.data), 0).value();
        }
    }
    FAIL("no sample for " << type);
    return {};
}

std::string read_text(fs::path const& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto content = text.str();
    while (!content.empty() && (content.back() == '\n' || content.back() == ' ')) {
        content.pop_back();
    }
    return content;
}

}  // namespace

TEST_CASE("every type encodes its sample to the golden bytes of its schema version",
          "[catalog][golden]") {
    bool const write_missing = std::getenv("LEDGER_WRITE_GOLDEN") != nullptr;
    for (auto const& s : ledger::testing::catalog_samples()) {
        auto const event = sample_event(s.type);
        auto const hex = boost::algorithm::hex_lower(events::encode_event(event));
        auto const version = std::visit([](auto const& e) { return e.schema_version; }, event);
        auto const path =
            golden_dir() / (std::string(s.type) + ".v" + std::to_string(version) + ".hex");
        INFO(path.string());
        if (!fs::exists(path) && write_missing) {
            std::ofstream(path) << hex << '\n';
            WARN("wrote the new fixture " << path.string());
        }
        REQUIRE(fs::exists(path));
        CHECK(read_text(path) == hex);
    }
}

TEST_CASE("every golden fixture decodes to its type's sample", "[catalog][golden]") {
    std::size_t fixtures = 0;
    for (auto const& entry : fs::directory_iterator(golden_dir())) {
        // Names are <Type>.v<schema version>.hex.
        auto const name = entry.path().stem().string();  // "InterviewHeld.v1"
        auto const dot = name.find(".v");
        REQUIRE(dot != std::string::npos);
        auto const type = name.substr(0, dot);
        auto const version = static_cast<std::uint16_t>(std::stoi(name.substr(dot + 2)));
        INFO(entry.path().string());
        auto const bytes = boost::algorithm::unhex(read_text(entry.path()));
        CHECK(events::decode_event(type, version, bytes) == sample_event(type));
        ++fixtures;
    }
    CHECK(fixtures >= ledger::testing::catalog_samples().size());
}

TEST_CASE("every truncation of every golden fixture is a codec error, never a crash",
          "[catalog][golden]") {
    for (auto const& entry : fs::directory_iterator(golden_dir())) {
        auto const name = entry.path().stem().string();
        auto const type = name.substr(0, name.find(".v"));
        auto const bytes = boost::algorithm::unhex(read_text(entry.path()));
        INFO(name);
        for (std::size_t length = 0; length < bytes.size(); ++length) {
            CHECK_THROWS_AS(events::decode_event(type, 1, bytes.substr(0, length)), codec_error);
        }
    }
}
