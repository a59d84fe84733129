// JSON text with plain-decimal numbers (SPEC §6): ledger/json_text.hpp.

#include "ledger/json_text.hpp"
#include "support/json_tokens.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace json = boost::json;
using ledger::json_number_text;
using ledger::to_json_text;

using ledger::testing::json_number_tokens;

TEST_CASE("doubles are written as the shortest plain decimal", "[json]") {
    CHECK(json_number_text(0.692) == "0.692");
    CHECK(json_number_text(1.0) == "1");
    CHECK(json_number_text(40.5) == "40.5");
    CHECK(json_number_text(0.1) == "0.1");
    CHECK(json_number_text(-2.25) == "-2.25");
    CHECK(json_number_text(1e21) == "1000000000000000000000");
    CHECK(json_number_text(1.5e-7) == "0.00000015");
    CHECK(json_number_text(-0.0) == "0");
    CHECK(json_number_text(std::nan("")) == "null");
    CHECK(json_number_text(std::numeric_limits<double>::infinity()) == "null");
    // What Boost.JSON writes for the same numbers, which SPEC §6 rules out.
    CHECK(json::serialize(json::value(0.692)) == "6.92E-1");
    CHECK(to_json_text(json::value(0.692)) == "0.692");
}

TEST_CASE("random doubles round-trip through the text, never in exponent form", "[json][property]") {
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> ratio(0.0, 1.0);
    std::uniform_int_distribution<int> exponent(-320, 308);
    auto const extremes = std::vector<double>{std::numeric_limits<double>::max(),
                                              std::numeric_limits<double>::lowest(),
                                              std::numeric_limits<double>::min(),
                                              std::numeric_limits<double>::denorm_min(),
                                              std::nextafter(1.0, 2.0), 0.1 + 0.2, 1e-5, 123456789.125};
    std::vector<double> samples = extremes;
    for (int i = 0; i < 20000; ++i) {
        switch (i % 3) {
        case 0: samples.push_back(std::round(ratio(rng) * 1000.0) / 1000.0); break;  // a ratio
        case 1: samples.push_back(ratio(rng) * std::pow(10.0, exponent(rng))); break;
        default: {  // any finite bit pattern
            auto const d = std::bit_cast<double>(rng());
            samples.push_back(std::isfinite(d) ? d : 0.5);
        }
        }
    }
    for (double const d : samples) {
        auto const text = to_json_text(json::array{d, json::object{{"x", d}}});
        INFO(text);
        auto const tokens = json_number_tokens(text);
        REQUIRE(tokens.size() == 2);
        for (auto const& token : tokens) {
            REQUIRE(token.find_first_of("eE") == std::string::npos);
            // Exact reading (Boost.JSON 1.81's default parser is not exact on long mantissas).
            double back = 0;
            auto const [end, failure] = std::from_chars(token.data(), token.data() + token.size(), back);
            REQUIRE(failure == std::errc{});
            REQUIRE(end == token.data() + token.size());
            REQUIRE(back == d);
        }
        auto const document = json::parse(text).as_array();  // still JSON
        REQUIRE(document.size() == 2);
    }
}

TEST_CASE("without doubles the text is exactly what Boost.JSON writes", "[json]") {
    auto const document = json::parse(R"({"name":"Östersund \"Ö\" \\ tab\t nl\n bell)" "\\u0007"
                                      R"(","n":[1,-2,18446744073709551615,-9223372036854775808],)"
                                      R"("ok":true,"none":null,"nested":{"a":[],"b":{}}})");
    CHECK(to_json_text(document) == json::serialize(document));
    json::object keys;
    keys["quote\"key\x01"] = "v";
    CHECK(to_json_text(keys) == json::serialize(keys));
}

TEST_CASE("doubles deep in a document are plain and everything else unchanged", "[json]") {
    json::value const document = json::object{
        {"rows", json::array{json::object{{"conversion", json::object{{"offers", 0.692}, {"started", 1.0}}},
                                          {"median_days", 40.5},
                                          {"count", 3}}}}};
    CHECK(to_json_text(document) ==
          R"({"rows":[{"conversion":{"offers":0.692,"started":1},"median_days":40.5,"count":3}]})");
}
