// AES-256-GCM and base64, the primitives of personal data at rest (docs/privacy.md).

#include "ledger/aes_gcm.hpp"
#include "ledger/base64.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

// The GCM specification's test case 16 (McGrew & Viega): AES-256, 96-bit IV, with AAD.
struct known_answer {
    std::string key = from_hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    std::string nonce = from_hex("cafebabefacedbaddecaf888");
    std::string plaintext = from_hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
        "b16aedf5aa0de657ba637b39");
    std::string aad = from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    std::string ciphertext = from_hex(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
        "c5f61e6393ba7a0abcc9f662");
    std::string tag = from_hex("76fc6ece0f4e1768cddf8853bb2d551b");
};

}  // namespace

TEST_CASE("aes-gcm seal matches the GCM specification's known answer", "[privacy][crypto]") {
    known_answer const v;
    auto const sealed = ledger::aes_gcm_seal(v.key, v.nonce, v.plaintext, v.aad);
    CHECK(sealed == v.nonce + v.ciphertext + v.tag);
    CHECK(ledger::aes_gcm_open(v.key, sealed, v.aad) == v.plaintext);
}

TEST_CASE("aes-gcm open refuses a tampered ciphertext, tag, nonce, key or aad", "[privacy][crypto]") {
    known_answer const v;
    auto const sealed = ledger::aes_gcm_seal(v.key, v.nonce, v.plaintext, v.aad);
    for (std::size_t at : {std::size_t{0}, std::size_t{20}, sealed.size() - 1}) {
        auto flipped = sealed;
        flipped[at] = static_cast<char>(flipped[at] ^ 1);
        CHECK_FALSE(ledger::aes_gcm_open(v.key, flipped, v.aad));
    }
    auto other_key = v.key;
    other_key[0] = static_cast<char>(other_key[0] ^ 1);
    CHECK_FALSE(ledger::aes_gcm_open(other_key, sealed, v.aad));
    CHECK_FALSE(ledger::aes_gcm_open(v.key, sealed, v.aad + "x"));
    CHECK_FALSE(ledger::aes_gcm_open(v.key, sealed.substr(0, 27), v.aad));
}

TEST_CASE("aes-gcm uses a fresh nonce for every seal", "[privacy][crypto]") {
    auto const key = ledger::random_bytes(ledger::aes_gcm_key_size);
    auto const a = ledger::aes_gcm_seal(key, "Anna Lindqvist", "aad");
    auto const b = ledger::aes_gcm_seal(key, "Anna Lindqvist", "aad");
    CHECK(a != b);
    CHECK(a.size() == 12 + 14 + 16);
    CHECK(ledger::aes_gcm_open(key, a, "aad") == "Anna Lindqvist");
    CHECK(ledger::aes_gcm_open(key, b, "aad") == "Anna Lindqvist");
}

TEST_CASE("base64 round-trips every padding length and refuses malformed text", "[privacy][crypto]") {
    CHECK(ledger::base64_encode("foob") == "Zm9vYg==");
    CHECK(ledger::base64_encode("fooba") == "Zm9vYmE=");
    CHECK(ledger::base64_encode("foobar") == "Zm9vYmFy");
    for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        CHECK(ledger::base64_decode(ledger::base64_encode(text)) == text);
    }
    CHECK_FALSE(ledger::base64_decode("Zm9"));
    CHECK_FALSE(ledger::base64_decode("Zm9v!!!!"));
}
