#include "ledger/error.hpp"
#include "ledger/sha256.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace ledger;

TEST_CASE("RFC 3339 timestamps and plain dates parse to UTC", "[time]") {
    auto const t = parse_timestamp("2024-03-12T10:00:00Z");
    REQUIRE(t);
    CHECK(format_timestamp(*t) == "2024-03-12T10:00:00.000000Z");
    CHECK(parse_timestamp("2024-03-12T12:00:00+02:00") == t);
    CHECK(parse_timestamp("2024-03-12T05:30:00-04:30") == t);
    CHECK(parse_timestamp("2024-03-12") == parse_timestamp("2024-03-12T00:00:00Z"));
    CHECK(format_timestamp(*parse_timestamp("2024-03-12T10:00:01.5Z")) == "2024-03-12T10:00:01.500000Z");
    CHECK(format_timestamp(*parse_timestamp("2024-03-12T10:00:01.123456Z")) == "2024-03-12T10:00:01.123456Z");
    CHECK(format_date(*parse_date("2024-02-29")) == "2024-02-29");
}

TEST_CASE("malformed and impossible times are refused", "[time]") {
    for (auto const* bad : {"", "2024-3-12", "2024-02-30", "2023-02-29", "2024-03-12T10:00Z",
                            "2024-03-12T24:00:00Z", "2024-03-12T10:00:00", "2024-03-12 10:00:00Z",
                            "2024-03-12T10:00:00.1234567Z", "2024-03-12T10:00:00.Z",
                            "2024-03-12T10:00:00+0200", "2024-03-12Z", "12/03/2024"}) {
        INFO(bad);
        CHECK_FALSE(parse_timestamp(bad));
    }
    CHECK_FALSE(parse_date("2024-03-12T10:00:00Z"));
}

TEST_CASE("generated ids are UUIDv7, unique and ordered by time", "[uuid]") {
    std::set<std::string> ids;
    auto const first = make_uuid_v7();
    for (int i = 0; i < 1000; ++i) ids.insert(to_string(make_uuid_v7()));
    CHECK(ids.size() == 1000);
    CHECK((first.data[6] >> 4) == 7);
    CHECK((first.data[8] >> 6) == 2);
    CHECK(parse_uuid(to_string(first)) == first);
    CHECK(to_string(*parse_uuid("0190F1C2-6B1E-7C4D-9A2B-3F4E5D6C7B8A")) ==
          "0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a");
    CHECK_FALSE(parse_uuid("{0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a}"));
    CHECK_FALSE(parse_uuid("0190f1c26b1e7c4d9a2b3f4e5d6c7b8a"));
    CHECK_FALSE(parse_uuid("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8g"));
}

TEST_CASE("the ids one thread generates strictly increase, even within a millisecond", "[uuid]") {
    auto previous = make_uuid_v7();
    for (int i = 0; i < 20'000; ++i) {  // far more than 4,096 per millisecond
        auto const next = make_uuid_v7();
        REQUIRE(previous < next);
        CHECK((next.data[6] >> 4) == 7);
        previous = next;
    }
}

TEST_CASE("SHA-256 matches the standard test vector", "[hash]") {
    CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(parse_hex_digest(to_hex(sha256("abc"))) == sha256("abc"));
    CHECK_FALSE(parse_hex_digest("zz"));
    CHECK_FALSE(parse_hex_digest(std::string(64, 'g')));
}

TEST_CASE("every error code has its SPEC status", "[errors]") {
    CHECK(http_status(error_code::wrong_expected_version) == 409);
    CHECK(to_string(error_code::wrong_expected_version) == "wrong_expected_version");
    CHECK(http_status(error_code::storage_full) == 507);
    CHECK(http_status(error_code::invalid_event) == 422);
    CHECK(http_status(error_code::payload_too_large) == 413);
    auto const body = to_json(error{error_code::not_found, "nothing here", {}});
    CHECK(body.at("error").at("code") == "not_found");
    CHECK(body.at("error").at("details").is_object());
}
