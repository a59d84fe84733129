// Regression tests for inputs the libFuzzer harnesses (tests/fuzz) found: every file in the
// event codec's corpus replays here under the normal suite (and its ASan+UBSan build), and
// damaged stored bytes are refused with codec_error, never undefined behaviour.

#include "events/recruitment_event.hpp"
#include "ledger/envelope_codec.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace ledger;

TEST_CASE("a stored boolean byte other than 0 or 1 is a codec_error", "[reliability][fuzz]") {
    // EmploymentStarted whose optional field's presence byte is 252 (tests/fuzz found it).
    std::string const bytes("\x01\x10\x00\x00\x00\x00\x00\x00\x00region-jonkoping\xff\x4d\x00\x00\xfc\x07"
                            "\x00\x00\x00\x00\x00\x00\x00p-puy-1", 45);
    CHECK_THROWS_AS(events::decode_event("EmploymentStarted", 1, bytes), codec_error);
    CHECK_THROWS_WITH(events::decode_event("EmploymentStarted", 1, bytes), Catch::Contains("boolean"));
}

TEST_CASE("a stored string length beyond its input is a codec_error, not an allocation",
          "[reliability][fuzz]") {
    // ShortageCheckRecorded whose country claims 2^56 + 2 bytes (tests/fuzz found it).
    std::string const bytes("\x02\x00\x00\x00\x00\x00\x00\x01ES\x00", 11);
    CHECK_THROWS_AS(events::decode_event("ShortageCheckRecorded", 1, bytes), codec_error);
}

TEST_CASE("every decoder input of the fuzz corpus decodes or is refused with codec_error",
          "[reliability][fuzz]") {
    auto const corpus = std::filesystem::path(LEDGER_SOURCE_DIR) / "tests/fuzz/corpus/event_codec";
    int replayed = 0;
    for (auto const& file : std::filesystem::directory_iterator(corpus)) {
        std::ifstream in(file.path(), std::ios::binary);
        std::string const input{std::istreambuf_iterator<char>(in), {}};
        if (input.empty() || input[0] == 0) continue;  // JSON inputs for encode_data
        auto const newline = input.find('\n');
        auto const type = input.substr(1, newline - 1);
        auto const payload = std::string_view(input).substr(newline == std::string::npos ? input.size() : newline + 1);
        INFO(file.path());
        try {
            if (input[0] % 3 == 1) (void)events::decode_event(type, 1, payload);
            else (void)decode_stored(payload);
        } catch (codec_error const&) {
        }
        ++replayed;
    }
    CHECK(replayed > 30);
}
