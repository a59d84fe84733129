#pragma once
// One entry per entity (a position, a candidate), found by its stream id: the ids are interned
// in a pool of their own, so their numbers are dense, and the entries sit in a deque at those
// numbers — no hash-table slack, no moves when it grows. An entity keeps its (possibly empty)
// entry once it has been named; the state grows with the entities, never with the events.
//
// Threading: a plain value; callers serialise access.

#include "ledger/envelope_codec.hpp"
#include "projections/detail/stream_facts.hpp"

#include <cereal/types/deque.hpp>

#include <cstdint>
#include <deque>
#include <string_view>

namespace ledger::projections::detail {

template <class Entry>
class entities {
public:
    /// The entry of `id`, made (empty) when new.
    Entry& at(std::string_view id) {
        auto const number = ids_.intern(id);
        if (number >= entries_.size()) entries_.resize(std::size_t{number} + 1);
        return entries_[number];
    }

    /// The entry of `id`, or nullptr when it was never named.
    Entry* find(std::string_view id) {
        auto const number = ids_.find(id);
        return number ? &entries_[*number] : nullptr;
    }

    auto begin() const noexcept { return entries_.begin(); }
    auto end() const noexcept { return entries_.end(); }
    std::size_t size() const noexcept { return entries_.size(); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(ids_, entries_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(ids_, entries_);
        if (entries_.size() != ids_.size()) throw codec_error("a snapshot's entries do not match its ids");
    }
    friend bool operator==(entities const&, entities const&) = default;

private:
    string_pool ids_;
    std::deque<Entry> entries_;  // by number in ids_
};

}  // namespace ledger::projections::detail
