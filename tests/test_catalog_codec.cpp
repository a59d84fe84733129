#include "events/catalog.hpp"
#include "events/codec.hpp"
#include "events/recruitment_event.hpp"
#include "ledger/envelope_codec.hpp"
#include "support/catalog_samples.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>
#include <string>

using namespace ledger;
using ledger::events::catalog_json;
using ledger::testing::catalog_samples;

namespace {

boost::json::object sample_data(std::string_view type) {
    for (auto const& s : catalog_samples()) {
        if (s.type == type) return boost::json::parse(s.data).as_object();
    }
    FAIL("no sample for " << type);
    return {};
}

// The invalid_event error for `data` as `type`, or a failure when it is accepted.
error refusal_of(std::string_view type, boost::json::value const& data, std::size_t index = 0) {
    auto const encoded = events::encode_data(type, data, index);
    REQUIRE(encoded.has_error());
    return encoded.error();
}

std::string detail(error const& e, char const* key) {
    auto const* value = e.details.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

TEST_CASE("there is one sample per catalogue type and the type names are unique", "[catalog]") {
    std::set<std::string_view> names;
    for (auto const& s : catalog_samples()) {
        CHECK(events::is_known_type(s.type));
        names.insert(s.type);
    }
    CHECK(names.size() == catalog_samples().size());
    CHECK(names.size() == std::variant_size_v<events::recruitment_event>);
    CHECK(catalog_json().at("types").as_array().size() == names.size());
}

TEST_CASE("every type round-trips JSON to struct to bytes to struct to JSON unchanged",
          "[catalog]") {
    for (auto const& s : catalog_samples()) {
        INFO(s.type);
        auto const json = boost::json::parse(s.data);
        auto const event = events::event_from_json(s.type, json, 0);
        REQUIRE(event.has_value());
        CHECK(events::type_name_of(*event) == s.type);
        auto const encoded = events::encode_data(s.type, json, 0);
        REQUIRE(encoded.has_value());
        CHECK(encoded->bytes == events::encode_event(*event));
        auto const decoded = events::decode_event(s.type, encoded->schema_version, encoded->bytes);
        CHECK(decoded == *event);
        CHECK(boost::json::value(events::data_to_json(s.type, 1, encoded->bytes)) == json);
    }
}

TEST_CASE("every required field of every type is enforced", "[catalog][validation]") {
    auto const catalog = catalog_json();  // the loop below must not iterate a temporary
    for (auto const& type : catalog.at("types").as_array()) {
        auto const name = std::string(type.at("type").as_string());
        for (auto const& field : type.at("fields").as_array()) {
            if (!field.at("required").as_bool()) continue;
            auto const field_name = std::string(field.at("name").as_string());
            INFO(name << "." << field_name);
            auto data = sample_data(name);
            data.erase(field_name);
            auto const e = refusal_of(name, data, 4);
            CHECK(e.code == error_code::invalid_event);
            CHECK(detail(e, "field") == "data." + field_name);
            CHECK(detail(e, "reason") == "is required");
            CHECK(e.details.at("index") == 4);
        }
    }
}

TEST_CASE("optional fields may be absent or null", "[catalog][validation]") {
    auto const catalog = catalog_json();  // the loop below must not iterate a temporary
    for (auto const& type : catalog.at("types").as_array()) {
        auto const name = std::string(type.at("type").as_string());
        auto data = sample_data(name);
        auto nulls = data;
        for (auto const& field : type.at("fields").as_array()) {
            if (field.at("required").as_bool()) continue;
            data.erase(field.at("name").as_string());
            nulls[field.at("name").as_string()] = nullptr;
        }
        INFO(name);
        CHECK(events::encode_data(name, data, 0).has_value());
        CHECK(events::encode_data(name, nulls, 0).has_value());
    }
}

struct bad_value {
    std::string_view type;
    std::string_view field;        // top-level field to replace
    std::string_view value;        // JSON text
    std::string_view error_field;  // expected details.field
};

TEST_CASE("bad values are refused with the offending field's path", "[catalog][validation]") {
    auto const cases = std::vector<bad_value>{
        {"InterviewHeld", "outcome", R"("maybe")", "data.outcome"},
        {"InterviewHeld", "outcome", R"(1)", "data.outcome"},
        {"PositionOpened", "role", R"("at")", "data.role"},
        {"CampaignClosed", "closed_on", R"("2023-02-29")", "data.closed_on"},
        {"CampaignClosed", "closed_on", R"("2024-03-12T10:00:00Z")", "data.closed_on"},
        {"CampaignClosed", "closed_on", R"("12/03/2024")", "data.closed_on"},
        {"InterviewBooked", "scheduled_for", R"("2024-04-09 09:30")", "data.scheduled_for"},
        {"ShortageCheckRecorded", "country", R"("XX")", "data.country"},
        {"ShortageCheckRecorded", "country", R"("se")", "data.country"},
        {"ShortageCheckRecorded", "country", R"("SWE")", "data.country"},
        {"ShortageCheckRecorded", "shortage", R"("no")", "data.shortage"},
        {"ShortageCheckRecorded", "shortage", R"(0)", "data.shortage"},
        {"CostRecorded", "currency", R"("ABC")", "data.currency"},
        {"CostRecorded", "currency", R"("sek")", "data.currency"},
        {"CostRecorded", "amount_minor", R"(12.5)", "data.amount_minor"},
        {"CostRecorded", "amount_minor", R"(100.0)", "data.amount_minor"},
        {"CostRecorded", "amount_minor", R"(-100)", "data.amount_minor"},
        {"CostRecorded", "amount_minor", R"("100")", "data.amount_minor"},
        {"TargetSet", "hires", R"(5000000000)", "data.hires"},
        {"TargetSet", "year", R"(true)", "data.year"},
        {"EventRetracted", "position", R"(-1)", "data.position"},
        {"CampaignPlanned", "partners", R"(["skl", "arbetsformedlingen", 7])", "data.partners[2]"},
        {"CampaignPlanned", "partners", R"("skl")", "data.partners"},
        {"CampaignPlanned", "target_countries", R"(["SE", "ZZ"])", "data.target_countries[1]"},
        {"CandidateRegistered", "name", R"("")", "data.name"},
        {"CandidateRegistered", "name", R"(null)", "data.name"},
        {"CandidateRegistered", "career_stage", R"("GP")", "data.career_stage"},
        {"LanguageTrainingCompleted", "level", R"("C3")", "data.level"},
        {"ConsentGranted", "purpose", R"("marketing")", "data.purpose"},
        {"PositionOpened", "openings", R"(0)", "data.openings"},
        {"TripHeld", "to", R"("2024-04-01")", "data.to"},
    };
    for (auto const& c : cases) {
        INFO(c.type << "." << c.field << " = " << c.value);
        auto data = sample_data(c.type);
        data[c.field] = boost::json::parse(c.value);
        auto const e = refusal_of(c.type, data, 2);
        CHECK(e.code == error_code::invalid_event);
        CHECK(detail(e, "field") == c.error_field);
        CHECK_FALSE(detail(e, "reason").empty());
        CHECK(e.details.at("index") == 2);
    }
}

TEST_CASE("a field the type does not have is refused", "[catalog][validation]") {
    auto data = sample_data("InterviewHeld");
    data["score"] = 5;
    auto const e = refusal_of("InterviewHeld", data);
    CHECK(e.code == error_code::invalid_event);
    CHECK(detail(e, "field") == "data.score");
}

TEST_CASE("money without its currency is refused", "[catalog][validation]") {
    for (std::string_view type : {"AdvertisementPublished", "OfferExtended", "ContractSigned"}) {
        INFO(type);
        auto data = sample_data(type);
        data.erase("currency");
        CHECK(detail(refusal_of(type, data), "field") == "data.currency");
    }
}

TEST_CASE("data must be a JSON object", "[catalog][validation]") {
    for (auto const* text : {"[]", "\"x\"", "null", "3"}) {
        auto const e = refusal_of("InterviewHeld", boost::json::parse(text), 1);
        CHECK(e.code == error_code::invalid_event);
        CHECK(detail(e, "field") == "data");
    }
}

TEST_CASE("an unknown type is unknown_event_type with its index and type", "[catalog]") {
    auto const e = refusal_of("InterviewCancelled", boost::json::object{}, 7);
    CHECK(e.code == error_code::unknown_event_type);
    CHECK(detail(e, "type") == "InterviewCancelled");
    CHECK(e.details.at("index") == 7);
    CHECK_FALSE(events::is_known_type("interviewbooked"));
}

TEST_CASE("the country code EL is stored as GR", "[catalog][validation]") {
    auto data = sample_data("ShortageCheckRecorded");
    data["country"] = "EL";
    auto const encoded = events::encode_data("ShortageCheckRecorded", data, 0);
    REQUIRE(encoded.has_value());
    auto const json = events::data_to_json("ShortageCheckRecorded", 1, encoded->bytes);
    CHECK(json.at("country") == "GR");
}

TEST_CASE("openings defaults to one and is always written back", "[catalog][validation]") {
    auto data = sample_data("PositionOpened");
    data.erase("openings");
    auto const encoded = events::encode_data("PositionOpened", data, 0);
    REQUIRE(encoded.has_value());
    CHECK(events::data_to_json("PositionOpened", 1, encoded->bytes).at("openings") == 1);
}

TEST_CASE("decoding refuses bytes that are not an event of the type", "[catalog][codec]") {
    auto const encoded = events::encode_data("InterviewHeld", sample_data("InterviewHeld"), 0);
    REQUIRE(encoded.has_value());
    auto const& bytes = encoded->bytes;
    CHECK_THROWS_AS(events::decode_event("InterviewHeld", 1, bytes.substr(0, bytes.size() - 1)),
                    codec_error);
    CHECK_THROWS_AS(events::decode_event("InterviewHeld", 1, bytes + "x"), codec_error);
    CHECK_THROWS_AS(events::decode_event("InterviewHeld", 2, bytes), codec_error);
    CHECK_THROWS_AS(events::decode_event("InterviewCancelled", 1, bytes), codec_error);
    auto out_of_range = bytes;
    out_of_range.back() = '\x09';  // the outcome enum is the last byte
    CHECK_THROWS_AS(events::decode_event("InterviewHeld", 1, out_of_range), codec_error);
    CHECK_THROWS_AS(events::decode_event("CandidateRegistered", 1, std::string(9, '\xff')),
                    codec_error);
}

TEST_CASE("the catalogue lists categories, types, personal fields and rules", "[catalog]") {
    auto const catalog = catalog_json().as_object();
    CHECK(catalog.at("categories").as_array().size() == 4);
    for (std::string_view category : {"campaign", "position", "candidate", "target"}) {
        CHECK(events::is_known_category(category));
    }
    CHECK_FALSE(events::is_known_category("note"));
    std::set<std::string> personal;
    for (auto const& type : catalog.at("types").as_array()) {
        for (auto const& field : type.at("fields").as_array()) {
            if (field.at("personal").as_bool()) {
                personal.insert(std::string(type.at("type").as_string()) + "." +
                                std::string(field.at("name").as_string()));
            }
        }
    }
    CHECK(personal == std::set<std::string>{"CandidateRegistered.email",
                                            "CandidateRegistered.name",
                                            "CandidateRegistered.phone"});
    std::set<std::string> rules;
    for (auto const& rule : catalog.at("rules").as_array()) {
        rules.insert(std::string(rule.at("name").as_string()));
    }
    CHECK(rules.count("trip_needs_shortage_check") == 1);
    CHECK(rules.count("invitation_needs_consent") == 1);
}
