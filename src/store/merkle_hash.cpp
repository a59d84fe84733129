// RFC 9162 §2.1 hashes and proof verification (include/ledger/store/merkle.hpp).

#include "ledger/store/merkle.hpp"

#include "ledger/detail/sha256_native.hpp"

#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <cstring>
#include <bit>
#include <stdexcept>
#include <vector>

namespace ledger::store::merkle {
namespace {

void check(int ok, char const* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL ") + what + " failed");
}

/// SHA-256 fetched once: EVP_DigestInit_ex(EVP_sha256()) fetches the implementation again on
/// every call in OpenSSL 3, which costs more than hashing a 65-byte node.
EVP_MD const* sha256_md() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::runtime_error("OpenSSL has no SHA256");
    return md;
}

constexpr unsigned char leaf_prefix = 0x00;
constexpr unsigned char node_prefix = 0x01;

}  // namespace

struct merkle_hasher::context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool initialised = false;  // ctx holds SHA-256 already
    ~context() { EVP_MD_CTX_free(ctx); }

    /// The SHA extensions directly (ledger/detail/sha256_native.hpp): a node is two blocks, and
    /// EVP's dispatch cost about as much as one of them. A leaf's input is hashed where it lies;
    /// a node's two hashes (b_size != 0) are joined behind the prefix on the stack.
    static hash native_digest(unsigned char prefix, void const* a, std::size_t a_size, void const* b,
                              std::size_t b_size) {
        auto const bytes = [](void const* p, std::size_t n) { return std::string_view(static_cast<char const*>(p), n); };
        char const head = static_cast<char>(prefix);
        if (b_size == 0) return ledger::detail::sha256_native(std::string_view(&head, 1), bytes(a, a_size));
        std::array<char, 1 + 2 * sizeof(hash)> node{};
        if (a_size + b_size > 2 * sizeof(hash)) throw std::logic_error("a Merkle node joins two hashes");
        node[0] = head;
        std::memcpy(node.data() + 1, a, a_size);
        std::memcpy(node.data() + 1 + a_size, b, b_size);
        return ledger::detail::sha256_native({}, std::string_view(node.data(), 1 + a_size + b_size));
    }

    hash digest(unsigned char prefix, void const* a, std::size_t a_size, void const* b, std::size_t b_size) {
        if (ledger::detail::sha256_native_available()) return native_digest(prefix, a, a_size, b, b_size);
        // nullptr after the first init: OpenSSL 3 reinitialises the digest the context holds
        // instead of resolving the one given again (as sha256_hasher does).
        check(EVP_DigestInit_ex2(ctx, initialised ? nullptr : sha256_md(), nullptr), "DigestInit");
        initialised = true;
        check(EVP_DigestUpdate(ctx, &prefix, 1), "DigestUpdate");
        if (a_size != 0) check(EVP_DigestUpdate(ctx, a, a_size), "DigestUpdate");
        if (b_size != 0) check(EVP_DigestUpdate(ctx, b, b_size), "DigestUpdate");
        hash out{};
        unsigned int length = 0;
        check(EVP_DigestFinal_ex(ctx, out.data(), &length), "DigestFinal");
        return out;
    }
};

merkle_hasher::merkle_hasher() : context_(std::make_unique<context>()) {
    if (context_->ctx == nullptr) throw std::bad_alloc();
}
merkle_hasher::~merkle_hasher() = default;
merkle_hasher::merkle_hasher(merkle_hasher&&) noexcept = default;
merkle_hasher& merkle_hasher::operator=(merkle_hasher&&) noexcept = default;

hash merkle_hasher::leaf(std::string_view input) {
    return context_->digest(leaf_prefix, input.data(), input.size(), nullptr, 0);
}

hash merkle_hasher::node(hash const& left, hash const& right) {
    return context_->digest(node_prefix, left.data(), left.size(), right.data(), right.size());
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
