#pragma once
// SHA-256 with the x86 SHA extensions (SHA-NI), called directly instead of through OpenSSL's
// EVP interface: the writer hashes every event three times (the chain link, the Merkle leaf and
// on average one Merkle node, ~10 blocks of 64 bytes), and EVP's init/update/final dispatch cost
// ~50 ns per digest on top of OpenSSL's ~39 ns per block, where this routine takes ~30 ns per
// block on the machine measured (docs/performance.md, "appends-batch"). sha256_hasher and
// merkle_hasher use it when the CPU has the extensions and OpenSSL otherwise; the digests are
// the same bytes (tests/test_sha256_native.cpp compares both on random messages).
//
// Threading: pure functions. Errors: none (sha256_native must only be called when
// sha256_native_available() says so: the instructions fault elsewhere).

#include "ledger/sha256.hpp"

#include <string_view>

namespace ledger::detail {

/// Whether this CPU runs sha256_native (x86-64 with SHA, SSSE3 and SSE4.1); checked once.
bool sha256_native_available() noexcept;

/// SHA-256(head ‖ body) without joining the two (head: a chain link's previous hash, a Merkle
/// prefix byte). Only when sha256_native_available().
sha256_digest sha256_native(std::string_view head, std::string_view body) noexcept;

/// SHA-256(head_a ‖ body_a) and SHA-256(head_b ‖ body_b), hashed block by block in turn so the
/// CPU overlaps the two (a chain link and the same event's Merkle leaf). Only when
/// sha256_native_available().
void sha256_native_pair(std::string_view head_a, std::string_view body_a, std::string_view head_b,
                        std::string_view body_b, sha256_digest& a, sha256_digest& b) noexcept;

/// SHA-256(head ‖ body) through OpenSSL's EVP interface: the portable path, and the reference
/// the native one is tested against. Throws std::runtime_error when OpenSSL fails.
sha256_digest sha256_openssl(std::string_view head, std::string_view body);

}  // namespace ledger::detail
