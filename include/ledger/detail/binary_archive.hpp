#pragma once
// cereal archives that write cereal's portable binary format, byte for byte, straight into a
// std::string and read it straight from memory someone else owns (an LMDB page). They replace
// PortableBinary{Output,Input}Archive over an ostringstream / istream, whose stream set-up
// (locale, ios_base) and virtual streambuf calls cost more than the envelope itself
// (docs/performance.md).
//
// The format: one header byte 1 ("little-endian"), then every arithmetic value in little-endian
// byte order, sizes as u64. Reading also accepts the header byte 0 (big-endian values) as
// cereal's does. Golden-byte tests (tests/test_envelope_codec.cpp, test_catalog_golden.cpp)
// hold both to cereal's format.
//
// Reading is defensive, because stored bytes may be damaged: every failure throws
// ledger::codec_error; a bool byte other than 0 or 1 is refused (loading it would be undefined
// behaviour); and a size larger than the bytes left is refused before anything is allocated
// (every element of every container stored here takes at least one byte).
//
// Threading: an archive is used by one thread at a time.

#include "ledger/envelope_codec.hpp"

#include <cereal/cereal.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace ledger::detail {

static_assert(std::endian::native == std::endian::little,
              "binary_archive writes host byte order as cereal's little-endian portable binary");

/// Appends cereal portable binary to `out` (which it does not clear).
class string_output_archive : public cereal::OutputArchive<string_output_archive, cereal::AllowEmptyClassElision> {
public:
    explicit string_output_archive(std::string& out) : OutputArchive(this), out_(out) {
        out_.push_back('\1');  // cereal's header: the values are little-endian
    }

    void save_bytes(void const* data, std::size_t size) {
        out_.append(static_cast<char const*>(data), size);
    }

private:
    std::string& out_;
};

/// Reads cereal portable binary from `bytes`, which must outlive the archive — or from several
/// pieces read as one run of bytes (a chunked checkpoint record decoded where its chunks lie in
/// the map, with no contiguous copy: docs/performance.md, rm-asof9). A read that crosses from
/// one piece into the next is copied across; only that slow path knows there are pieces.
class memory_input_archive : public cereal::InputArchive<memory_input_archive, cereal::AllowEmptyClassElision> {
public:
    /// Throws codec_error when `bytes` has no valid header byte.
    explicit memory_input_archive(std::string_view bytes)
        : InputArchive(this), next_(bytes.data()), end_(bytes.data() + bytes.size()) {
        read_header();
    }
    /// The pieces in order, as one run of bytes starting with the header byte; `pieces` (the
    /// array of views, not only the bytes) must outlive the archive. Throws as above.
    explicit memory_input_archive(std::span<std::string_view const> pieces) : InputArchive(this) {
        pieces_ = pieces.data();
        piece_count_ = pieces.size();
        if (!pieces.empty()) {
            next_ = pieces.front().data();
            end_ = next_ + pieces.front().size();
            for (auto const piece : pieces.subspan(1)) after_ += piece.size();
        }
        read_header();
    }

    /// Copies `size` bytes out, each `element` bytes wide (reversed when the data is big-endian).
    void load_bytes(void* data, std::size_t size, std::size_t element = 1) {
        if (size > here()) {
            load_across(static_cast<char*>(data), size);  // throws when fewer are left
        } else if (size != 0) {  // an empty string's or record's pointer may be null: no memcpy
            std::memcpy(data, next_, size);
            next_ += size;
        }
        if (swap_ && element > 1) {
            auto* bytes = static_cast<unsigned char*>(data);
            for (std::size_t i = 0; i < size; i += element) std::reverse(bytes + i, bytes + i + element);
        }
    }

    /// Refuses a stored element count that the bytes left could not possibly hold.
    void check_size(std::uint64_t size) const {
        if (size > remaining()) throw codec_error("a stored size is larger than its record");
    }

    std::size_t remaining() const noexcept { return here() + after_; }

    /// Passes over `size` bytes (throws codec_error when fewer are left).
    void skip(std::size_t size) {
        if (size > here()) {
            load_across(nullptr, size);
        } else {
            next_ += size;
        }
    }

    /// Where the next byte is read from (in the next piece when this one is read to its end),
    /// and whether values are byte-swapped: so that a part of the bytes can be read again later
    /// (continued_from) without its header byte.
    char const* position() noexcept {
        while (next_ == end_ && piece_ + 1 < piece_count_) next_piece();
        return next_;
    }
    bool swapped() const noexcept { return swap_; }
    /// An archive over `bytes` that lie inside one read by `from` (no header byte of their own).
    static memory_input_archive continued_from(std::string_view bytes, bool swapped) {
        return memory_input_archive(bytes, swapped);
    }

