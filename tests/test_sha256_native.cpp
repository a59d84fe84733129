// SHA-256 through the x86 SHA extensions (ledger/detail/sha256_native.hpp, issue 18: the
// writer's per-event cost) against OpenSSL's EVP path it replaced: the same digest for every
// message length around the block and padding boundaries and for random messages, and the same
// chain links and Merkle leaves and nodes on random envelopes, so every stored chain hash and
// Merkle node stays what the old path wrote (an existing ledger still verifies).

#include "support/random_envelope.hpp"

#include "ledger/detail/sha256_native.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/merkle.hpp"

#include <catch2/catch.hpp>

#include <random>
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

}  // namespace

TEST_CASE("the SHA extensions give OpenSSL's SHA-256 at every length around the block boundaries", "[sha256]") {
    if (!detail::sha256_native_available()) {
        WARN("this CPU lacks the SHA extensions: sha256_hasher uses OpenSSL (checked below)");
        CHECK(sha256_hasher{}.digest("abc") == detail::sha256_openssl({}, "abc"));
        return;
    }
    // FIPS 180-4's examples.
    CHECK(to_hex(detail::sha256_native({}, "abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(detail::sha256_native({}, {})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_hex(detail::sha256_native("abcdbcdecdefdefgefghfghighijhijk", "ijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    std::mt19937_64 random(180);
    std::string const text = random_bytes(random, 300);
    // Every split of every length up to 300 bytes: the head alone, the body alone, both, across
    // the 55/56-byte padding edge and whole blocks.
    for (std::size_t size = 0; size <= 300; ++size) {
        for (std::size_t head : {std::size_t{0}, std::size_t{1}, std::size_t{32}, size / 2, size}) {
            if (head > size) continue;
            auto const whole = std::string_view(text).substr(0, size);
            REQUIRE(detail::sha256_native(whole.substr(0, head), whole.substr(head)) ==
                    detail::sha256_openssl(whole.substr(0, head), whole.substr(head)));
        }
    }
    for (int i = 0; i < 3000; ++i) {
        auto const head = random_bytes(random, random() % 80);
        auto const body = random_bytes(random, random() % (i % 10 == 0 ? 5000 : 600));
        REQUIRE(detail::sha256_native(head, body) == detail::sha256_openssl(head, body));
        // Two messages block by block in turn (the writer's chain link and leaf): of other
        // lengths, so one runs out of blocks first, either one.
        auto const other_head = random_bytes(random, random() % 80);
        auto const other_body = random_bytes(random, random() % 600);
        sha256_digest a{}, b{};
        detail::sha256_native_pair(head, body, other_head, other_body, a, b);
        REQUIRE(a == detail::sha256_openssl(head, body));
        REQUIRE(b == detail::sha256_openssl(other_head, other_body));
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
        REQUIRE(link == detail::sha256_openssl(bytes_of(previous), canonical));
        auto const leaf = merkle.leaf(canonical);
        REQUIRE(leaf == detail::sha256_openssl(std::string_view("\0", 1), canonical));
        REQUIRE(store::merkle::leaf_hash(canonical) == leaf);
        REQUIRE(merkle.node(previous, leaf) ==
                detail::sha256_openssl(std::string_view("\1", 1), std::string(bytes_of(previous)) + std::string(bytes_of(leaf))));
        REQUIRE(hasher.digest(canonical) == detail::sha256_openssl({}, canonical));
        previous = link;
    }
    CHECK(to_hex(store::merkle::empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
