// The stored Merkle tree: appends, catch-up, roots and proofs (detail/merkle_tree.hpp).

#include "detail/merkle_tree.hpp"

#include "ledger/envelope_codec.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>

namespace ledger::store::detail {
namespace {

using merkle::hash;
constexpr std::size_t hash_size = sizeof(hash);

std::string_view bytes_of(hash const& h) { return {reinterpret_cast<char const*>(h.data()), h.size()}; }

hash hash_at(std::string_view value, std::size_t level) {
    hash out{};
    std::copy_n(value.data() + level * hash_size, hash_size, reinterpret_cast<char*>(out.data()));
    return out;
}

/// The leaf hash of the event at `index`, from the log (leaves are not stored).
hash leaf_at(lmdb::txn const& txn, tables const& db, std::uint64_t index, merkle::merkle_hasher& hasher) {
    auto const value = txn.get(db.log, view(encode_u64(index)));
    if (!value) throw std::logic_error("the log lacks position " + std::to_string(index) + " for the Merkle tree");
    std::string scratch;
    return hasher.leaf(canonical_part(db.log_codec->decode(index, *value, scratch)));
}

/// The node at (level, index), i.e. the hash of leaves [index·2^level, (index+1)·2^level).
hash stored_node(lmdb::txn const& txn, tables const& db, unsigned level, std::uint64_t index,
                 merkle::merkle_hasher& hasher) {
    if (level == 0) return leaf_at(txn, db, index, hasher);
    auto const end = (index + 1) << level;
    auto const value = txn.get(db.merkle, view(encode_u64(end)));
    if (!value || value->size() < level * hash_size) {
        throw std::logic_error("the Merkle tree lacks node " + std::to_string(level) + "/" + std::to_string(index));
    }
    return hash_at(*value, level - 1);
}

/// The right edge of the tree of n leaves: the root of each complete subtree, by level.
std::array<hash, 64> load_frontier(lmdb::txn const& txn, tables const& db, std::uint64_t n,
                                   merkle::merkle_hasher& hasher) {
    std::array<hash, 64> frontier{};
    for (unsigned k = 0; k < 64; ++k) {
        if (((n >> k) & 1) == 0) continue;
        auto const end = (n >> k) << k;
        frontier[k] = stored_node(txn, db, k, (end >> k) - 1, hasher);
    }
    return frontier;
}

/// The last key of the tree: the largest even leaf count it has nodes for (0: none).
std::uint64_t last_key(lmdb::txn const& txn, tables const& db) {
    lmdb::cursor cursor(txn, db.merkle);
    auto const last = cursor.last();
    return last ? decode_u64(last->first) : 0;
}

/// MTH(D[begin:end]) for a range of RFC 9162's recursion (begin is a multiple of the smallest
/// power of two >= end - begin), from O(log n) stored nodes.
hash subtree(lmdb::txn const& txn, tables const& db, std::uint64_t begin, std::uint64_t end,
             merkle::merkle_hasher& hasher) {
    auto const size = end - begin;
    if (std::has_single_bit(size)) {
        auto const level = static_cast<unsigned>(std::countr_zero(size));
        return stored_node(txn, db, level, begin >> level, hasher);
    }
    auto const k = merkle::split_point(size);
    return hasher.node(subtree(txn, db, begin, begin + k, hasher), subtree(txn, db, begin + k, end, hasher));
}

void path(lmdb::txn const& txn, tables const& db, std::uint64_t m, std::uint64_t begin,
          std::uint64_t end, merkle::merkle_hasher& hasher, std::vector<hash>& out) {
    auto const n = end - begin;
    if (n <= 1) return;
    auto const k = merkle::split_point(n);
    if (m < k) {
        path(txn, db, m, begin, begin + k, hasher, out);
        out.push_back(subtree(txn, db, begin + k, end, hasher));
    } else {
        path(txn, db, m - k, begin + k, end, hasher, out);
        out.push_back(subtree(txn, db, begin, begin + k, hasher));
    }
}

void subproof(lmdb::txn const& txn, tables const& db, std::uint64_t m, std::uint64_t begin,
              std::uint64_t end, bool whole, merkle::merkle_hasher& hasher, std::vector<hash>& out) {
    auto const n = end - begin;
    if (m == n) {
        if (!whole) out.push_back(subtree(txn, db, begin, end, hasher));
        return;
    }
    auto const k = merkle::split_point(n);
    if (m <= k) {
        subproof(txn, db, m, begin, begin + k, whole, hasher, out);
        out.push_back(subtree(txn, db, begin + k, end, hasher));
    } else {
        subproof(txn, db, m - k, begin + k, end, false, hasher, out);
        out.push_back(subtree(txn, db, begin, begin + k, hasher));
    }
}

void check_size(lmdb::txn const& txn, tables const& db, std::uint64_t size) {
    auto const held = merkle_size(txn, db);
    if (size > held) {
        throw std::out_of_range("the tree holds " + std::to_string(held) + " leaves, not " + std::to_string(size));
    }
}

/// Folds one leaf into the right edge of the tree of n leaves; `value` gets what key n+1 stores
/// (nothing when n+1 is odd: leaves themselves are not stored).
void fold_leaf(std::array<hash, 64>& frontier, std::uint64_t n, hash const& leaf,
               merkle::merkle_hasher& hasher, std::string& value) {
    value.clear();
    hash carry = leaf;
    unsigned level = 0;
    while (((n >> level) & 1) != 0) {
        carry = hasher.node(frontier[level], carry);
        value.append(bytes_of(carry));
        ++level;
    }
    frontier[level] = carry;
}

}  // namespace

std::uint64_t merkle_size(lmdb::txn const& txn, tables const& db) {
    // Leaves come from the log, so the tree covers one leaf past its last node record.
    return std::min<std::uint64_t>(txn.entries(db.log), last_key(txn, db) + 1);
}

namespace {

/// Folds the given leaves (hashes of the events at first_position…) into the stored tree.
void append_leaves(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::span<hash const> leaves, merkle::merkle_hasher& hasher) {
    std::uint64_t n = first_position;
    auto frontier = load_frontier(txn, db, n, hasher);
    std::string value;
    value.reserve(hash_size * 8);
    for (auto const& leaf : leaves) {
        fold_leaf(frontier, n, leaf, hasher, value);
        ++n;
        if (!value.empty()) txn.put(db.merkle, view(encode_u64(n)), value, /*append=*/true);
    }
}

void check_in_step(lmdb::txn const& txn, tables const& db, std::uint64_t first_position) {
    if (auto const held = last_key(txn, db); held != (first_position & ~std::uint64_t{1})) {
        throw std::logic_error("the Merkle tree has nodes up to leaf count " + std::to_string(held) +
                               " but the events to add start at position " + std::to_string(first_position));
    }
}

}  // namespace

void merkle_append(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::uint64_t count) {
    if (count == 0 || merkle::tree_skipped_for_benchmark()) return;
    merkle::merkle_hasher hasher;  // holds no state
    check_in_step(txn, db, first_position);
    // Every leaf hash first: the log's bytes point into the map only until the next write.
    std::vector<hash> leaves;
    leaves.reserve(count);
    thread_local std::string scratch;  // decompressed values (format 4), reused
    {
        lmdb::cursor log(txn, db.log);
        auto entry = log.seek(view(encode_u64(first_position)));
        for (std::uint64_t i = 0; i < count; ++i, entry = log.next()) {
            if (!entry || decode_u64(entry->first) != first_position + i) {
                throw std::logic_error("the log lacks position " + std::to_string(first_position + i) +
                                       " for the Merkle tree");
            }
            leaves.push_back(hasher.leaf(canonical_part(db.log_codec->decode(first_position + i, entry->second, scratch))));
        }
    }
    append_leaves(txn, db, first_position, leaves, hasher);
}

void merkle_append(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::uint64_t count, std::function<std::string_view(std::uint64_t)> const& stored) {
    if (count == 0 || merkle::tree_skipped_for_benchmark()) return;
    merkle::merkle_hasher hasher;  // holds no state
    thread_local std::vector<hash> leaves;
    leaves.clear();
    for (std::uint64_t i = 0; i < count; ++i) leaves.push_back(hasher.leaf(canonical_part(stored(i))));
    merkle_append(txn, db, first_position, leaves);
}

void merkle_append(lmdb::write_txn& txn, tables const& db, std::uint64_t first_position,
                   std::span<merkle::hash const> leaves) {
    if (leaves.empty() || merkle::tree_skipped_for_benchmark()) return;
    merkle::merkle_hasher hasher;  // holds no state
    check_in_step(txn, db, first_position);
    append_leaves(txn, db, first_position, leaves, hasher);
}

std::uint64_t merkle_catch_up(lmdb::env& env, tables const& db) {
    constexpr std::uint64_t chunk = 65'536;
    std::uint64_t added = 0;
    if (merkle::tree_skipped_for_benchmark()) return 0;
    for (;;) {
        try {
            lmdb::write_txn txn(env);
            auto const held = last_key(txn, db);  // leaves folded into stored nodes
            auto const events = static_cast<std::uint64_t>(txn.entries(db.log));
            if (held > events) {
                throw std::runtime_error("the Merkle tree covers " + std::to_string(held) + " leaves but the log only " +
                                         std::to_string(events) + " events: the log lost events");
            }
            if (events <= held + 1) return added;
            if (added == 0) spdlog::info("building the Merkle tree for {} events written without it", events - held);
            auto const count = std::min(chunk, events - held);
            merkle_append(txn, db, held, count);
            txn.commit();
            added += count;
        } catch (lmdb::map_full const&) {
            spdlog::info("growing the LMDB map to {} bytes for the Merkle tree", env.map_size() * 2);
            env.set_map_size(env.map_size() * 2);
        }
    }
}

merkle::hash merkle_root(lmdb::txn const& txn, tables const& db, std::uint64_t size) {
    check_size(txn, db, size);
    if (size == 0) return merkle::empty_root();
    merkle::merkle_hasher hasher;
    return subtree(txn, db, 0, size, hasher);
}

std::vector<merkle::hash> merkle_inclusion(lmdb::txn const& txn, tables const& db,
                                           std::uint64_t index, std::uint64_t size) {
    check_size(txn, db, size);
    if (index >= size) throw std::out_of_range("position " + std::to_string(index) + " is not in a tree of " + std::to_string(size));
    merkle::merkle_hasher hasher;
    std::vector<hash> out;
    path(txn, db, index, 0, size, hasher, out);
    return out;
}

std::vector<merkle::hash> merkle_consistency(lmdb::txn const& txn, tables const& db,
                                             std::uint64_t first, std::uint64_t second) {
    check_size(txn, db, second);
    if (first == 0 || first > second) {
        throw std::out_of_range("a consistency proof needs 0 < first <= second");
    }
    merkle::merkle_hasher hasher;
    std::vector<hash> out;
    subproof(txn, db, first, 0, second, true, hasher, out);
    return out;
}

std::optional<merkle_problem> merkle_check(lmdb::env& env, tables const& db) {
    constexpr std::uint64_t chunk = 16'384;  // even: each chunk starts at an even leaf count
    merkle::merkle_hasher hasher;
    std::array<hash, 64> frontier{};
    std::string value;
    std::string scratch;  // decompressed values (format 4)
    std::uint64_t n = 0;
    for (;;) {
        lmdb::read_txn txn(env);
        lmdb::cursor log(txn, db.log);
        lmdb::cursor tree(txn, db.merkle);
        auto entry = log.seek(view(encode_u64(n)));
        auto node = tree.seek(view(encode_u64(n + 1)));
        for (std::uint64_t i = 0; i < chunk; ++i) {
            if (!entry) {
                if (node) return merkle_problem{n, "the Merkle tree holds nodes past the end of the log"};
                return std::nullopt;
            }
            auto const [position_key, stored] = *entry;
            if (decode_u64(position_key) != n) return merkle_problem{n, "the log has a gap here"};
            std::string_view stored_bytes;
            try {
                stored_bytes = db.log_codec->decode(n, stored, scratch);
            } catch (codec_error const& e) {
                return merkle_problem{n, e.what()};
            }
            fold_leaf(frontier, n, hasher.leaf(canonical_part(stored_bytes)), hasher, value);
            ++n;
            entry = log.next();
            if (value.empty()) continue;  // an odd leaf count: nothing stored
            if (!node) return merkle_problem{n - 1, "the Merkle tree lacks the nodes this event completes"};
            auto const [count_key, nodes] = *node;
            if (decode_u64(count_key) != n) return merkle_problem{n - 1, "the Merkle tree has a gap here"};
            if (nodes != std::string_view(value)) return merkle_problem{n - 1, "the Merkle tree does not match this event"};
            node = tree.next();
        }
    }
}

}  // namespace ledger::store::detail
