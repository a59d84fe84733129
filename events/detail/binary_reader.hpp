#pragma once
// A reader of the catalogue's binary form (cereal portable binary, little-endian) without
// cereal's archive machinery: read_fields (struct_codec.hpp) walks the described members with
// it exactly as it does with ledger::detail::memory_input_archive, so no event type has a
// decoder of its own. It exists for speed: building and tearing down a cereal InputArchive
// (its maps and sets) per event cost more than reading most events' fields (docs/performance.md
// "Replay: the data decode without cereal's archive").
//
// It takes the bytes after the header byte 1 (little-endian values); the big-endian form
// (header byte 0) and a missing or bad header go through memory_input_archive instead. Every
// check is memory_input_archive's, in the same order, with the same codec_error message:
// reading past the end, a stored size larger than the bytes left, a bool byte other than 0/1.
// tests/test_event_data_reader.cpp holds the two to the same events and errors.
//
// Threading: one reader per thread; the bytes must outlive it.

#include "ledger/envelope_codec.hpp"

#include <cereal/details/helpers.hpp>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace ledger::events::detail {

class binary_reader {
public:
    /// `values`: the bytes after the header byte 1.
    explicit binary_reader(std::string_view values) noexcept
        : next_(values.data()), end_(values.data() + values.size()) {}

    template <class T>
        requires std::is_arithmetic_v<T>
    void operator()(T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            std::uint8_t byte = 0;
            copy(&byte, 1);
            if (byte > 1) throw codec_error("a stored bool is neither 0 nor 1");
            value = byte == 1;
        } else {
            copy(&value, sizeof value);
        }
    }

    /// A container's element count (u64), refused when larger than the bytes left.
    template <class T>
    void operator()(cereal::SizeTag<T>&& tag) {
        std::uint64_t size = 0;
        copy(&size, sizeof size);
        if (size > remaining()) throw codec_error("a stored size is larger than its record");
        tag.size = static_cast<std::remove_reference_t<T>>(size);
    }

    template <class T>
    void operator()(cereal::BinaryData<T>&& data) {
        copy(data.data, static_cast<std::size_t>(data.size));
    }

    std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - next_); }

private:
    void copy(void* to, std::size_t size) {
        if (size > remaining()) throw codec_error("stored value is shorter than its layout");
        if (size == 0) return;  // an empty string's pointer may be null: no memcpy
        std::memcpy(to, next_, size);
        next_ += size;
    }

    char const* next_;
    char const* end_;
};

}  // namespace ledger::events::detail
