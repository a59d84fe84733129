#include "reference/recruits_per_campaign.hpp"

#include "reference/detail/common.hpp"
#include "reference/detail/stage_counts.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <string>

namespace ledger::reference {

bool recruits_per_campaign::reads(std::string_view type) noexcept {
    return detail::application_facts_read(type, true);
}

void recruits_per_campaign::apply(fold_event const& event) { facts_.apply(event); }

namespace {

boost::json::object money(std::map<std::string, std::int64_t> const& by_currency) {
    boost::json::object out;
    for (auto const& [currency, amount] : by_currency) out[currency] = amount;
    return out;
}

boost::json::value cost_per_contract(std::map<std::string, std::int64_t> const& costs,
                                     std::uint64_t contracts) {
    if (contracts == 0) return nullptr;
    boost::json::object out;
    // Integer division of minor units: a fraction of a cent per contract is not money.
    for (auto const& [currency, amount] : costs) {
        out[currency] = amount / static_cast<std::int64_t>(contracts);
    }
    return out;
}

}  // namespace

boost::json::array recruits_per_campaign::rows() const {
    auto const campaigns = facts_.campaigns.streams();
    std::map<std::string_view, detail::stage_counts> counts;  // ordered: stable rows
    for (auto const& [id, facts] : campaigns) counts[id];
    // Row keys view into these groups, so they live as long as the rows are built.
    auto const candidates = facts_.candidates.streams();
    for (auto const& [candidate, facts] : candidates) {
        for (auto const& application : detail::summarize_applications(facts, facts_.texts)) {
            counts[application.campaign_id].add(application);
        }
    }
    boost::json::array rows;
    for (auto const& [id, count] : counts) {
        auto const planned = campaigns.find(id);
        auto const profile = planned == campaigns.end() ? detail::campaign_profile{}
                                                        : detail::profile_of(planned->second, facts_.texts);
        boost::json::object row;
        row["campaign_id"] = id;
        row["name"] = profile.planned ? boost::json::value(profile.name) : nullptr;
        row["kind"] = profile.planned ? boost::json::value(profile.kind) : nullptr;
        row["organiser"] = profile.planned ? boost::json::value(profile.organiser) : nullptr;
        count.write(row);
        row["costs"] = money(profile.costs);
        row["cost_per_contract"] = cost_per_contract(profile.costs, count.contracts_signed);
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace ledger::reference
