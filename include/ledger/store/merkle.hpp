#pragma once
// The RFC 9162 §2.1 Merkle tree over the log (SPEC §11): the hashes, and the verification of
// inclusion and consistency proofs. Pure functions: no LMDB, so an auditor's tool (and the
// tests) check proofs with no ledger at hand. The stored tree is in src/store/detail/merkle_tree.hpp.
//
// Leaf i is the event at log position i; its input is the event's stored canonical bytes (what
// the hash chain hashes, without the trailing 32-byte hash).
//   leaf = SHA-256(0x00 ‖ input), node = SHA-256(0x01 ‖ left ‖ right), empty tree = SHA-256("").
//
// Threading: thread-safe (merkle_hasher holds no state: OpenSSL's low-level SHA-256 on the
// stack, ledger/detail/sha256_low_level.hpp). Errors: the verifiers return false, never throw
// for bad input.

#include "ledger/sha256.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace ledger::store::merkle {

using hash = sha256_digest;

/// Leaf and node hashes (the writer hashes many per group); holds no state.
class merkle_hasher {
public:
    hash leaf(std::string_view input);
    hash node(hash const& left, hash const& right);
};

hash leaf_hash(std::string_view input);
hash node_hash(hash const& left, hash const& right);
/// The root of the empty tree, SHA-256 of nothing.
hash empty_root();

/// The largest power of two smaller than n (n >= 2): RFC 9162's split point k.
std::uint64_t split_point(std::uint64_t n) noexcept;

/// RFC 9162 §2.1.3.2: whether `path` proves the leaf whose hash is `leaf` is at `index` in the
/// tree of `size` leaves with root `root`.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, hash const& leaf,
                      std::span<hash const> path, hash const& root);

/// RFC 9162 §2.1.4.2: whether `proof` proves the tree of `first` leaves (root `first_root`) is
/// a prefix of the tree of `second` leaves (root `second_root`). first == second needs an empty
/// proof and equal roots; first == 0 is refused (there is nothing to prove).
bool verify_consistency(std::uint64_t first, std::uint64_t second, hash const& first_root,
                        hash const& second_root, std::span<hash const> proof);

/// FOR BENCHMARKS ONLY (tools/bench/audit_proofs.cpp measures appends with and without the
/// tree in one run): while set, every writer of this process skips the tree, and a ledger so
/// written has no proofs until a writer opens it again with the flag clear (which builds the
/// tree). Never set by the server or the CLI.
void skip_tree_for_benchmark(bool skip) noexcept;
bool tree_skipped_for_benchmark() noexcept;

}  // namespace ledger::store::merkle
