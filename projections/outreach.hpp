#pragma once
// outreach (SPEC §7): per campaign_id of InterestRegistered, the candidates interested, those
// of them with an active contact_brokerage consent, those of these invited to a meeting after
// their interest, the share invited and the median days from interest to invitation.
// Shape as in recruits_per_campaign.hpp.
//
// A consent is active when its latest ConsentGranted/ConsentWithdrawn is a grant whose
// expires_on (if any) is not before the day of the latest occurred_at folded (the read
// model's clock, as in retention.hpp).
//
// State (issue 14): one entry per candidate with its remaining contact_brokerage consents,
// interests and invitations (each with the log position that stated it; campaign ids
// interned), and per campaign the maintained counts. An event takes its candidate's
// contribution out of the counts, changes the entry and puts the new contribution back; a
// retraction reads the retracted event (fold_event::retracted) and removes what it stated.
// The clock can expire a consent without any event of its candidate, so the consenting part of
// a candidate's contribution is counted under its consent's expiry day, and rows() adds up the
// expiry days not before the clock. Bounded by candidates and campaigns, not by events. Only the
// entries and the clock are saved; the counts are recomputed when a snapshot is loaded.

#include "projections/detail/applications.hpp"
#include "projections/detail/day_counts.hpp"
#include "projections/detail/entities.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/sorted_map.hpp"
#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::projections {

class outreach {
public:
    static constexpr std::string_view name = "outreach";
    static constexpr std::string_view description =
        "Interested candidates per campaign, with consent, invited to a meeting, and how fast";
    static constexpr std::uint32_t code_version = 6;
    static constexpr std::array<std::string_view, 6> columns{
        "campaign_id", "interested", "interested_with_consent", "invited", "share_invited",
        "median_days_to_invitation"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per campaign_id of an interest; interest with no campaign_id is the null row,
    /// which comes first.
    boost::json::array rows() const;

    /// The interned text number standing for "no campaign_id".
    static constexpr std::uint32_t no_campaign = std::numeric_limits<std::uint32_t>::max();
    /// The expiry day standing for "never expires".
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

    struct consent_step {
        std::uint64_t position = 0;
        bool granted = false;       // ConsentGranted, else ConsentWithdrawn
        std::int64_t expires = never;  // granted: the day of expires_on
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, granted, expires);
        }
        friend bool operator==(consent_step const&, consent_step const&) = default;
    };

    /// An InterestRegistered (the day of occurred_at) or an InvitedToMeeting (invited_on).
    struct campaign_step {
        std::uint64_t position = 0;
        std::uint32_t campaign = no_campaign;  // interned campaign_id
        std::int64_t day = 0;
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, campaign, day);
        }
        friend bool operator==(campaign_step const&, campaign_step const&) = default;
    };

    /// What is still true of one candidate, each list in log order.
    struct candidate_entry {
        detail::few<consent_step> consents;  // contact_brokerage only
        detail::few<campaign_step> interests;
        detail::few<campaign_step> invitations;
        bool empty() const noexcept { return consents.empty() && interests.empty() && invitations.empty(); }
        template <class Archive>
        void serialize(Archive& archive) {
            archive(consents, interests, invitations);
        }
        friend bool operator==(candidate_entry const&, candidate_entry const&) = default;
    };

    template <class Archive>
    void save(Archive& archive) const {
        archive(texts_, candidates_, latest_occurred_micros_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(texts_, candidates_, latest_occurred_micros_);
        recount();
    }
    // Kept in the store's table instead (entities.hpp, the runner's live read model): the
    // entities there, and in memory what save_counted() writes — the texts and the maintained
    // counters, so a restart decodes no entity and recounts nothing.
    detail::entities<candidate_entry>& entity_table() noexcept { return candidates_; }
    detail::entities<candidate_entry> const& entity_table() const noexcept { return candidates_; }
    template <class Archive>
    void save_counted(Archive& archive) const {
        archive(texts_, latest_occurred_micros_, rows_);
    }
    template <class Archive>
    void load_counted(Archive& archive) {
        archive(texts_, latest_occurred_micros_, rows_);
    }
    friend bool operator==(outreach const& a, outreach const& b) {
        return a.texts_ == b.texts_ && a.candidates_ == b.candidates_ &&
               a.latest_occurred_micros_ == b.latest_occurred_micros_;
    }

private:
    /// Candidates with an active consent that expires on one day (or never).
    struct consenting {
        std::uint64_t with_consent = 0, invited = 0;
        detail::day_counts days_to_invitation;
        template <class Archive>
        void serialize(Archive& archive) {
            archive(with_consent, invited, days_to_invitation);
        }
    };
    struct row {
        std::uint64_t interested = 0;
        // Most rows have one or two expiry days (a grant without expires_on is `never`): a
        // sorted vector, saved as the flat map it was (sorted_map.hpp).
        detail::sorted_map<std::int64_t, consenting> by_expiry;
        template <class Archive>
        void serialize(Archive& archive) {
            archive(interested, by_expiry);
        }
    };
    /// Adds (+1) or removes (-1) what one candidate contributes to the rows. Removing leaves
    /// a row or expiry day it empties in place, listed in emptied_, for drop_emptied(): apply
    /// puts the candidate's new contribution back first, which nearly always fills them again,
    /// so a key is not erased and inserted again (sorted_map moves the keys after it).
    void count(candidate_entry const& entry, int sign);
    /// Erases what count(-1) emptied and count(+1) left empty: the rows and expiry days are
    /// then exactly those that count something, as if erased at once.
    void drop_emptied();
    void recount();

    detail::string_pool texts_;  // campaign ids
    detail::entities<candidate_entry> candidates_;  // by candidate id
    std::int64_t latest_occurred_micros_ = 0;
    boost::unordered_flat_map<std::uint32_t, row> rows_;  // by campaign (no_campaign: null)
    /// (campaign, expiry day or no_expiry) that count(-1) took something from, for drop_emptied().
    std::vector<std::pair<std::uint32_t, std::int64_t>> emptied_;
    static constexpr std::int64_t no_expiry = std::numeric_limits<std::int64_t>::min();
};

inline outreach apply(outreach state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
