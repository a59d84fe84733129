// The log codec's read side decompresses the common value into a buffer kept between calls,
// without asking the frame's size first, and falls back to the checking path for anything else
// (a frame larger than the buffer, a damaged one). These tests mix sizes on one thread, so the
// buffer is reused across small and large values, for the compressed formats (4 and 5/6).

#include "detail/log_values.hpp"
#include "ledger/envelope_codec.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::store;

namespace {

recorded_event envelope_of_size(std::mt19937_64& random, std::size_t data_size) {
    recorded_event e;
    e.position = random() % 1'000'000;
    e.stream = "candidate-k" + std::to_string(random() % 100'000);
    e.version = random() % 50;
    for (auto& b : e.id.data) b = static_cast<std::uint8_t>(random());
    e.type = "ApplicationReceived";
    e.occurred_at = from_micros(1'700'000'000'000'000 + static_cast<std::int64_t>(random() % 1'000'000'000));
    e.recorded_at = e.occurred_at;
    e.actor = "local";
    e.data.reserve(data_size);
    // Words and noise: compressible, yet not a single run.
    while (e.data.size() < data_size) e.data += random() % 4 == 0 ? std::to_string(random()) : "application ";
    e.data.resize(data_size);
    e.metadata = "{\"source\":\"test\"}";
    for (auto& b : e.hash) b = static_cast<std::uint8_t>(random());
    return e;
}

void check_mixed_sizes(detail::log_values const& codec, char expected_tag) {
    std::mt19937_64 random(1201);
    std::string value, scratch;
    int compressed = 0;
    for (int i = 0; i < 300; ++i) {
        // Mostly small values; every seventh far larger than the kept buffer (16 KiB).
        auto const size = i % 7 == 3 ? 20'000 + random() % 60'000 : random() % 600;
        auto const event = envelope_of_size(random, size);
        auto const stored = encode_stored(event);
        auto const encoded = std::string(codec.encode(event.position, stored, value));
        if (encoded.front() == expected_tag) ++compressed;
        REQUIRE(codec.decode(event.position, encoded, scratch) == stored);
    }
    CHECK(compressed > 250);  // the values were compressed, so the frames were read
}

}  // namespace

TEST_CASE("split log values of mixed sizes decode byte for byte on one thread", "[store][format5][decode]") {
    auto const codec = detail::log_values::with_dictionaries({{2, std::string(detail::builtin_template_dictionary())}});
    check_mixed_sizes(*codec, '\x02');
}

TEST_CASE("tagged log values of mixed sizes decode byte for byte on one thread", "[store][format4][decode]") {
    auto const codec = detail::log_values::with_dictionaries({{1, std::string(detail::builtin_log_dictionary())}},
                                                             detail::log_values::default_level,
                                                             detail::log_values::encoding::tagged);
    check_mixed_sizes(*codec, '\x01');
}

TEST_CASE("a damaged frame is a codec error or the same bytes on every decode, never a crash", "[store][decode][tamper]") {
    auto const codec = detail::log_values::with_dictionaries({{2, std::string(detail::builtin_template_dictionary())}});
    std::mt19937_64 random(99);
    std::string value, scratch;
    auto const event = envelope_of_size(random, 300);
    auto const encoded = std::string(codec->encode(event.position, encode_stored(event), value));
    REQUIRE(encoded.front() == '\x02');
    for (std::size_t at = 1; at < encoded.size(); ++at) {
        for (int bit = 0; bit < 8; ++bit) {
            auto damaged = encoded;
            damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
            std::string first, second;
            try {
                first = std::string(codec->decode(event.position, damaged, scratch));
            } catch (codec_error const&) {
                first = "codec_error";
            }
            // A large value between the two reads: the kept buffer holds other bytes by then.
            auto const large = envelope_of_size(random, 30'000);
            static_cast<void>(codec->decode(large.position, codec->encode(large.position, encode_stored(large), value), scratch));
            try {
                second = std::string(codec->decode(event.position, damaged, scratch));
            } catch (codec_error const&) {
                second = "codec_error";
            }
            REQUIRE(first == second);
        }
    }
}
