#pragma once
// The distinct texts one entity entry names (a candidate's application ids), numbered in the
// order first named, kept in the entry itself rather than interned in the read model's pool.
//
// origin and hires-vs-target count one contract per application: they only ever compare a
// candidate's application ids with each other, never across candidates, so numbering them per
// entry gives the same answers as numbering them per model. Kept in the entry, the ids go
// where the entry goes (the store's `projections` table for the runner's live models) instead
// of staying in private memory for the life of the process: one id per contract, ~19 MB per
// model at 10,000,000 demo events (docs/read-models.md "Private memory at 10,000,000 events").
//
// Form: one std::string holding, per text, its length (u32, native order) and its characters;
// an entry names one or two texts, so a lookup is a short walk. A text named once keeps its
// number even after the fact that named it is retracted (as a pool does), so a save is the
// same whichever way the entry was reached.
//
// Errors: load() throws codec_error for bytes that do not split into whole texts.
// Threading: a plain value.

#include "ledger/envelope_codec.hpp"

#include <cereal/types/string.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ledger::projections::detail {

class entry_texts {
public:
    /// The number of `text` among this entry's texts, adding it when new.
    std::uint32_t intern(std::string_view text) {
        std::uint32_t number = 0;
        std::size_t at = 0;
        while (at < packed_.size()) {
            auto const length = length_at(at);
            if (std::string_view(packed_).substr(at + sizeof length, length) == text) return number;
            at += sizeof length + length;
            ++number;
        }
        auto const length = static_cast<std::uint32_t>(text.size());
        packed_.append(reinterpret_cast<char const*>(&length), sizeof length);
        packed_.append(text);
        return number;
    }
    bool empty() const noexcept { return packed_.empty(); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(packed_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(packed_);
        std::size_t at = 0;
        while (at < packed_.size()) {
            if (packed_.size() - at < sizeof(std::uint32_t)) throw codec_error("an entry's texts do not add up");
            auto const length = length_at(at);
            if (length > packed_.size() - at - sizeof length) throw codec_error("an entry's texts do not add up");
            at += sizeof length + length;
        }
    }
    friend bool operator==(entry_texts const&, entry_texts const&) = default;

private:
    std::uint32_t length_at(std::size_t at) const noexcept {
        std::uint32_t length = 0;
        std::memcpy(&length, packed_.data() + at, sizeof length);
        return length;
    }
    std::string packed_;
};

}  // namespace ledger::projections::detail
