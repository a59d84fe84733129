#include "ledger/sha256.hpp"

#include "ledger/detail/sha256_native.hpp"

#include <boost/algorithm/hex.hpp>
#include <openssl/evp.h>

#include <stdexcept>

namespace ledger {

struct sha256_hasher::context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool initialised = false;  // ctx holds SHA-256 already: later inits reuse it (no fetch)
    ~context() { EVP_MD_CTX_free(ctx); }
};

namespace {

void check(int ok, char const* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL ") + what + " failed");
}

/// SHA-256 fetched once: EVP_DigestInit_ex(EVP_sha256()) fetches the implementation again on
/// every call in OpenSSL 3 (measured: 1.3 µs per 350-byte event with it, 0.35 µs without).
EVP_MD const* sha256_md() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::runtime_error("OpenSSL has no SHA256");
    return md;
}

}  // namespace

sha256_hasher::sha256_hasher() : context_(std::make_unique<context>()) {
    if (context_->ctx == nullptr) throw std::bad_alloc();
}
sha256_hasher::~sha256_hasher() = default;
sha256_hasher::sha256_hasher(sha256_hasher&&) noexcept = default;
sha256_hasher& sha256_hasher::operator=(sha256_hasher&&) noexcept = default;

sha256_digest sha256_hasher::digest(std::string_view bytes) {
    return chain_parts(nullptr, bytes);
}

sha256_digest sha256_hasher::chain(sha256_digest const& previous, std::string_view body) {
    return chain_parts(&previous, body);
}

sha256_digest sha256_hasher::chain_parts(sha256_digest const* previous, std::string_view body) {
    // The SHA extensions directly when the CPU has them: EVP's dispatch alone cost ~50 ns per
    // digest, more than a 64-byte block (issue 18, docs/performance.md "appends-batch").
    if (detail::sha256_native_available()) {
        std::string_view const head =
            previous != nullptr ? std::string_view(reinterpret_cast<char const*>(previous->data()), previous->size())
                                : std::string_view{};
        return detail::sha256_native(head, body);
    }
    EVP_MD_CTX* ctx = context_->ctx;
    // OpenSSL 3 looks the algorithm up by name (a provider fetch: string compares, parameter
    // lookups) on every init given a digest; with nullptr it reinitialises the one the context
    // already holds. The writer hashes every event: this was 8 % of its time (perf, 2026-11-30).
    if (context_->initialised) {
        check(EVP_DigestInit_ex2(ctx, nullptr, nullptr), "DigestInit");
    } else {
        check(EVP_DigestInit_ex2(ctx, sha256_md(), nullptr), "DigestInit");
        context_->initialised = true;
    }
    if (previous != nullptr) {
        check(EVP_DigestUpdate(ctx, previous->data(), previous->size()), "DigestUpdate");
    }
    check(EVP_DigestUpdate(ctx, body.data(), body.size()), "DigestUpdate");
    sha256_digest out{};
    unsigned int length = 0;
    check(EVP_DigestFinal_ex(ctx, out.data(), &length), "DigestFinal");
    return out;
}

sha256_digest sha256(std::string_view bytes) { return sha256_hasher{}.digest(bytes); }

std::string to_hex(sha256_digest const& digest) {
    std::string hex;
    hex.reserve(64);
    boost::algorithm::hex_lower(digest.begin(), digest.end(), std::back_inserter(hex));
    return hex;
}

std::optional<sha256_digest> parse_hex_digest(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    sha256_digest out{};
    try {
        boost::algorithm::unhex(hex.begin(), hex.end(), out.begin());
    } catch (boost::algorithm::hex_decode_error const&) {
        return std::nullopt;
    }
    return out;
}

}  // namespace ledger
