#pragma once
// cereal save/load for the containers entity tables are made of: few<T> (defined here) and
// boost::unordered_flat_map, written as a u64 count then the elements (maps in key order, so
// equal states save equal bytes). Loading reads element by element, so a damaged count runs
// out of bytes and throws (ledger::codec_error from the archive) instead of allocating.
// Large tables of plain values are saved as columns instead (save_column: their bytes).

#include "ledger/envelope_codec.hpp"

#include <boost/unordered/unordered_flat_map.hpp>
#include <cereal/cereal.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace ledger::projections::detail {

/// A list of a few plain values (most entities have exactly one), for entity entries: one value
/// is kept inline, more go to the heap; 8 bytes besides the inline value (a small_vector took
/// 24). Iterators are pointers; erasing keeps the order. An entry's lists are what its memory is
/// made of, so their size is what bounds the state per entity.
template <class T>
class few {
    static_assert(std::is_trivially_copyable_v<T>, "few<T> copies its values as bytes");

public:
    using value_type = T;
    using iterator = T*;
    using const_iterator = T const*;

    few() noexcept : one_{} {}
    few(few const& other) : few() { assign(other); }
    few(few&& other) noexcept : few() { take(other); }
    few& operator=(few const& other) {
        if (this != &other) assign(other);
        return *this;
    }
    few& operator=(few&& other) noexcept {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }
    ~few() { release(); }

    T* data() noexcept { return capacity_ > 1 ? many_ : &one_; }
    T const* data() const noexcept { return capacity_ > 1 ? many_ : &one_; }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + size_; }
    T const* begin() const noexcept { return data(); }
    T const* end() const noexcept { return data() + size_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T& front() noexcept { return data()[0]; }
    T const& front() const noexcept { return data()[0]; }
    T& back() noexcept { return data()[size_ - 1]; }
    T const& back() const noexcept { return data()[size_ - 1]; }

    void push_back(T const& value) {
        if (size_ == capacity_) grow();
        data()[size_++] = value;
    }
    T& emplace_back() {
        push_back(T{});
        return back();
    }
    T* erase(T const* first, T const* last) {
        auto* const d = data();
        auto const from = static_cast<std::size_t>(first - d);
        auto const count = static_cast<std::size_t>(last - first);
        std::copy(d + from + count, d + size_, d + from);
        size_ -= static_cast<std::uint32_t>(count);
        if (capacity_ > 1 && size_ <= 1) shrink_inline();  // back to one value inline
        return data() + from;
    }
    T* erase(T const* at) { return erase(at, at + 1); }
    void clear() noexcept {
        release();
        size_ = 0;
    }

    friend bool operator==(few const& a, few const& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    void grow() {
        auto const capacity = capacity_ * 2;
        auto* const bigger = new T[capacity];
        std::copy(begin(), end(), bigger);
        release_heap();
        many_ = bigger;
        capacity_ = capacity;
    }
    void shrink_inline() noexcept {
        T const kept = size_ == 1 ? many_[0] : T{};
        delete[] many_;
        capacity_ = 1;
        one_ = kept;
    }
    void release_heap() noexcept {
        if (capacity_ > 1) delete[] many_;
    }
    void release() noexcept {
        release_heap();
        capacity_ = 1;
        one_ = T{};
    }
    void assign(few const& other) {
        clear();
        for (auto const& value : other) push_back(value);
    }
    void take(few& other) noexcept {
        size_ = other.size_;
        capacity_ = other.capacity_;
        if (other.capacity_ > 1) many_ = other.many_;
        else one_ = other.one_;
        other.size_ = 0;
        other.capacity_ = 1;
        other.one_ = T{};
    }

    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = 1;  // 1: the value (if any) is inline
    union {
        T one_;
        T* many_;
    };
};

template <class Archive, class T>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive, few<T> const& items) {
    archive(static_cast<std::uint64_t>(items.size()));
    for (auto const& item : items) archive(item);
}

template <class Archive, class T>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, few<T>& items) {
    std::uint64_t count = 0;
    archive(count);
    items.clear();
    for (std::uint64_t i = 0; i < count; ++i) {
        T item{};
        archive(item);
        items.push_back(item);
    }
}

/// A column of plain values saved as its count (u64) and its bytes as they are in memory
/// (the host is little-endian, as the archive's format; binary_archive.hpp asserts it), and
/// loaded with one copy: a snapshot's large tables load at memory speed instead of field by
/// field. Only for types without padding, so equal values save equal bytes.
template <class Archive, class T>
void save_column(Archive& archive, std::vector<T> const& column) {
    static_assert(std::is_trivially_copyable_v<T> && std::has_unique_object_representations_v<T>,
                  "a column is saved as its bytes: no padding");
    archive(static_cast<std::uint64_t>(column.size()));
    if (!column.empty()) archive(cereal::binary_data(column.data(), column.size() * sizeof(T)));
}

/// Loads what save_column saved; a count larger than the bytes left is refused (the archive
/// throws ledger::codec_error) before anything is allocated.
template <class Archive, class T>
void load_column(Archive& archive, std::vector<T>& column) {
    static_assert(std::is_trivially_copyable_v<T> && std::has_unique_object_representations_v<T>,
                  "a column is loaded as its bytes: no padding");
    std::uint64_t count = 0;
    archive(count);
    if constexpr (requires { archive.remaining(); }) {
        if (count > archive.remaining() / sizeof(T)) throw codec_error("a stored column is larger than its record");
    }
    column.resize(static_cast<std::size_t>(count));
    if (!column.empty()) archive(cereal::binary_data(column.data(), column.size() * sizeof(T)));
}

}  // namespace ledger::projections::detail

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
    // Room for every element at once (each takes at least its key's bytes, so a count beyond
    // the record is not reserved): grown by insertion, the campaigns of a 10,000,000-event
    // checkpoint were rehashed into fresh memory at every doubling (rm-asof6). Iteration order is no
    // one's business: saves sort the keys, renders sort the rows.
    if constexpr (requires { archive.remaining(); }) {
        if (count <= archive.remaining() / sizeof(K)) map.reserve(static_cast<std::size_t>(count));
    }
    for (std::uint64_t i = 0; i < count; ++i) {
        K key{};
        archive(key);
        archive(map[key]);  // loaded in place
    }
}

}  // namespace boost::unordered