    /// A place in the bytes (from mark()), so that what was read since can be had in one piece.
    struct place {
        std::size_t piece = 0;
        char const* at = nullptr;
    };
    place mark() noexcept {
        position();
        return {piece_, next_};
    }
    /// The bytes read since `from`: a view when they lie in one piece, else joined into `joined`.
    std::string_view read_since(place const& from, std::string& joined) const {
        if (from.piece == piece_) return {from.at, static_cast<std::size_t>(next_ - from.at)};
        auto const first = pieces_[from.piece];
        joined.assign(from.at, static_cast<std::size_t>(first.data() + first.size() - from.at));
        for (auto i = from.piece + 1; i < piece_; ++i) joined.append(pieces_[i]);
        joined.append(pieces_[piece_].data(), static_cast<std::size_t>(next_ - pieces_[piece_].data()));
        return joined;
    }

private:
    memory_input_archive(std::string_view bytes, bool swapped)
        : InputArchive(this), next_(bytes.data()), end_(bytes.data() + bytes.size()), swap_(swapped) {}

    void read_header() {
        std::uint8_t little = 1;
        load_bytes(&little, 1);
        if (little > 1) throw codec_error("not cereal portable binary: bad header byte");
        swap_ = little == 0;
    }
    std::size_t here() const noexcept { return static_cast<std::size_t>(end_ - next_); }
    void next_piece() noexcept {
        ++piece_;
        next_ = pieces_[piece_].data();
        end_ = next_ + pieces_[piece_].size();
        after_ -= pieces_[piece_].size();
    }
    /// load_bytes' and skip's path across pieces (`out` null: skipped).
    void load_across(char* out, std::size_t size) {
        if (size > remaining()) throw codec_error("stored value is shorter than its layout");
        while (size != 0) {
            while (next_ == end_) next_piece();  // remaining() said the bytes are there
            auto const take = std::min(size, here());
            if (out != nullptr) {
                std::memcpy(out, next_, take);
                out += take;
            }
            next_ += take;
            size -= take;
        }
    }

    char const* next_ = nullptr;
    char const* end_ = nullptr;
    bool swap_ = false;
    // Pieces (none for one run of bytes): the views, which one is read, the bytes after it.
    std::string_view const* pieces_ = nullptr;
    std::size_t piece_count_ = 0;
    std::size_t piece_ = 0;
    std::size_t after_ = 0;
};

template <class T>
    requires std::is_arithmetic_v<T>
void CEREAL_SAVE_FUNCTION_NAME(string_output_archive& ar, T const& value) {
    ar.save_bytes(&value, sizeof value);
}

template <class T>
    requires std::is_arithmetic_v<T>
void CEREAL_LOAD_FUNCTION_NAME(memory_input_archive& ar, T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        std::uint8_t byte = 0;
        ar.load_bytes(&byte, 1);
        if (byte > 1) throw codec_error("a stored bool is neither 0 nor 1");
        value = byte == 1;
    } else {
        ar.load_bytes(&value, sizeof value, sizeof value);
    }
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(string_output_archive& ar, cereal::BinaryData<T> const& data) {
    ar.save_bytes(data.data, static_cast<std::size_t>(data.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(memory_input_archive& ar, cereal::BinaryData<T>& data) {
    using element = std::remove_pointer_t<T>;
    ar.load_bytes(data.data, static_cast<std::size_t>(data.size), sizeof(element));
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(string_output_archive& ar, cereal::NameValuePair<T> const& pair) {
    ar(pair.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(memory_input_archive& ar, cereal::NameValuePair<T>& pair) {
    ar(pair.value);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(string_output_archive& ar, cereal::SizeTag<T> const& tag) {
    ar(static_cast<std::uint64_t>(tag.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(memory_input_archive& ar, cereal::SizeTag<T>& tag) {
    std::uint64_t size = 0;
    ar(size);
    ar.check_size(size);
    tag.size = static_cast<std::remove_reference_t<T>>(size);
}

/// Whether the archive read every byte it was given:
/// throws codec_error("<what> has trailing bytes") when it did not.
inline void expect_consumed(memory_input_archive const& ar, std::string_view what) {
    if (ar.remaining() != 0) throw codec_error(std::string(what) + " has trailing bytes");
}

}  // namespace ledger::detail

CEREAL_SETUP_ARCHIVE_TRAITS(ledger::detail::memory_input_archive, ledger::detail::string_output_archive)
