// An entity's id as the key of its record in the ordered form (projections/detail/id_key.hpp;
// issue 18's served-ledger bytes): reversible byte for byte, counted-up ids in the order they
// were counted, and what encode never writes refused.

#include "ledger/envelope_codec.hpp"
#include "projections/detail/id_key.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace ledger;
using namespace std::string_literals;
using projections::detail::decode_id_key;
using projections::detail::digit_run_bytes;
using projections::detail::encode_id_key;

namespace {

std::string key_of(std::string_view id) {
    std::string key;
    encode_id_key(id, key);
    return key;
}

}  // namespace

TEST_CASE("an id key writes each run of digits as its count and its value in big-endian bytes",
          "[projections][entity_table][id_key]") {
    CHECK(key_of("c-000003") == "c-\x06\x00\x00\x03"s);
    CHECK(key_of("c-1180322") == "c-\x07\x12\x02\xA2"s);
    CHECK(key_of("dalarna-2019-002515") == "dalarna-\x04\x07\xE3-\x06\x00\x09\xD3"s);
    CHECK(key_of("7") == "\x01\x07"s);
    CHECK(key_of("tab\there") == "tab\x00\x09here"s);  // a control byte escaped
    CHECK(key_of("") == "");
    // 25 digits: a run of 19, then one of 6.
    CHECK(key_of("1234567890123456789012345") == key_of("1234567890123456789") + key_of("012345"));
    CHECK(key_of("1234567890123456789").front() == '\x13');
    CHECK(digit_run_bytes(1) == 1);
    CHECK(digit_run_bytes(2) == 1);
    CHECK(digit_run_bytes(3) == 2);
    CHECK(digit_run_bytes(7) == 3);
    CHECK(digit_run_bytes(8) == 4);
    CHECK(digit_run_bytes(19) == 8);
}

TEST_CASE("an id key decodes to its id for every kind of id", "[projections][entity_table][id_key]") {
    std::vector<std::string> ids{"", "c-000003", "c-1180322", "0", "00", "000000000000000000000000000000", "9999999999999999999",
                                 "99999999999999999999", "18446744073709551615", "a1b22c333", "x-\x01\x1f-\x7f-\xff", "--0--",
                                 "jkpg-2024-gp-1098840"};
    std::mt19937_64 rng(18);
    std::string const alphabet = "0123456789-ab\x00\x1f\x20\xff"s;
    for (int i = 0; i < 5000; ++i) {
        std::string id;
        auto const size = rng() % 40;
        for (std::size_t j = 0; j < size; ++j) id.push_back(alphabet[rng() % alphabet.size()]);
        ids.push_back(id);
    }
    for (auto const& id : ids) {
        INFO(id);
        CHECK(decode_id_key(key_of(id)) == id);
    }
}

TEST_CASE("ids counted up have keys in the order they were counted", "[projections][entity_table][id_key]") {
    // Text order puts "c-1000000" between "c-100000" and "c-100001"; key order puts it last.
    std::string previous;
    for (std::uint64_t n : {1ull, 9ull, 10ull, 99ull, 100ull, 999'999ull, 1'000'000ull, 1'000'001ull, 9'999'999ull,
                            10'000'000ull, 123'456'789'012ull}) {
        auto const key = key_of("c-" + std::to_string(n));
        CHECK(previous < key);
        previous = key;
    }
    // Zero-padded counters too, and a count past its padding.
    CHECK(key_of("c-000999") < key_of("c-001000"));
    CHECK(key_of("c-999999") < key_of("c-1000000"));
    CHECK(key_of("c-100000") < key_of("c-100001"));
}

TEST_CASE("an id key refuses bytes its encoding never writes", "[projections][entity_table][id_key]") {
    for (auto const& key : {"\x14\x01"s,                  // a run of 20 digits
                            "\x06\x00\x00"s,              // ends inside a number
                            "\x01\x0a"s,                  // 10 is no single digit
                            "\x03\x03\xE8"s,              // 1000 has four digits
                            "\x00"s,                      // escapes nothing
                            "\x00\x41"s}) {               // escapes a byte that needs none
        INFO(key.size());
        CHECK_THROWS_AS(decode_id_key(key), codec_error);
    }
}
