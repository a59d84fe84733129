#pragma once
// retention (SPEC §7): per campaign, the doctors who started and how many of those whose 12
// (24) month anniversary has passed were still employed on it. Shape as in
// recruits_per_campaign.hpp.
//
// The anniversary is started_on + 365 (730) days; it has passed when it is at or before the
// latest occurred_at folded, the read model's only clock. That clock is not a fact: a retracted
// event's occurred_at has still been seen, so the clock never goes back.

#include "reference/detail/applications.hpp"
#include "reference/fold_event.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace ledger::reference {

class retention {
public:
    static constexpr std::string_view name = "retention";
    static constexpr std::string_view description =
        "Doctors started per campaign and how many stayed 12 and 24 months";
    static constexpr std::uint32_t code_version = 2;
    static constexpr std::array<std::string_view, 6> columns{
        "campaign_id", "started", "eligible_12m", "retained_12m", "eligible_24m", "retained_24m"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per campaign that is planned or has applications, ordered by campaign_id.
    boost::json::array rows() const;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(facts_, latest_occurred_micros_);
    }
    friend bool operator==(retention const&, retention const&) = default;

private:
    detail::application_facts facts_;
    std::int64_t latest_occurred_micros_ = 0;  // 0: nothing folded yet
};

inline retention apply(retention state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::reference
