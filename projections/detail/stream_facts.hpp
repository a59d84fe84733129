#pragma once
// The facts a read model keeps, grouped by the stream they came from, each tagged with the
// log position of the event that stated it.
//
// Read models keep facts rather than running totals so that `EventRetracted` can undo any
// event exactly: a retraction names a position in its own stream, and retracting drops that
// stream's facts from that position. Rows are derived from the facts when rendered.

#include <cereal/types/string.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/vector.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ledger::projections::detail {

/// Hashes std::string and std::string_view alike, so lookups by view allocate nothing.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

/// `Fact` needs a `std::uint64_t position` member and a cereal `serialize`.
template <class Fact>
class stream_facts {
public:
    using map_type = std::unordered_map<std::string, std::vector<Fact>, string_hash, std::equal_to<>>;

    /// Records a fact of `stream_id`. Facts of one stream arrive in log order.
    void add(std::string_view stream_id, Fact fact) {
        auto it = by_stream_.find(stream_id);
        if (it == by_stream_.end()) it = by_stream_.emplace(std::string(stream_id), std::vector<Fact>{}).first;
        it->second.push_back(std::move(fact));
    }

    /// Forgets what the event at `position` of `stream_id` stated; nothing when it stated
    /// nothing this read model keeps.
    void retract(std::string_view stream_id, std::uint64_t position) {
        auto const it = by_stream_.find(stream_id);
        if (it == by_stream_.end()) return;
        std::erase_if(it->second, [&](Fact const& f) { return f.position == position; });
        if (it->second.empty()) by_stream_.erase(it);
    }

    /// The facts of one stream in log order; empty when it has none.
    std::vector<Fact> const& of(std::string_view stream_id) const {
        static std::vector<Fact> const none;
        auto const it = by_stream_.find(stream_id);
        return it == by_stream_.end() ? none : it->second;
    }

    map_type const& streams() const noexcept { return by_stream_; }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(by_stream_);
    }

    friend bool operator==(stream_facts const&, stream_facts const&) = default;

private:
    map_type by_stream_;
};

}  // namespace ledger::projections::detail
