#include "reference/funnel.hpp"

#include "reference/detail/common.hpp"
#include "reference/detail/stage_counts.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace ledger::reference {

bool funnel::reads(std::string_view type) noexcept {
    return detail::application_facts_read(type, false);
}

void funnel::apply(fold_event const& event) { facts_.apply(event); }

namespace {

// (kind, organiser, year); nullopt kind and organiser for a campaign with no plan.
using funnel_key = std::tuple<std::optional<std::string>, std::optional<std::string>, std::int32_t>;

struct funnel_cell {
    detail::stage_counts counts;
    std::vector<std::int64_t> application_to_offer;
    std::vector<std::int64_t> offer_to_start;

    void add(detail::application_summary const& a) {
        counts.add(a);
        if (a.offer_day) application_to_offer.push_back(*a.offer_day - a.received_day);
        if (a.offer_day && a.started_on) offer_to_start.push_back(*a.started_on - *a.offer_day);
    }
};

boost::json::object conversion(detail::stage_counts const& c) {
    using detail::ratio;
    return {{"shortlisted", ratio(c.shortlisted, c.applications)},
            {"interviewed", ratio(c.interviewed, c.shortlisted)},
            {"offers", ratio(c.offers, c.interviewed)},
            {"offers_accepted", ratio(c.offers_accepted, c.offers)},
            {"contracts_signed", ratio(c.contracts_signed, c.offers_accepted)},
            {"started", ratio(c.started, c.contracts_signed)}};
}

boost::json::object row_of(funnel_key const& key, funnel_cell const& cell) {
    boost::json::object row;
    row["kind"] = detail::string_or_null(std::get<0>(key));
    row["organiser"] = detail::string_or_null(std::get<1>(key));
    row["year"] = std::get<2>(key);
    cell.counts.write(row);
    row["conversion"] = conversion(cell.counts);
    row["median_days_application_to_offer"] = detail::median_days(cell.application_to_offer);
    row["median_days_offer_to_start"] = detail::median_days(cell.offer_to_start);
    return row;
}

}  // namespace

boost::json::array funnel::rows() const {
    std::map<std::string_view, std::pair<std::optional<std::string>, std::optional<std::string>>>
        campaign_keys;
    for (auto const& [id, facts] : facts_.campaigns.streams()) {
        auto const profile = detail::profile_of(facts, facts_.texts);
        if (profile.planned) campaign_keys[id] = {profile.kind, profile.organiser};
    }
    std::map<funnel_key, funnel_cell> cells;
    for (auto const& [candidate, facts] : facts_.candidates.streams()) {
        for (auto const& application : detail::summarize_applications(facts, facts_.texts)) {
            auto const campaign = campaign_keys.find(application.campaign_id);
            auto const year = detail::year_of_day(application.received_day);
            funnel_key key{std::nullopt, std::nullopt, year};
            if (campaign != campaign_keys.end()) {
                key = funnel_key{campaign->second.first, campaign->second.second, year};
            }
            cells[key].add(application);
        }
    }
    boost::json::array rows;
    for (auto const& [key, cell] : cells) rows.push_back(row_of(key, cell));
    return rows;
}

}  // namespace ledger::reference
