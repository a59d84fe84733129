// Zero bytes packed away (projections/detail/packed_bytes.hpp), the form of a compact epoch's
// entity entries: byte for byte reversible at every length and mix of zero and other bytes,
// one golden packing (a format change that would misread stored records fails here), and
// packings cut short, too long or with a wrong size refused.

#include "projections/detail/packed_bytes.hpp"

#include "ledger/envelope_codec.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <initializer_list>
#include <random>
#include <string>

using ledger::codec_error;
using ledger::projections::detail::pack_zero_bytes;
using ledger::projections::detail::unpack_zero_bytes;

namespace {

std::string packed(std::string const& plain) {
    std::string out;
    pack_zero_bytes(plain, out);
    return out;
}

}  // namespace

TEST_CASE("packed zero bytes unpack to the same bytes at every length and mix",
          "[projections][entity_table][packed]") {
    std::mt19937 random(18);
    for (std::size_t const size : std::initializer_list<std::size_t>{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 200, 2'047, 2'048, 2'049, 5'000}) {
        for (int zeros_in_ten : {0, 5, 8, 10}) {
            std::string plain(size, '\0');
            for (auto& c : plain) {
                if (static_cast<int>(random() % 10) >= zeros_in_ten) c = static_cast<char>(1 + random() % 255);
            }
            INFO(size << " bytes, " << zeros_in_ten << " in 10 zero");
            auto const bytes = packed(plain);
            CHECK(unpack_zero_bytes(bytes) == plain);
            if (zeros_in_ten == 10 && size > 0) CHECK(bytes.size() <= 3 + 2 * (size / 2'048 + 1));  // runs of 256 words
        }
    }
}

TEST_CASE("a packing of zero bytes keeps its format", "[projections][entity_table][packed]") {
    // 11 bytes: size 11, then the word 01 00 00 00 00 00 00 07 (tag 0x81), then the last three
    // bytes 00 00 41 and their padding (tag 0x04); then an appended run.
    std::string const plain("\x01\0\0\0\0\0\0\x07\0\0\x41", 11);
    CHECK(packed(plain) == std::string("\x0b\x81\x01\x07\x04\x41", 6));
    CHECK(packed(std::string(24, '\0')) == std::string("\x18\x00\x02", 3));  // 3 zero words: tag 0, 2 more
    CHECK(packed("") == std::string("\x00", 1));
}

TEST_CASE("bytes that are no packing of zero bytes are refused", "[projections][entity_table][packed]") {
    auto const good = packed(std::string("\x01\0\0\0\0\0\0\x07\0\0\x41", 11));
    CHECK_THROWS_AS(unpack_zero_bytes(""), codec_error);                                 // no size
    CHECK_THROWS_AS(unpack_zero_bytes(good.substr(0, good.size() - 1)), codec_error);    // a word cut short
    CHECK_THROWS_AS(unpack_zero_bytes(good + std::string("\x01\x01", 2)), codec_error);  // a word past the size
    CHECK_THROWS_AS(unpack_zero_bytes(std::string("\x0a", 1) + good.substr(1)), codec_error);  // padding not zero
    CHECK_THROWS_AS(unpack_zero_bytes(std::string("\x30", 1) + good.substr(1)), codec_error);  // fewer words than the size
    CHECK_THROWS_AS(unpack_zero_bytes(std::string("\x08\x00", 2)), codec_error);          // a run cut short
    CHECK_THROWS_AS(unpack_zero_bytes(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11)), codec_error);
}
