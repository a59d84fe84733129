#pragma once
// Unsigned LEB128 numbers (7 bits a byte, the high bit set on all but the last), as the log's
// values (src/store/log_values.cpp) and the packed entity entries
// (projections/detail/packed_bytes.cpp) write them. Each reader names its own errors, so a
// refusal says what was being read. Pure functions; any thread.

#include "ledger/envelope_codec.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::detail {

inline void put_varint(std::uint64_t value, std::string& out) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7Fu) | 0x80u));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

/// The number at the front of `in`, taken off it. Throws codec_error(`cut_short`) when `in`
/// ends inside it, codec_error(`too_long`) when it runs past 64 bits.
inline std::uint64_t take_varint(std::string_view& in, char const* cut_short, char const* too_long) {
    std::uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (in.empty()) throw codec_error(cut_short);
        auto const byte = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        value |= std::uint64_t{byte & 0x7Fu} << shift;
        if ((byte & 0x80u) == 0) return value;
    }
    throw codec_error(too_long);
}

}  // namespace ledger::detail
