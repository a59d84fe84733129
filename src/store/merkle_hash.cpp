// RFC 9162 §2.1 hashes and proof verification (include/ledger/store/merkle.hpp).

#include "ledger/store/merkle.hpp"

#include "ledger/detail/sha256_low_level.hpp"

#include <atomic>
#include <bit>
#include <vector>

namespace ledger::store::merkle {
namespace {

constexpr char leaf_prefix = 0x00;
constexpr char node_prefix = 0x01;

std::string_view bytes_of(hash const& h) { return {reinterpret_cast<char const*>(h.data()), h.size()}; }

}  // namespace

// Stateless since issue 18: each digest runs on a SHA256_CTX on the stack
// (ledger/detail/sha256_low_level.hpp); the type stays for its callers.
hash merkle_hasher::leaf(std::string_view input) {
    return ledger::detail::sha256_of_parts({std::string_view(&leaf_prefix, 1), input});
}

hash merkle_hasher::node(hash const& left, hash const& right) {
    return ledger::detail::sha256_of_parts({std::string_view(&node_prefix, 1), bytes_of(left), bytes_of(right)});
}

hash leaf_hash(std::string_view input) { return merkle_hasher{}.leaf(input); }
hash node_hash(hash const& left, hash const& right) { return merkle_hasher{}.node(left, right); }
hash empty_root() { return sha256(std::string_view{}); }

namespace {
std::atomic<bool> benchmark_skip{false};
}  // namespace

void skip_tree_for_benchmark(bool skip) noexcept { benchmark_skip.store(skip); }
bool tree_skipped_for_benchmark() noexcept { return benchmark_skip.load(std::memory_order_relaxed); }

std::uint64_t split_point(std::uint64_t n) noexcept { return std::bit_floor(n - 1); }

bool verify_inclusion(std::uint64_t index, std::uint64_t size, hash const& leaf,
                      std::span<hash const> path, hash const& root) {
    if (index >= size) return false;
    merkle_hasher hasher;
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    hash r = leaf;
    for (auto const& p : path) {
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            r = hasher.node(p, r);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = hasher.node(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t first, std::uint64_t second, hash const& first_root,
                        hash const& second_root, std::span<hash const> proof) {
    if (first == 0 || first > second) return false;
    if (first == second) return proof.empty() && first_root == second_root;
    if (proof.empty()) return false;
    std::vector<hash> path;
    path.reserve(proof.size() + 1);
    if (std::has_single_bit(first)) path.push_back(first_root);
    path.insert(path.end(), proof.begin(), proof.end());
    merkle_hasher hasher;
    std::uint64_t fn = first - 1;
    std::uint64_t sn = second - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    hash fr = path.front();
    hash sr = path.front();
    for (std::size_t i = 1; i < path.size(); ++i) {
        auto const& c = path[i];
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            fr = hasher.node(c, fr);
            sr = hasher.node(c, sr);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = hasher.node(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return fr == first_root && sr == second_root && sn == 0;
}

}  // namespace ledger::store::merkle
