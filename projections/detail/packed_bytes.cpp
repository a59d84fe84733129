#include "projections/detail/packed_bytes.hpp"

#include "ledger/detail/varint.hpp"
#include "ledger/envelope_codec.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace ledger::projections::detail {
namespace {

constexpr std::size_t word = 8;

/// Byte i of the word starting at `at` (zero past the end of `plain`).
char byte_at(std::string_view plain, std::size_t at) { return at < plain.size() ? plain[at] : '\0'; }

bool zero_word(std::string_view plain, std::size_t at) {
    auto const end = std::min(plain.size(), at + word);
    return std::all_of(plain.begin() + static_cast<std::ptrdiff_t>(at), plain.begin() + static_cast<std::ptrdiff_t>(end),
                       [](char c) { return c == '\0'; });
}

}  // namespace

void pack_zero_bytes(std::string_view plain, std::string& out) {
    ledger::detail::put_varint(plain.size(), out);
    std::size_t at = 0;
    while (at < plain.size()) {
        if (zero_word(plain, at)) {
            // A run of zero words: the tag 0 and how many more follow.
            std::size_t more = 0;
            at += word;
            while (more < 255 && at < plain.size() && zero_word(plain, at)) {
                ++more;
                at += word;
            }
            out.push_back('\0');
            out.push_back(static_cast<char>(more));
            continue;
        }
        std::uint8_t tag = 0;
        for (std::size_t i = 0; i < word; ++i) {
            if (byte_at(plain, at + i) != '\0') tag = static_cast<std::uint8_t>(tag | (1u << i));
        }
        out.push_back(static_cast<char>(tag));
        for (std::size_t i = 0; i < word; ++i) {
            if (char const c = byte_at(plain, at + i); c != '\0') out.push_back(c);
        }
        at += word;
    }
}

std::string unpack_zero_bytes(std::string_view packed) {
    auto const size = ledger::detail::take_varint(packed, "packed bytes: the size is cut short",
                                                  "packed bytes: the size does not end");
    // Every packed byte stands for at most 256 words: refuse a size no packing this long makes
    // before allocating it.
    if (size > (packed.size() + 1) * 256 * word) throw codec_error("packed bytes: the size is larger than they hold");
    std::string plain;
    plain.reserve(static_cast<std::size_t>(size) + word);
    while (!packed.empty()) {
        auto const tag = static_cast<std::uint8_t>(packed.front());
        packed.remove_prefix(1);
        if (tag == 0) {
            if (packed.empty()) throw codec_error("packed bytes: a run of zero words is cut short");
            auto const words = std::size_t{static_cast<std::uint8_t>(packed.front())} + 1;
            packed.remove_prefix(1);
            plain.append(words * word, '\0');
        } else {
            for (std::size_t i = 0; i < word; ++i) {
                if ((tag & (1u << i)) == 0) {
                    plain.push_back('\0');
                    continue;
                }
                if (packed.empty()) throw codec_error("packed bytes: a word is cut short");
                plain.push_back(packed.front());
                packed.remove_prefix(1);
            }
        }
        if (plain.size() > size + word) throw codec_error("packed bytes: more words than their size");
    }
    // The padding of the last word is zeros, and nothing but it is past the size.
    if (plain.size() != (size + word - 1) / word * word) {
        throw codec_error("packed bytes: the words do not match their size");
    }
    if (!std::all_of(plain.begin() + static_cast<std::ptrdiff_t>(size), plain.end(), [](char c) { return c == '\0'; })) {
        throw codec_error("packed bytes: the padding is not zero");
    }
    plain.resize(static_cast<std::size_t>(size));
    return plain;
}

}  // namespace ledger::projections::detail
