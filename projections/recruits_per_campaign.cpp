#include "projections/recruits_per_campaign.hpp"

#include "projections/detail/common.hpp"
#include "projections/detail/stage_counts.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

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
    auto const& table = *table_;
    auto const& texts = table.texts;
    // Every campaign with an entry (planned or costs) or applications, ordered by id: O(campaigns).
    std::vector<std::pair<std::string_view, std::uint32_t>> ids;
    ids.reserve(table.campaigns.size() + table.cells.campaigns().size());
    for (auto const& [id, entry] : table.campaigns) ids.emplace_back(texts.text(id), id);
    for (auto const& [id, cells] : table.cells.campaigns()) {
        if (!table.campaigns.contains(id)) ids.emplace_back(texts.text(id), id);
    }
    std::sort(ids.begin(), ids.end());
    boost::json::array rows;
    rows.reserve(ids.size());
    for (auto const& [id, number] : ids) {
        detail::stage_counts count;
        if (auto const* cells = table.cells.find(number)) {
            for (auto const& year : cells->years) count.add(year);
        }
        auto const entry = table.campaigns.find(number);
        auto const profile = entry == table.campaigns.end() ? detail::campaign_profile{}
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
