#include "reference/outreach.hpp"

#include "reference/detail/common.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <vector>

namespace ledger::reference {
namespace ev = ledger::events;

bool outreach::reads(std::string_view type) noexcept {
    return type == ev::consent_granted::type_name || type == ev::consent_withdrawn::type_name ||
           type == ev::interest_registered::type_name ||
           type == ev::invited_to_meeting::type_name || type == ev::event_retracted::type_name;
}

namespace {

std::optional<outreach::fact> fact_of(fold_event const& e) {
    using step = outreach::step;
    constexpr auto brokerage = ev::consent_purpose::contact_brokerage;
    if (auto const* granted = std::get_if<ev::consent_granted>(e.data)) {
        if (granted->purpose != brokerage) return std::nullopt;
        std::optional<std::int64_t> expires;
        if (granted->expires_on) expires = detail::day_number(*granted->expires_on);
        return outreach::fact{e.position, step::consent_granted, expires, std::nullopt};
    }
    if (auto const* withdrawn = std::get_if<ev::consent_withdrawn>(e.data)) {
        if (withdrawn->purpose != brokerage) return std::nullopt;
        return outreach::fact{e.position, step::consent_withdrawn, std::nullopt, std::nullopt};
    }
    if (auto const* interest = std::get_if<ev::interest_registered>(e.data)) {
        return outreach::fact{e.position, step::interest, detail::day_number(e.occurred_at),
                              interest->campaign_id};
    }
    if (auto const* invited = std::get_if<ev::invited_to_meeting>(e.data)) {
        return outreach::fact{e.position, step::invitation, detail::day_number(invited->invited_on),
                              invited->campaign_id};
    }
    return std::nullopt;
}

struct outreach_counts {
    std::uint64_t interested = 0, with_consent = 0, invited = 0;
    std::vector<std::int64_t> days_to_invitation;
};

bool consent_active(std::vector<outreach::fact> const& facts, std::int64_t today) {
    bool active = false;
    std::optional<std::int64_t> expires;
    for (auto const& f : facts) {
        if (f.what == outreach::step::consent_granted) {
            active = true;
            expires = f.day;
        }
        if (f.what == outreach::step::consent_withdrawn) active = false;
    }
    return active && (!expires || *expires >= today);
}

/// The first invitation after `interest` that is for its campaign: one naming no campaign,
/// or the same one; any invitation for interest that named no campaign.
outreach::fact const* invitation_after(std::vector<outreach::fact> const& facts,
                                       outreach::fact const& interest) {
    for (auto const& f : facts) {
        if (f.what != outreach::step::invitation || f.position < interest.position) continue;
        if (!f.campaign_id || !interest.campaign_id || f.campaign_id == interest.campaign_id) return &f;
    }
    return nullptr;
}

/// Adds one candidate to the rows of the campaigns it showed interest in (once each, from its
/// first interest in that campaign).
void count_candidate(std::vector<outreach::fact> const& facts, std::int64_t today,
                     std::map<std::optional<std::string>, outreach_counts>& counts) {
    bool const consent = consent_active(facts, today);
    std::vector<std::optional<std::string> const*> seen;
    for (auto const& f : facts) {
        if (f.what != outreach::step::interest) continue;
        if (std::any_of(seen.begin(), seen.end(), [&](auto const* c) { return *c == f.campaign_id; })) continue;
        seen.push_back(&f.campaign_id);
        auto& c = counts[f.campaign_id];
        ++c.interested;
        if (!consent) continue;
        ++c.with_consent;
        if (auto const* invitation = invitation_after(facts, f)) {
            ++c.invited;
            c.days_to_invitation.push_back(*invitation->day - *f.day);
        }
    }
}

}  // namespace

void outreach::apply(fold_event const& e) {
    latest_occurred_micros_ = std::max(latest_occurred_micros_, to_micros(e.occurred_at));
    if (e.data == nullptr || e.category() != "candidate") return;
    if (auto const* retracted = std::get_if<ev::event_retracted>(e.data)) {
        candidates_.retract(e.stream_id(), retracted->position);
    } else if (auto f = fact_of(e)) {
        candidates_.add(e.stream_id(), std::move(*f));
    }
}

boost::json::array outreach::rows() const {
    auto const today = detail::day_number(from_micros(latest_occurred_micros_));
    std::map<std::optional<std::string>, outreach_counts> counts;
    for (auto const& [id, facts] : candidates_.streams()) count_candidate(facts, today, counts);
    boost::json::array rows;
    for (auto const& [campaign, c] : counts) {
        rows.push_back(boost::json::object{
            {"campaign_id", detail::string_or_null(campaign)},
            {"interested", c.interested},
            {"interested_with_consent", c.with_consent},
            {"invited", c.invited},
            {"share_invited", detail::ratio(c.invited, c.with_consent)},
            {"median_days_to_invitation", detail::median_days(c.days_to_invitation)}});
    }
    return rows;
}

}  // namespace ledger::reference
