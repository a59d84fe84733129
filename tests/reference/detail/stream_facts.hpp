#pragma once
// The facts a read model keeps, each tagged with the stream it came from and the log position
// of the event that stated it.
//
// Read models keep facts rather than running totals so that `EventRetracted` can undo any
// event exactly: a retraction names a position in its own stream, and retracting marks the
// facts stated at that position as if they had never been. Rows are derived when rendered.
//
// Facts live in one vector in log order: folding is an append (no lookup, no scattered memory,
// which is what makes replay fast), and a retraction finds its facts by binary search on the
// position. Grouping by stream happens at render time. Stream ids are interned: a fact holds
// a 32-bit number, not a copy of the name.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include "ledger/envelope_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ledger::reference::detail {

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

/// `Fact` needs a `std::uint64_t position` member, a cereal `serialize` and operator==.
template <class Fact>
class stream_facts {
public:
    /// Remaining facts by stream id, each stream's in log order.
    using grouped = std::unordered_map<std::string_view, std::vector<Fact>>;

    /// Records a fact of `stream_id`. Facts arrive in log order.
    void add(std::string_view stream_id, Fact fact) {
        log_.push_back(entry{std::move(fact), streams_.intern(stream_id), false});
    }

    /// Forgets what the event at `position` of `stream_id` stated; nothing when it stated
    /// nothing this read model keeps, or when that position is in another stream.
    void retract(std::string_view stream_id, std::uint64_t position) {
        auto const stream = streams_.find(stream_id);
        if (!stream) return;
        auto it = std::lower_bound(log_.begin(), log_.end(), position,
                                   [](entry const& e, std::uint64_t p) { return e.fact.position < p; });
        for (; it != log_.end() && it->fact.position == position; ++it) {
            if (it->stream == *stream) it->retracted = true;
        }
    }

    /// The remaining facts grouped by stream, as copies. The keys view into this object (valid
    /// while it lives unchanged); views into the facts are valid while the result lives.
    grouped streams() const {
        grouped by_stream;
        for (auto const& e : log_) {
            if (!e.retracted) by_stream[streams_.text(e.stream)].push_back(e.fact);
        }
        return by_stream;
    }

    template <class Archive>
    void save(Archive& archive) const {
        archive(streams_, log_);
    }

    template <class Archive>
    void load(Archive& archive) {
        archive(streams_, log_);
        for (auto const& e : log_) {
            if (e.stream >= streams_.size()) throw codec_error("a snapshot's fact names an unknown stream");
        }
    }

    friend bool operator==(stream_facts const&, stream_facts const&) = default;

private:
    struct entry {
        Fact fact;
        std::uint32_t stream = 0;  // in streams_
        bool retracted = false;

        template <class Archive>
        void serialize(Archive& archive) {
            archive(fact, stream, retracted);
        }
        friend bool operator==(entry const&, entry const&) = default;
    };

    string_pool streams_;  // stream ids
    std::vector<entry> log_;
};

}  // namespace ledger::reference::detail
