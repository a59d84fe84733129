#pragma once
// cereal save/load for the containers entity tables are made of: few<T> (small_vector) and
// boost::unordered_flat_map, written as a u64 count then the elements (maps in key order, so
// equal states save equal bytes). Loading reads element by element, so a damaged count runs
// out of bytes and throws (ledger::codec_error from the archive) instead of allocating.

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cereal/cereal.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace ledger::projections::detail {

/// A list of a few values, the first one inline (most entities have exactly one).
template <class T>
using few = boost::container::small_vector<T, 1>;

}  // namespace ledger::projections::detail

namespace boost::container {

template <class Archive, class T, std::size_t N>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive, small_vector<T, N> const& items) {
    archive(static_cast<std::uint64_t>(items.size()));
    for (auto const& item : items) archive(item);
}

template <class Archive, class T, std::size_t N>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, small_vector<T, N>& items) {
    std::uint64_t count = 0;
    archive(count);
    items.clear();
    for (std::uint64_t i = 0; i < count; ++i) archive(items.emplace_back());
}

}  // namespace boost::container

namespace boost::unordered {

template <class Archive, class K, class V, class H, class E, class A>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive, unordered_flat_map<K, V, H, E, A> const& map) {
    std::vector<K> keys;
    keys.reserve(map.size());
    for (auto const& entry : map) keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    archive(static_cast<std::uint64_t>(keys.size()));
    for (auto const& key : keys) archive(key, map.at(key));
}

template <class Archive, class K, class V, class H, class E, class A>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, unordered_flat_map<K, V, H, E, A>& map) {
    std::uint64_t count = 0;
    archive(count);
    map.clear();
    for (std::uint64_t i = 0; i < count; ++i) {
        K key{};
        archive(key);
        archive(map[key]);  // loaded in place (GCC 12 warns about moving a small_vector)
    }
}

}  // namespace boost::unordered
