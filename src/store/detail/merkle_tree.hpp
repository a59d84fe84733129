#pragma once
// The stored RFC 9162 Merkle tree (SPEC §11, docs/audit.md): every complete subtree's hash, kept
// in the `merkle` table so proofs and past roots are read, never recomputed from the log.
//
// Layout: key = n, an even leaf count (u64 big-endian); value = the hashes of the complete
// subtrees of two or more leaves whose last leaf is leaf n-1, from level 1 up to level tz(n)
// (the number of trailing zero bits of n), 32 bytes each. The node at (level k >= 1, index j) is
// thus at key (j+1)·2^k, offset 32·(k-1). Leaves (level 0) are not stored: they are hashed from
// the log when a proof needs one (at most a few per proof). Keys only grow, so every second
// event costs one MDB_APPEND put (of 32 bytes on average 2 levels); each event one leaf hash and
// on average one node hash. The tree covers min(log entries, last key + 1) leaves.
//
// Threading: as the transaction passed in. Errors: lmdb::error (and map_full) from LMDB;
// std::logic_error when the tree and the log are out of step (a bug or a damaged ledger);
// std::out_of_range for sizes and positions past the tree.

#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"
#include "ledger/store/merkle.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::store::detail {

/// THE writer's call (step 2 of the group transaction): adds the leaves of the `count` events
/// at positions first_position… that this transaction has just put into the log, reading their
/// stored bytes from the log in `txn`. The tree must have nodes up to leaf count
/// first_position rounded down to even (std::logic_error otherwise: out of step with the log).
void merkle_append(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::uint64_t count);

/// As above, with the stored bytes (canonical ‖ hash) of those events given in log order, as the
/// writer sealed and put them (`stored(i)` for the i-th, valid during the call), instead of read
/// back from the log: format 4's values would have to be decompressed again (docs/storage.md).
/// verify_tree still recomputes every leaf from the log.
void merkle_append(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::uint64_t count, std::function<std::string_view(std::uint64_t)> const& stored);

/// As above, with the events' leaf hashes (RFC 9162: SHA-256(0x00 ‖ canonical)) given, as the
/// writer hashed them beside the chain links (group_events::leaves). verify_tree still
/// recomputes every leaf from the log.
void merkle_append(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::span<merkle::hash const> leaves);

/// Leaves the stored tree holds.
std::uint64_t merkle_size(lmdb::txn const& txn, tables const& db);

/// Builds the tree for log events it lacks (a ledger written before the tree existed), in
/// transactions of a bounded size, growing the map when it fills. Returns the leaves added.
/// Throws std::runtime_error when the tree holds more leaves than the log (a truncated log).
std::uint64_t merkle_catch_up(lmdb::env& env, tables const& db);

/// The root of the tree of the first `size` leaves (size <= merkle_size).
merkle::hash merkle_root(lmdb::txn const& txn, tables const& db, std::uint64_t size);

/// RFC 9162 §2.1.3.1 PATH(index, D[size]) (index < size <= merkle_size).
std::vector<merkle::hash> merkle_inclusion(lmdb::txn const& txn, tables const& db,
                                           std::uint64_t index, std::uint64_t size);

/// RFC 9162 §2.1.4.1 PROOF(first, D[second]) (0 < first <= second <= merkle_size).
std::vector<merkle::hash> merkle_consistency(lmdb::txn const& txn, tables const& db,
                                             std::uint64_t first, std::uint64_t second);

/// Recomputes every stored node from the log (leaf by leaf) and compares; the first position
/// whose leaf or completed nodes differ, or where tree and log disagree in length, with why.
struct merkle_problem {
    std::uint64_t position = 0;
    std::string problem;
};
std::optional<merkle_problem> merkle_check(lmdb::env& env, tables const& db);

}  // namespace ledger::store::detail
