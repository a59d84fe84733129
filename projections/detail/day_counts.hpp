#pragma once
// A multiset of whole-day samples (value → how many), for the medians read models maintain:
// a sample is added when an entity starts contributing it and removed when it stops, so the
// median is always that of the entities as they are now, and the state is one entry per
// distinct value (at most one per entity counted), never one per event. The values are a
// sorted_map: most rows hold a few, and a hash map's first insert allocated a group of slots.
//
// Threading: a plain value; callers serialise access.

#include "projections/detail/common.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/sorted_map.hpp"

#include <cstdint>
#include <vector>

namespace ledger::projections::detail {

class day_counts {
public:
    /// Adds (`sign` = +1) or removes (-1) one sample of `days`.
    void add(std::int64_t days, int sign) {
        auto& n = counts_[days];
        n = static_cast<std::uint32_t>(static_cast<std::int64_t>(n) + sign);
        if (n == 0) counts_.erase(days);  // as if never added: saved bytes and == see no trace
    }

    /// Appends every sample (each value as often as it was added) to `out`.
    void append_to(std::vector<std::int64_t>& out) const {
        for (auto const& [days, n] : counts_) out.insert(out.end(), n, days);
    }

    /// The median of the samples as median_days() gives it (JSON null for none).
    boost::json::value median() const {
        std::vector<std::int64_t> samples;
        append_to(samples);
        return median_days(std::move(samples));
    }

    bool empty() const noexcept { return counts_.empty(); }
    template <class Archive>
    void serialize(Archive& archive) {
        archive(counts_);
    }
    friend bool operator==(day_counts const&, day_counts const&) = default;

private:
    sorted_map<std::int64_t, std::uint32_t> counts_;  // saved as the flat map it was
};

}  // namespace ledger::projections::detail
