#include "projections/outreach.hpp"

#include "projections/detail/common.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace ledger::projections {
namespace ev = ledger::events;

bool outreach::reads(std::string_view type) noexcept {
    return type == ev::consent_granted::type_name || type == ev::consent_withdrawn::type_name ||
           type == ev::interest_registered::type_name ||
           type == ev::invited_to_meeting::type_name || type == ev::event_retracted::type_name;
}

namespace {

constexpr auto brokerage = ev::consent_purpose::contact_brokerage;

/// Whether `event` is one outreach keeps something of.
bool kept(events::recruitment_event const& event) {
    if (auto const* granted = std::get_if<ev::consent_granted>(&event)) return granted->purpose == brokerage;
    if (auto const* withdrawn = std::get_if<ev::consent_withdrawn>(&event)) return withdrawn->purpose == brokerage;
    return std::holds_alternative<ev::interest_registered>(event) ||
           std::holds_alternative<ev::invited_to_meeting>(event);
}

template <class List>
void erase_position(List& list, std::uint64_t position) {
    auto const at = std::find_if(list.begin(), list.end(), [&](auto const& item) { return item.position == position; });
    if (at != list.end()) list.erase(at);
}

void add(std::uint64_t& n, int sign) { n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + sign); }

/// The first invitation after `interest` that is for its campaign: one naming no campaign,
/// or the same one; any invitation for interest that named no campaign.
outreach::campaign_step const* invitation_after(outreach::candidate_entry const& entry,
                                                outreach::campaign_step const& interest) {
    for (auto const& f : entry.invitations) {
        if (f.position < interest.position) continue;
        if (f.campaign == outreach::no_campaign || interest.campaign == outreach::no_campaign ||
            f.campaign == interest.campaign) {
            return &f;
        }
    }
    return nullptr;
}

}  // namespace

void outreach::count(candidate_entry const& entry, int sign) {
    // The latest grant or withdrawal decides; a grant's expiry is checked against the clock
    // when rows are rendered.
    bool consent = false;
    std::int64_t expires = never;
    for (auto const& step : entry.consents) {
        consent = step.granted;
        if (step.granted) expires = step.expires;
    }
    // Counted once per campaign, from the candidate's first interest in it.
    for (auto i = entry.interests.begin(); i != entry.interests.end(); ++i) {
        if (std::any_of(entry.interests.begin(), i, [&](auto const& earlier) { return earlier.campaign == i->campaign; })) {
            continue;
        }
        auto& r = rows_[i->campaign];
        add(r.interested, sign);
        if (consent) {
            auto& c = r.by_expiry[expires];
            add(c.with_consent, sign);
            if (auto const* invitation = invitation_after(entry, *i)) {
                add(c.invited, sign);
                c.days_to_invitation.add(invitation->day - i->day, sign);
            }
        }
        if (sign < 0) emptied_.emplace_back(i->campaign, consent ? expires : no_expiry);
    }
}

void outreach::drop_emptied() {
    for (auto const& [campaign, expires] : emptied_) {
        auto const r = rows_.find(campaign);
        if (r == rows_.end()) continue;  // listed twice: dropped already
        if (expires != no_expiry) {
            auto const c = r->second.by_expiry.find(expires);
            if (c != r->second.by_expiry.end() && c->second.with_consent == 0) r->second.by_expiry.erase(expires);
        }
        if (r->second.interested == 0) rows_.erase(r);
    }
    emptied_.clear();
}

void outreach::recount() {
    rows_.clear();
    for (auto const& entry : candidates_) count(entry, +1);
}

void outreach::apply(fold_event const& e) {
    latest_occurred_micros_ = std::max(latest_occurred_micros_, to_micros(e.occurred_at));
    if (e.data == nullptr || e.category() != "candidate") return;
    auto const* retraction = std::get_if<ev::event_retracted>(e.data);
    auto const* undone = retraction != nullptr && e.retracted != nullptr ? e.retracted->data : nullptr;
    if (retraction != nullptr ? undone == nullptr || !kept(*undone) : !kept(*e.data)) return;

    auto& entry = candidates_.at(e.stream_id());
    count(entry, -1);
    auto const campaign = [&](std::optional<std::string> const& text) {
        return text ? texts_.intern(*text) : no_campaign;
    };
    if (undone != nullptr) {
        auto const at = e.retracted->position;
        if (std::holds_alternative<ev::interest_registered>(*undone)) erase_position(entry.interests, at);
        else if (std::holds_alternative<ev::invited_to_meeting>(*undone)) erase_position(entry.invitations, at);
        else erase_position(entry.consents, at);
    } else if (auto const* granted = std::get_if<ev::consent_granted>(e.data)) {
        entry.consents.push_back({e.position, true,
                                  granted->expires_on ? detail::day_number(*granted->expires_on) : never});
    } else if (std::holds_alternative<ev::consent_withdrawn>(*e.data)) {
        entry.consents.push_back({e.position, false, never});
    } else if (auto const* interest = std::get_if<ev::interest_registered>(e.data)) {
        entry.interests.push_back({e.position, campaign(interest->campaign_id), detail::day_number(e.occurred_at)});
    } else if (auto const* invited = std::get_if<ev::invited_to_meeting>(e.data)) {
        entry.invitations.push_back({e.position, campaign(invited->campaign_id), detail::day_number(invited->invited_on)});
    }
    count(entry, +1);
    drop_emptied();
}

boost::json::array outreach::rows() const {
    auto const today = detail::day_number(from_micros(latest_occurred_micros_));
    // The null campaign first, then campaign ids in order.
    std::map<std::optional<std::string_view>, row const*> ordered;
    for (auto const& [campaign, r] : rows_) {
        ordered.emplace(campaign == no_campaign ? std::nullopt : std::optional(texts_.text(campaign)), &r);
    }
    boost::json::array rows;
    rows.reserve(ordered.size());
    for (auto const& [campaign, r] : ordered) {
        std::uint64_t with_consent = 0, invited = 0;
        std::vector<std::int64_t> days;
        for (auto const& [expires, c] : r->by_expiry) {
            if (expires < today) continue;  // expired by the clock
            with_consent += c.with_consent;
            invited += c.invited;
            c.days_to_invitation.append_to(days);
        }
        rows.push_back(boost::json::object{
            {"campaign_id", campaign ? boost::json::value(*campaign) : boost::json::value(nullptr)},
            {"interested", r->interested},
            {"interested_with_consent", with_consent},
            {"invited", invited},
            {"share_invited", detail::ratio(invited, with_consent)},
            {"median_days_to_invitation", detail::median_days(std::move(days))}});
    }
    return rows;
}

}  // namespace ledger::projections
