// The envelope's JSON text written without a DOM (reads) against the DOM form (SSE, CLI).

#include "events/catalog.hpp"
#include "ledger/app/envelope_json.hpp"
#include "ledger/json_text.hpp"
#include "ledger/sha256.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace ledger;

namespace {

recorded_event session_held(std::string metadata) {
    recorded_event e;
    e.position = 1'234'567;
    e.stream = "campaign-jkpg-fair-2025";
    e.version = 42;
    e.id = *parse_uuid("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a");
    e.type = "SessionHeld";
    auto const data = boost::json::parse(
        R"({"kind": "job_fair", "held_on": "2025-03-02", "university": "Göteborgs universitet \"GU\"",
            "city": "Göteborg", "country": "SE", "visitors": 120})");
    auto encoded = events::encode_data(e.type, data, 0).value();
    e.schema_version = encoded.schema_version;
    e.data = std::move(encoded.bytes);
    e.occurred_at = *parse_timestamp("2025-03-02");
    e.recorded_at = *parse_timestamp("2025-03-02T10:00:01.123456Z");
    e.actor = "coordinator-jkpg";
    e.correlation_id = "trip \"2025\"\n";
    e.metadata = std::move(metadata);
    e.hash = sha256("previous");
    return e;
}

}  // namespace

TEST_CASE("an envelope's JSON text is byte for byte its serialised DOM", "[app][json]") {
    // Imported metadata keeps its sender's spacing in the store; no metadata reads as {}.
    for (auto const* metadata : {"", R"({"source":"crm"})", R"({ "source" : "crm", "n" : [1, 2.5] })"}) {
        auto const event = session_held(metadata);
        std::string text = "[";
        app::append_envelope_json(text, event);
        text += ",";
        app::append_envelope_json(text, event);
        text += "]";
        auto const dom = ledger::to_json_text(app::envelope_to_json(event));
        CHECK(text == "[" + dom + "," + dom + "]");
        CHECK(text.find("2.5E0") == std::string::npos);  // plain decimals (SPEC §6)
        CHECK(boost::json::parse(text).as_array().size() == 2);
    }
}
