// Import you can re-run (SPEC §8, README "Import decisions"): an import stops at its first bad
// line with nothing after it written, even with batches already in flight, and re-running it
// after any failure completes and re-creates the ledger byte for byte, whatever the earlier
// run's batches were.

#include "support/http_fixture.hpp"

#include "ledger/app/exchange.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

using namespace ledger;
using namespace ledger::testing;

namespace {

constexpr int lines_in_export = 40;

/// An export of 40 events that alternate between two campaign streams, so that every line is
/// its own import batch (many in flight at once).
std::string alternating_export() {
    http_fixture source;
    REQUIRE(source.append("campaign-a", append_body("\"no_stream\"", campaign_planned())).status == 201);
    REQUIRE(source.append("campaign-b", append_body("\"no_stream\"", campaign_planned())).status == 201);
    for (int i = 2; i < lines_in_export; ++i) {
        auto const stream = i % 2 == 0 ? "campaign-a" : "campaign-b";
        REQUIRE(source.append(stream, append_body("\"any\"", shortage_check())).status == 201);
    }
    std::ostringstream out;
    app::export_events(source.store, 0, out);
    return out.str();
}

std::vector<std::string> split_lines(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string join_lines(std::vector<std::string> const& lines) {
    std::string text;
    for (auto const& line : lines) text += line + "\n";
    return text;
}

result<app::import_report> import_text(store::event_store& store, std::string const& text) {
    std::istringstream in(text);
    return app::import_events(store, in);
}

std::string export_text(store::event_store const& store) {
    std::ostringstream out;
    app::export_events(store, 0, out);
    return out.str();
}

}  // namespace

TEST_CASE("an import stops at a bad line, and re-running the corrected file completes byte for byte",
          "[import][reliability]") {
    auto const original = alternating_export();
    auto lines = split_lines(original);
    REQUIRE(lines.size() == lines_in_export);
    auto broken = lines;
    broken[25] = "{this is not json";

    http_fixture target;
    auto const failed = import_text(target.store, join_lines(broken));
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == error_code::invalid_json);
    CHECK(target.store.head().events == 25);  // every line before it, nothing from it on

    auto const rerun = import_text(target.store, original);
    REQUIRE(rerun.has_value());
    CHECK(rerun->already_recorded == 25);
    CHECK(rerun->appended == lines_in_export - 25);
    CHECK(export_text(target.store) == original);
    CHECK(target.store.verify(true).ok);
}

TEST_CASE("a batch the store refuses stops the import with nothing after it written, even in flight",
          "[import][reliability]") {
    auto const original = alternating_export();
    auto lines = split_lines(original);
    // Line 22 (campaign-b) reuses line 3's id (campaign-a): a different event, refused (409).
    auto broken = lines;
    auto const id_at = [](std::string const& line) { return line.substr(line.find("\"id\":\"") + 6, 36); };
    auto const stolen = id_at(lines[2]);
    broken[21].replace(broken[21].find(id_at(broken[21])), 36, stolen);

    http_fixture target;
    auto const failed = import_text(target.store, join_lines(broken));
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == error_code::duplicate_event_id);
    CHECK(target.store.head().events == 21);  // lines 1-21; none of the 18 in flight after it

    auto const rerun = import_text(target.store, original);
    REQUIRE(rerun.has_value());
    CHECK(export_text(target.store) == original);
}

TEST_CASE("re-running a complete import writes nothing", "[import][reliability]") {
    auto const original = alternating_export();
    http_fixture target;
    REQUIRE(import_text(target.store, original).has_value());
    auto const again = import_text(target.store, original);
    REQUIRE(again.has_value());
    CHECK(again->appended == 0);
    CHECK(again->already_recorded == lines_in_export);
    CHECK(target.store.head().events == lines_in_export);
}
