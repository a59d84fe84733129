#pragma once
// outreach (SPEC §7): per campaign_id of InterestRegistered, the candidates interested, those
// of them with an active contact_brokerage consent, those of these invited to a meeting after
// their interest, the share invited and the median days from interest to invitation.
// Shape as in recruits_per_campaign.hpp.
//
// A consent is active when its latest ConsentGranted/ConsentWithdrawn is a grant whose
// expires_on (if any) is not before the day of the latest occurred_at folded (the read
// model's clock, as in retention.hpp).

#include "reference/detail/stream_facts.hpp"
#include "reference/fold_event.hpp"

#include <boost/json/array.hpp>

#include <cereal/types/optional.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::reference {

class outreach {
public:
    static constexpr std::string_view name = "outreach";
    static constexpr std::string_view description =
        "Interested candidates per campaign, with consent, invited to a meeting, and how fast";
    static constexpr std::uint32_t code_version = 2;
    static constexpr std::array<std::string_view, 6> columns{
        "campaign_id", "interested", "interested_with_consent", "invited", "share_invited",
        "median_days_to_invitation"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per campaign_id of an interest; interest with no campaign_id is the null row,
    /// which comes first.
    boost::json::array rows() const;

    enum class step : std::uint8_t { consent_granted, consent_withdrawn, interest, invitation };
    /// What a candidate event stated (consents only for the contact_brokerage purpose).
    struct fact {
        std::uint64_t position = 0;
        step what{};
        /// consent_granted: expires_on (nullopt: never); interest: the day of occurred_at;
        /// invitation: invited_on.
        std::optional<std::int64_t> day;
        std::optional<std::string> campaign_id;  // interest, invitation

        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, what, day, campaign_id);
        }
        friend bool operator==(fact const&, fact const&) = default;
    };

    template <class Archive>
    void serialize(Archive& archive) {
        archive(candidates_, latest_occurred_micros_);
    }
    friend bool operator==(outreach const&, outreach const&) = default;

private:
    detail::stream_facts<fact> candidates_;  // by candidate stream id
    std::int64_t latest_occurred_micros_ = 0;
};

inline outreach apply(outreach state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::reference
