#pragma once
// SHA-256 through OpenSSL's low-level API (SHA256_Init/Update/Final on a SHA256_CTX) instead of
// EVP: the same block code (SHA-NI where the CPU has it, chosen by OpenSSL), without EVP's
// per-digest dispatch, which cost ~40–50 ns per digest on top of ~39 ns per 64-byte block on the
// machine measured. The writer hashes every event three times (chain link, Merkle leaf, on
// average one Merkle node), so sha256_hasher and merkle_hasher use these (issue 18,
// docs/performance.md "appends-batch"). The digests are SHA-256's, byte for byte
// (tests/test_sha256_low_level.cpp compares them with EVP's).
//
// The low-level API is deprecated in OpenSSL 3; only src/base/sha256_low_level.cpp includes it,
// and this header names no OpenSSL type.
//
// Threading: pure functions, any thread. Errors: none (the low-level calls cannot fail).

#include "ledger/sha256.hpp"

#include <initializer_list>
#include <span>
#include <string_view>

namespace ledger::detail {

/// SHA-256 of the parts joined (a chain link's previous hash and body, a Merkle prefix byte and
/// a leaf's input or a node's two hashes), without joining them.
sha256_digest sha256_of_parts(std::initializer_list<std::string_view> parts) noexcept;
/// The same over any number of parts (a chunked checkpoint record's pieces, read where they lie).
sha256_digest sha256_of_parts(std::span<std::string_view const> parts) noexcept;

/// SHA-256(head_a ‖ body_a) into a and SHA-256(head_b ‖ body_b) into b, the two messages fed in
/// turn 64 bytes at a time: each block depends only on its own message's previous one, so the
/// CPU overlaps the two (a chain link and the same event's Merkle leaf; measured ~15 % less time
/// than one after the other).
void sha256_pair(std::string_view head_a, std::string_view body_a, std::string_view head_b,
                 std::string_view body_b, sha256_digest& a, sha256_digest& b) noexcept;

}  // namespace ledger::detail
