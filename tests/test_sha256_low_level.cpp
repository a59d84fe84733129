// SHA-256 through OpenSSL's low-level API (ledger/detail/sha256_low_level.hpp, issue 18: the
// writer's per-event cost), one message and two in turn, against OpenSSL's EVP path it replaced:
// the same digest for every message length around the block and padding boundaries and for
// random messages, and the same chain links and Merkle leaves and nodes on random envelopes, so
// every stored chain hash and Merkle node stays what the old path wrote (an existing ledger
// still verifies).

#include "support/random_envelope.hpp"

#include "ledger/detail/sha256_low_level.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/merkle.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

using namespace ledger;
using ledger::testing::random_envelope;

namespace {

std::string random_bytes(std::mt19937_64& random, std::size_t size) {
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(random());
    return out;
}

std::string_view bytes_of(sha256_digest const& d) { return {reinterpret_cast<char const*>(d.data()), d.size()}; }

/// SHA-256(head ‖ body) through EVP: the reference (the path sha256_hasher took before issue 18).
sha256_digest evp_sha256(std::string_view head, std::string_view body) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> const ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx) throw std::bad_alloc();
    sha256_digest out{};
    unsigned int length = 0;
    if (EVP_DigestInit_ex2(ctx.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), head.data(), head.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), body.data(), body.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1 || length != out.size()) {
        throw std::runtime_error("OpenSSL's EVP SHA-256 failed");
    }
    return out;
}

sha256_digest low_level(std::string_view head, std::string_view body) { return detail::sha256_of_parts({head, body}); }

}  // namespace

TEST_CASE("OpenSSL's low-level SHA-256 equals EVP's at every length around the block boundaries", "[sha256]") {
    // FIPS 180-4's examples.
    CHECK(to_hex(low_level({}, "abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(low_level({}, {})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_hex(low_level("abcdbcdecdefdefgefghfghighijhijk", "ijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    std::mt19937_64 random(180);
    std::string const text = random_bytes(random, 300);
    // Every split of every length up to 300 bytes: the head alone, the body alone, both, across
    // the 55/56-byte padding edge and whole blocks.
    for (std::size_t size = 0; size <= 300; ++size) {
        for (std::size_t head : {std::size_t{0}, std::size_t{1}, std::size_t{32}, size / 2, size}) {
            if (head > size) continue;
            auto const whole = std::string_view(text).substr(0, size);
            auto const expected = evp_sha256(whole.substr(0, head), whole.substr(head));
            REQUIRE(low_level(whole.substr(0, head), whole.substr(head)) == expected);
            // The pair, this message beside one of every other split of this length.
            sha256_digest a{}, b{};
            detail::sha256_pair(whole.substr(0, head), whole.substr(head), whole.substr(0, size - head),
                                whole.substr(size - head), a, b);
            REQUIRE(a == expected);
            REQUIRE(b == evp_sha256(whole.substr(0, size - head), whole.substr(size - head)));
        }
    }
    for (int i = 0; i < 3000; ++i) {
        auto const head = random_bytes(random, random() % 80);
        auto const body = random_bytes(random, random() % (i % 10 == 0 ? 5000 : 600));
        REQUIRE(low_level(head, body) == evp_sha256(head, body));
        // Two messages block by block in turn (the writer's chain link and leaf): of other
        // lengths, so one runs out of blocks first, either one.
        auto const other_head = random_bytes(random, random() % 80);
        auto const other_body = random_bytes(random, random() % 600);
        sha256_digest a{}, b{};
        detail::sha256_pair(head, body, other_head, other_body, a, b);
        REQUIRE(a == evp_sha256(head, body));
        REQUIRE(b == evp_sha256(other_head, other_body));
    }
}

TEST_CASE("chain links and Merkle hashes of random envelopes are OpenSSL's", "[sha256][chain][merkle]") {
    std::mt19937_64 random(2026);
    sha256_hasher hasher;
    store::merkle::merkle_hasher merkle;
    sha256_digest previous{};
    for (int i = 0; i < 2000; ++i) {
        auto const canonical = encode_canonical(random_envelope(random));
        auto const link = hasher.chain(previous, canonical);
        REQUIRE(link == evp_sha256(bytes_of(previous), canonical));
        auto const leaf = merkle.leaf(canonical);
        REQUIRE(leaf == evp_sha256(std::string_view("\0", 1), canonical));
        REQUIRE(store::merkle::leaf_hash(canonical) == leaf);
        REQUIRE(merkle.node(previous, leaf) ==
                evp_sha256(std::string_view("\1", 1), std::string(bytes_of(previous)) + std::string(bytes_of(leaf))));
        REQUIRE(hasher.digest(canonical) == evp_sha256({}, canonical));
        previous = link;
    }
    CHECK(to_hex(store::merkle::empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
