#pragma once
// The two hashes the writer makes of every event's canonical bytes: its chain link (SPEC §3,
// SHA-256(previous ‖ canonical)) and its RFC 9162 Merkle leaf (SHA-256(0x00 ‖ canonical)).
// Hashed together: the two messages go through OpenSSL's low-level SHA-256 64 bytes at a time
// in turn, and the CPU overlaps them (ledger/detail/sha256_low_level.hpp; issue 18,
// docs/performance.md "appends-batch").
//
// Threading: any thread. Errors: none.

#include "ledger/sha256.hpp"
#include "ledger/store/merkle.hpp"

#include <string_view>

namespace ledger::store::detail {

struct link_and_leaf {
    sha256_digest link;
    merkle::hash leaf;
};

link_and_leaf hash_link_and_leaf(sha256_digest const& previous, std::string_view canonical);

}  // namespace ledger::store::detail
