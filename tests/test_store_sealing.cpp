// The writer seals an event from its prepared template (issue 18, the writer's per-event cost):
// the canonical bytes are joined from the template made on the appending thread and the writer
// fields instead of encoded again through cereal. Both ways must give the same canonical bytes,
// the same chain hash, the same stored bytes and the same log value, on any event.

#include "support/random_envelope.hpp"

#include "detail/canonical_split.hpp"
#include "detail/link_and_leaf.hpp"
#include "detail/log_values.hpp"
#include "detail/put_event.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/merkle.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <random>
#include <string>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::random_envelope;

namespace {

std::shared_ptr<detail::log_values const> split_codec() {
    return detail::log_values::with_dictionaries({{2, std::string(detail::builtin_template_dictionary())}});
}

/// The template as the appending thread makes it: from the event without its writer fields.
std::string prepared_of(detail::log_values const& codec, recorded_event event) {
    event.position = 0;
    event.version = 0;
    event.id = {};
    event.recorded_at = {};
    std::string prepared;
    codec.prepare(event, prepared);
    return prepared;
}

/// SHA-256(head ‖ body) through OpenSSL's EVP, as the writer hashed before issue 18.
sha256_digest openssl_sha256(std::string_view head, std::string_view body) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(ctx != nullptr);
    sha256_digest out{};
    unsigned int length = 0;
    bool const ok = EVP_DigestInit_ex2(ctx, EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, head.data(), head.size()) == 1 &&
                    EVP_DigestUpdate(ctx, body.data(), body.size()) == 1 && EVP_DigestFinal_ex(ctx, out.data(), &length) == 1;
    EVP_MD_CTX_free(ctx);
    REQUIRE(ok);
    return out;
}

}  // namespace

TEST_CASE("sealing from the prepared template gives the bytes and hashes of encoding the event", "[store][sealing]") {
    auto const codec = split_codec();
    std::mt19937_64 random(1812);
    sha256_hasher hasher;
    detail::group_events encoded_group, joined_group;
    sha256_digest encoded_tip{}, joined_tip{};
    std::string old_value, new_value, scratch;
    int compressed = 0;
    for (std::size_t i = 0; i < 2000; ++i) {
        if (i % 100 == 0) {  // groups of 100, their buffers reused as the writer reuses them
            encoded_group.clear();
            joined_group.clear();
        }
        auto const event = random_envelope(random);
        auto const prepared = prepared_of(*codec, event);

        encoded_group.next_slot() = event;
        auto const encoded = std::string(encoded_group.seal_last(
            [&](std::string_view canonical) { return hasher.chain(encoded_tip, canonical); }));
        encoded_tip = encoded_group.events().back().hash;

        auto const opened = codec->open_prepared(prepared);
        REQUIRE(opened.has_value());
        joined_group.next_slot() = event;
        auto const fields = detail::fields_of(event);
        auto const joined = std::string(joined_group.seal_last_joined(
            opened->templ, opened->layout, fields,
            [&](std::string_view canonical) { return hasher.chain(joined_tip, canonical); }));
        joined_tip = joined_group.events().back().hash;

        REQUIRE(joined == encoded);
        CHECK(canonical_part(joined) == encode_canonical(event));
        CHECK(joined_tip == encoded_tip);
        CHECK(joined_group.stored(i % 100) == encoded_group.stored(i % 100));

        bool spliced = false;
        auto const old_encoded = std::string(codec->encode_prepared(event.position, encoded, prepared, old_value, spliced));
        CHECK(spliced);
        auto const new_encoded = codec->encode_opened(*opened, fields, joined, new_value);
        CHECK(new_encoded == old_encoded);
        CHECK(codec->decode(event.position, new_encoded, scratch) == encoded);
        if (new_encoded.front() != '\0') ++compressed;
    }
    CHECK(compressed > 1000);  // the split form is exercised, not only values kept whole
}

TEST_CASE("a malformed prepared template is not opened", "[store][sealing]") {
    auto const codec = split_codec();
    CHECK_FALSE(codec->open_prepared("").has_value());
    CHECK_FALSE(codec->open_prepared("\x02").has_value());
    std::string too_long("\x02\xff\xff\x00\x00", 5);  // a template size past the end
    CHECK_FALSE(codec->open_prepared(too_long).has_value());
    std::string short_template("\x00\x04\x00\x00\x00" "abcd", 9);  // shorter than its sizes say
    CHECK_FALSE(codec->open_prepared(short_template).has_value());
    recorded_event event;
    event.stream = "campaign-c1";
    auto prepared = prepared_of(*codec, event);
    REQUIRE(codec->open_prepared(prepared).has_value());
    prepared[0] = '\x09';  // a dictionary the ledger lacks
    CHECK_FALSE(codec->open_prepared(prepared).has_value());
    CHECK_FALSE(detail::log_values::plain()->open_prepared(prepared_of(*codec, event)).has_value());
}

TEST_CASE("the leaves hashed beside the chain links are the Merkle leaves of the stored bytes", "[store][sealing][merkle]") {
    // The writer hashes each event's Merkle leaf with its chain link (hash_link_and_leaf) and
    // hands the group's leaves to merkle_append; the old path hashed the chain with OpenSSL and
    // the leaves from the stored bytes afterwards. Same stored bytes, links and leaves.
    auto const codec = split_codec();
    std::mt19937_64 random(1918);
    store::merkle::merkle_hasher merkle;
    detail::group_events group;
    sha256_digest tip{}, old_tip{};
    for (std::size_t i = 0; i < 2000; ++i) {
        if (i % 100 == 0) group.clear();
        auto const event = random_envelope(random);
        auto const prepared = prepared_of(*codec, event);
        auto const opened = codec->open_prepared(prepared);
        REQUIRE(opened.has_value());
        group.next_slot() = event;
        auto const stored = std::string(group.seal_last_joined(
            opened->templ, opened->layout, detail::fields_of(event), [&](std::string_view canonical) {
                auto const hashes = detail::hash_link_and_leaf(tip, canonical);
                group.keep_leaf(hashes.leaf);
                return hashes.link;
            }));
        auto const canonical = encode_canonical(event);
        REQUIRE(canonical_part(stored) == canonical);
        auto const old_link = openssl_sha256(
            std::string_view(reinterpret_cast<char const*>(old_tip.data()), old_tip.size()), canonical);
        CHECK(group.events().back().hash == old_link);
        tip = group.events().back().hash;
        old_tip = old_link;
        REQUIRE(group.leaves().size() == i % 100 + 1);
        CHECK(group.leaves().back() == openssl_sha256(std::string_view("\0", 1), canonical));
        CHECK(group.leaves().back() == merkle.leaf(canonical_part(group.stored(i % 100))));
    }
    group.clear();
    CHECK(group.leaves().empty());
}
