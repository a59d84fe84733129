#pragma once
// The two hashes the writer makes of every event's canonical bytes: its chain link (SPEC §3,
// SHA-256(previous ‖ canonical)) and its RFC 9162 Merkle leaf (SHA-256(0x00 ‖ canonical)).
// Hashed together: with the x86 SHA extensions the two messages go block by block in turn and
// the CPU overlaps them (ledger/detail/sha256_native.hpp; issue 18, docs/performance.md
// "appends-batch"); without them, one after the other through OpenSSL as before.
//
// Threading: the hashers belong to the calling thread. Errors: std::runtime_error when OpenSSL
// fails (the portable path only).

#include "ledger/sha256.hpp"
#include "ledger/store/merkle.hpp"

#include <string_view>

namespace ledger::store::detail {

struct link_and_leaf {
    sha256_digest link;
    merkle::hash leaf;
};

link_and_leaf hash_link_and_leaf(sha256_hasher& chain, merkle::merkle_hasher& merkle, sha256_digest const& previous,
                                 std::string_view canonical);

}  // namespace ledger::store::detail
