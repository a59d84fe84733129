#pragma once
// A second, plain implementation of RFC 9162 §2.1 (MTH, PATH, PROOF) written straight from the
// RFC's recursive definitions over a list of leaf inputs: the independent reference the stored
// tree (src/store/merkle_tree.cpp) is checked against. Memoises MTH by range so that checking
// every proof of every small tree stays quick. Not thread-safe.

#include "ledger/sha256.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ledger::testing {

class rfc9162_reference {
public:
    explicit rfc9162_reference(std::vector<std::string> leaves) : leaves_(std::move(leaves)) {}

    sha256_digest mth(std::size_t begin, std::size_t end) {
        if (auto const known = cache_.find({begin, end}); known != cache_.end()) return known->second;
        sha256_digest out{};
        if (end == begin) {
            out = sha256("");
        } else if (end - begin == 1) {
            out = sha256(std::string(1, '\0') + leaves_[begin]);
        } else {
            auto const k = largest_power_below(end - begin);
            out = node(mth(begin, begin + k), mth(begin + k, end));
        }
        cache_[{begin, end}] = out;
        return out;
    }

    std::vector<sha256_digest> path(std::size_t m, std::size_t begin, std::size_t end) {
        auto const n = end - begin;
        if (n == 1) return {};
        auto const k = largest_power_below(n);
        std::vector<sha256_digest> out;
        if (m < k) {
            out = path(m, begin, begin + k);
            out.push_back(mth(begin + k, end));
        } else {
            out = path(m - k, begin + k, end);
            out.push_back(mth(begin, begin + k));
        }
        return out;
    }

    std::vector<sha256_digest> proof(std::size_t m, std::size_t n) { return subproof(m, 0, n, true); }

private:
    std::vector<sha256_digest> subproof(std::size_t m, std::size_t begin, std::size_t end, bool b) {
        auto const n = end - begin;
        if (m == n) {
            if (b) return {};
            return {mth(begin, end)};
        }
        auto const k = largest_power_below(n);
        std::vector<sha256_digest> out;
        if (m <= k) {
            out = subproof(m, begin, begin + k, b);
            out.push_back(mth(begin + k, end));
        } else {
            out = subproof(m - k, begin + k, end, false);
            out.push_back(mth(begin, begin + k));
        }
        return out;
    }

    static std::size_t largest_power_below(std::size_t n) {
        std::size_t k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    static sha256_digest node(sha256_digest const& l, sha256_digest const& r) {
        std::string input(1, '\1');
        input.append(reinterpret_cast<char const*>(l.data()), l.size());
        input.append(reinterpret_cast<char const*>(r.data()), r.size());
        return sha256(input);
    }

    std::vector<std::string> leaves_;
    std::map<std::pair<std::size_t, std::size_t>, sha256_digest> cache_;
};

}  // namespace ledger::testing
