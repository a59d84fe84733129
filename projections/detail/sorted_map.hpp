#pragma once
// A map kept as one vector of (key, value) pairs sorted by key, for the small maps read models
// keep per row (outreach's consenting candidates by expiry day, a median's day counts): most
// hold one to a few keys, where a boost::unordered_flat_map allocated a whole group of slots
// on its first insert (~1 KiB for outreach's rows, memory first touched: a page fault per
// 4 KiB, which on this project's machines costs ~17 µs; docs/performance.md, rm-replay5).
// Here an empty map allocates nothing and a map of n keys holds n pairs (plus the vector's
// growth).
//
// Saved as entity_archive.hpp saves an unordered_flat_map (a u64 count, then each key and value
// in key order), so a state keeps the bytes it had when its maps were flat maps; a load takes
// pairs in any order, a repeated key loading into the same value, as that map's load did.
//
// Lookups are a binary search; inserting or erasing moves the pairs after it, so this is for
// maps of up to some hundreds of keys.
//
// Threading: a plain value; callers serialise access.

#include <cereal/cereal.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace ledger::projections::detail {

template <class Key, class Value>
class sorted_map {
public:
    using value_type = std::pair<Key, Value>;
    using iterator = typename std::vector<value_type>::iterator;
    using const_iterator = typename std::vector<value_type>::const_iterator;

    /// The value of `key`, value-initialised and inserted in key order when absent.
    Value& operator[](Key const& key) {
        auto const at = lower_bound(key);
        if (at != pairs_.end() && at->first == key) return at->second;
        return pairs_.insert(at, value_type{key, Value{}})->second;
    }
    iterator find(Key const& key) {
        auto const at = lower_bound(key);
        return at != pairs_.end() && at->first == key ? at : pairs_.end();
    }
    const_iterator find(Key const& key) const {
        auto const at = std::lower_bound(pairs_.begin(), pairs_.end(), key,
                                         [](value_type const& p, Key const& k) { return p.first < k; });
        return at != pairs_.end() && at->first == key ? at : pairs_.end();
    }
    void erase(Key const& key) {
        auto const at = find(key);
        if (at != pairs_.end()) pairs_.erase(at);
    }
    void clear() noexcept { pairs_.clear(); }

    const_iterator begin() const noexcept { return pairs_.begin(); }
    const_iterator end() const noexcept { return pairs_.end(); }
    std::size_t size() const noexcept { return pairs_.size(); }
    bool empty() const noexcept { return pairs_.empty(); }

    friend bool operator==(sorted_map const&, sorted_map const&) = default;

private:
    iterator lower_bound(Key const& key) {
        return std::lower_bound(pairs_.begin(), pairs_.end(), key,
                                [](value_type const& p, Key const& k) { return p.first < k; });
    }

    std::vector<value_type> pairs_;  // by key, each key once
};

template <class Archive, class K, class V>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive, sorted_map<K, V> const& map) {
    archive(static_cast<std::uint64_t>(map.size()));
    for (auto const& [key, value] : map) archive(key, value);
}

template <class Archive, class K, class V>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, sorted_map<K, V>& map) {
    std::uint64_t count = 0;
    archive(count);
    map.clear();
    // Element by element, so a damaged count runs out of bytes (and throws) before it allocates.
    for (std::uint64_t i = 0; i < count; ++i) {
        K key{};
        archive(key);
        archive(map[key]);  // loaded in place
    }
}

}  // namespace ledger::projections::detail
