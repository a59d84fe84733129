// decode_stored_into reads the common (little-endian) canonical bytes by hand instead of through
// cereal (a scan decodes every event of the log). These tests hold it to a plain cereal reading
// of the same field order, kept here as the reference: same event for good bytes, same
// codec_error message for damaged ones.

#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"

#include <catch2/catch.hpp>

#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>

#include <random>
#include <string>
#include <variant>

using namespace ledger;

namespace {

/// The reference: cereal over the canonical field order (envelope_codec.cpp's archive_body).
recorded_event decode_by_cereal(std::string_view stored) {
    recorded_event e;
    auto const canonical = canonical_part(stored);
    std::int64_t occurred = 0;
    std::int64_t recorded = 0;
    detail::memory_input_archive ar(canonical);
    ar(e.position, e.stream, e.version, cereal::binary_data(e.id.data, sizeof e.id.data), e.type,
       e.schema_version, occurred, recorded, e.actor, e.correlation_id, e.causation_id, e.data, e.metadata);
    detail::expect_consumed(ar, "stored envelope");
    e.occurred_at = from_micros(occurred);
    e.recorded_at = from_micros(recorded);
    e.hash = stored_hash(stored);
    return e;
}

/// An event, or the message of the codec_error decoding threw.
using outcome = std::variant<recorded_event, std::string>;

template <class Decode>
outcome attempt(Decode&& decode, std::string_view stored) {
    try {
        return decode(stored);
    } catch (codec_error const& e) {
        return std::string(e.what());
    }
}

std::string random_text(std::mt19937_64& rng, std::size_t max_size) {
    // ASCII, quotes and backslashes, NULs, UTF-8 of two to four bytes, and stray continuation bytes.
    static constexpr std::string_view pieces[] = {"a", "Z", "7", "-", "\"", "\\", std::string_view("\0", 1),
                                                  "\xc3\xa5", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xff"};
    std::string out;
    auto const size = std::uniform_int_distribution<std::size_t>(0, max_size)(rng);
    while (out.size() < size) out += pieces[rng() % std::size(pieces)];
    return out;
}

recorded_event random_event(std::mt19937_64& rng) {
    recorded_event e;
    e.position = rng();
    e.stream = "candidate-" + random_text(rng, 40);
    e.version = rng() % 1000;
    for (auto& b : e.id.data) b = static_cast<std::uint8_t>(rng());
    e.type = random_text(rng, 30);
    e.schema_version = static_cast<std::uint16_t>(rng());
    e.occurred_at = from_micros(static_cast<std::int64_t>(rng() >> 2) - (std::int64_t{1} << 60));
    e.recorded_at = from_micros(static_cast<std::int64_t>(rng() >> 2));
    e.actor = random_text(rng, 20);
    if (rng() % 2 != 0) e.correlation_id = random_text(rng, 20);
    if (rng() % 2 != 0) e.causation_id = random_text(rng, 20);
    e.data = random_text(rng, rng() % 8 == 0 ? 3000 : 200);
    e.metadata = rng() % 3 == 0 ? std::string() : "{\"k\":\"" + random_text(rng, 50) + "\"}";
    for (auto& b : e.hash) b = static_cast<std::uint8_t>(rng());
    return e;
}

}  // namespace

TEST_CASE("the envelope reader decodes random events as the cereal reference does", "[codec][differential]") {
    std::mt19937_64 rng(20261201);
    recorded_event reused;  // a scan reuses one event: no field may keep an earlier event's value
    for (int i = 0; i < 2000; ++i) {
        auto const e = random_event(rng);
        auto const stored = encode_stored(e);
        decode_stored_into(stored, reused);
        REQUIRE(reused == e);
        REQUIRE(decode_by_cereal(stored) == e);
    }
}

TEST_CASE("the envelope reader refuses damaged bytes with the reference's message", "[codec][differential]") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        auto const stored = encode_stored(random_event(rng));
        auto const fast = [](std::string_view s) { return decode_stored(s); };
        // Every truncation, and bytes overwritten at random (lengths, flags, the header byte).
        for (std::size_t size = 0; size < stored.size(); size += 1 + rng() % 7) {
            REQUIRE(attempt(fast, stored.substr(0, size)) == attempt(decode_by_cereal, stored.substr(0, size)));
        }
        for (int j = 0; j < 50; ++j) {
            auto damaged = stored;
            auto const at = rng() % damaged.size();
            damaged[at] = static_cast<char>(j % 3 == 0 ? rng() % 3 : rng());
            if (j % 5 == 0) damaged[0] = static_cast<char>(rng() % 3);  // big-endian, or not cereal at all
            REQUIRE(attempt(fast, damaged) == attempt(decode_by_cereal, damaged));
        }
    }
}
