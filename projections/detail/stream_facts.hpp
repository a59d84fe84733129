#pragma once
// The few facts a read model keeps per entity (a position, a candidate, a target), grouped by
// the entity's stream, each with the log position of the event that stated it.
//
// Used where a model needs an entity's own short history (a position's postings and fill, a
// candidate's consents, interests and contracts): a retraction names a position of its own
// stream and erases the facts stated there, so only remaining facts are kept and the state is
// bounded by the entities and what is still true of them, not by the events ever folded.
// Stream ids and other repeated texts are interned in a string_pool: a number, not a copy.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include "ledger/envelope_codec.hpp"
#include "projections/detail/entity_archive.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ledger::projections::detail {

/// Distinct strings, each stored once and named by a dense 32-bit number, so facts hold a
/// number instead of a copy (memory) and compare numbers (speed).
class string_pool {
public:
    /// The number of `text`, adding it when new.
    std::uint32_t intern(std::string_view text) {
        // Streams append in runs (a batch, a candidate's journey): the last one often repeats.
        if (!texts_.empty() && texts_[last_] == text) return last_;
        auto const known = index_.find(text);
        if (known != index_.end()) return last_ = known->second;
        auto const number = static_cast<std::uint32_t>(texts_.size());
        index_.emplace(texts_.emplace_back(text), number);  // a deque never moves its strings
        return last_ = number;
    }

    /// The number of `text`, or nullopt when it was never interned.
    std::optional<std::uint32_t> find(std::string_view text) const {
        auto const known = index_.find(text);
        return known == index_.end() ? std::nullopt : std::optional(known->second);
    }

    std::string_view text(std::uint32_t number) const { return texts_[number]; }
    std::size_t size() const noexcept { return texts_.size(); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(static_cast<std::uint64_t>(texts_.size()));
        for (auto const& text : texts_) archive(text);
    }

    template <class Archive>
    void load(Archive& archive) {
        std::uint64_t count = 0;
        archive(count);
        texts_.clear();
        index_.clear();
        last_ = 0;
        for (std::uint64_t i = 0; i < count; ++i) {
            std::string text;
            archive(text);
            if (find(text)) throw codec_error("a snapshot's string pool repeats a string");
            intern(text);
        }
    }

    friend bool operator==(string_pool const& a, string_pool const& b) { return a.texts_ == b.texts_; }

private:
    std::deque<std::string> texts_;
    // Open addressing: interning is a lookup per fact folded, in a table as large as the
    // number of distinct ids, so probing memory once matters (std::unordered_map chases nodes).
    boost::unordered_flat_map<std::string_view, std::uint32_t> index_;
    std::uint32_t last_ = 0;  // the number intern() returned last
};

/// The remaining facts of each stream, grouped by stream, each stream's in log order.
/// `Fact` needs a `std::uint64_t position` member, a cereal `serialize` and operator==.
template <class Fact>
class stream_facts {
public:
    /// Remaining facts by stream id (interned in this object's pool).
    using grouped = boost::unordered_flat_map<std::uint32_t, few<Fact>>;

    /// Records a fact of `stream_id`. Facts arrive in log order.
    void add(std::string_view stream_id, Fact fact) {
        by_stream_[streams_.intern(stream_id)].push_back(std::move(fact));
    }

    /// Forgets what the event at `position` of `stream_id` stated; nothing when it stated
    /// nothing this read model keeps, or when that position is in another stream. A stream
    /// left without facts goes, so the state is what it would be had the event never happened
    /// (but for the stream's name, which stays interned).
    void retract(std::string_view stream_id, std::uint64_t position) {
        auto const stream = streams_.find(stream_id);
        if (!stream) return;
        auto const group = by_stream_.find(*stream);
        if (group == by_stream_.end()) return;
        auto& facts = group->second;
        auto const [first, last] = std::equal_range(
            facts.begin(), facts.end(), position,
            [](auto const& a, auto const& b) { return position_of(a) < position_of(b); });
        facts.erase(first, last);
        if (facts.empty()) by_stream_.erase(group);
    }

    /// The remaining facts grouped by stream (keys: numbers of stream_name()).
    grouped const& streams() const noexcept { return by_stream_; }
    std::string_view stream_name(std::uint32_t number) const { return streams_.text(number); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(streams_, by_stream_);
    }

    template <class Archive>
    void load(Archive& archive) {
        archive(streams_, by_stream_);
        for (auto const& [stream, facts] : by_stream_) {
            if (stream >= streams_.size()) throw codec_error("a snapshot's fact names an unknown stream");
        }
    }

    friend bool operator==(stream_facts const&, stream_facts const&) = default;

private:
    static std::uint64_t position_of(Fact const& fact) noexcept { return fact.position; }
    static std::uint64_t position_of(std::uint64_t position) noexcept { return position; }

    string_pool streams_;  // stream ids
    grouped by_stream_;
};

}  // namespace ledger::projections::detail
