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
// position. Grouping by stream happens at render time.

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ledger::projections::detail {

/// `Fact` needs a `std::uint64_t position` member, a cereal `serialize` and operator==.
template <class Fact>
class stream_facts {
public:
    /// Remaining facts by stream id, each stream's in log order.
    using grouped = std::unordered_map<std::string_view, std::vector<Fact>>;

    /// Records a fact of `stream_id`. Facts arrive in log order.
    void add(std::string_view stream_id, Fact fact) {
        log_.push_back(entry{std::string(stream_id), std::move(fact), false});
    }

    /// Forgets what the event at `position` of `stream_id` stated; nothing when it stated
    /// nothing this read model keeps, or when that position is in another stream.
    void retract(std::string_view stream_id, std::uint64_t position) {
        auto it = std::lower_bound(log_.begin(), log_.end(), position,
                                   [](entry const& e, std::uint64_t p) { return e.fact.position < p; });
        for (; it != log_.end() && it->fact.position == position; ++it) {
            if (it->stream_id == stream_id) it->retracted = true;
        }
    }

    /// The remaining facts grouped by stream, as copies. The keys view into this object (valid
    /// while it lives unchanged); views into the facts are valid while the result lives.
    grouped streams() const {
        grouped by_stream;
        for (auto const& e : log_) {
            if (!e.retracted) by_stream[e.stream_id].push_back(e.fact);
        }
        return by_stream;
    }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(log_);
    }

    friend bool operator==(stream_facts const&, stream_facts const&) = default;

private:
    struct entry {
        std::string stream_id;
        Fact fact;
        bool retracted = false;

        template <class Archive>
        void serialize(Archive& archive) {
            archive(stream_id, fact, retracted);
        }
        friend bool operator==(entry const&, entry const&) = default;
    };

    std::vector<entry> log_;
};

}  // namespace ledger::projections::detail
