#include "projections/recruits_per_campaign.hpp"

#include "projections/detail/common.hpp"
#include "projections/detail/stage_counts.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <string>

namespace ledger::projections {

bool recruits_per_campaign::reads(std::string_view type) noexcept {
    return detail::application_table_reads(type, true);
}

void recruits_per_campaign::apply(fold_event const& event) { table_.fold(event); }

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
    auto const& texts = table_->texts;
    std::map<std::string_view, detail::stage_counts> counts;  // ordered: stable rows
    for (auto const& [id, entry] : table_->campaigns) counts[texts.text(id)];
    detail::for_each_application(*table_, [&](detail::application_summary const& application) {
        counts[application.campaign_id].add(application);
    });
    boost::json::array rows;
    for (auto const& [id, count] : counts) {
        auto const number = texts.find(id);
        auto const entry = number ? table_->campaigns.find(*number) : table_->campaigns.end();
        auto const profile = entry == table_->campaigns.end() ? detail::campaign_profile{}
                                                             : detail::profile_of(entry->second, texts);
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

}  // namespace ledger::projections
