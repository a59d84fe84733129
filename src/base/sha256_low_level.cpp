// SHA-256 through OpenSSL's low-level API (include/ledger/detail/sha256_low_level.hpp).
//
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, and the build treats
// warnings as errors. They are used on purpose: EVP's init/update/final dispatch added ~40–50 ns
// to every digest (measured: 216–235 ns for a 4-block digest through EVP, 176–190 ns through
// these, the same SHA-NI block code underneath; docs/performance.md "appends-batch"), and the
// writer hashes ~3 digests per event. The suppression is confined to this one file: defined
// before any OpenSSL header, it only removes the deprecation attributes.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "ledger/detail/sha256_low_level.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstddef>

namespace ledger::detail {
namespace {

/// A message given as two parts, fed to its context one 64-byte step of the joined message at a
/// time: SHA256_Update then compresses exactly one block per step (the first from its buffer,
/// where the head waits, the rest straight from the body).
class stepped_message {
public:
    stepped_message(std::string_view head, std::string_view body) noexcept : head_(head), body_(body) {
        SHA256_Init(&ctx_);
    }

    bool done() const noexcept { return head_.empty() && body_.empty(); }

    void step() noexcept {
        std::size_t left = SHA256_CBLOCK;
        left -= take(head_, left);
        take(body_, left);
    }

    void finish(sha256_digest& out) noexcept { SHA256_Final(out.data(), &ctx_); }

private:
    std::size_t take(std::string_view& part, std::size_t most) noexcept {
        std::size_t const n = std::min(part.size(), most);
        if (n != 0) SHA256_Update(&ctx_, part.data(), n);
        part.remove_prefix(n);
        return n;
    }

    SHA256_CTX ctx_{};
    std::string_view head_, body_;
};

}  // namespace

sha256_digest sha256_of_parts(std::span<std::string_view const> parts) noexcept {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    for (auto const part : parts) {
        if (!part.empty()) SHA256_Update(&ctx, part.data(), part.size());
    }
    sha256_digest out{};
    SHA256_Final(out.data(), &ctx);
    return out;
}

sha256_digest sha256_of_parts(std::initializer_list<std::string_view> parts) noexcept {
    return sha256_of_parts(std::span<std::string_view const>(parts.begin(), parts.size()));
}

void sha256_pair(std::string_view head_a, std::string_view body_a, std::string_view head_b,
                 std::string_view body_b, sha256_digest& a, sha256_digest& b) noexcept {
    stepped_message first(head_a, body_a), second(head_b, body_b);
    while (!first.done() || !second.done()) {
        if (!first.done()) first.step();
        if (!second.done()) second.step();
    }
    first.finish(a);
    second.finish(b);
}

}  // namespace ledger::detail
