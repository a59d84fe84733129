#include "projections/hires_vs_target.hpp"

#include "projections/detail/common.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace ledger::projections {
namespace ev = ledger::events;

bool hires_vs_target::reads(std::string_view type) noexcept {
    return type == ev::target_set::type_name || type == ev::contract_signed::type_name ||
           type == ev::event_retracted::type_name;
}

hires_vs_target::cell_key hires_vs_target::key_of(std::string_view organisation, std::int32_t year,
                                                  std::uint8_t role) {
    return {texts_.intern(organisation), year, role};
}

void hires_vs_target::count(candidate_contracts const& candidate, int sign) {
    auto const& contracts = candidate.contracts;
    for (auto c = contracts.begin(); c != contracts.end(); ++c) {
        // One contract per application: the first.
        if (std::any_of(contracts.begin(), c, [&](auto const& earlier) { return earlier.application_id == c->application_id; })) {
            continue;
        }
        auto& n = contracts_[c->cell];
        n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + sign);
        if (n == 0) contracts_.erase(c->cell);
    }
}

void hires_vs_target::recount() {
    contracts_.clear();
    for (auto const& candidate : candidates_) count(candidate, +1);
}

void hires_vs_target::apply(fold_event const& e) {
    if (e.data == nullptr) return;
    if (std::holds_alternative<ev::event_retracted>(*e.data)) {
        if (e.retracted == nullptr || e.retracted->data == nullptr) return;
        auto const at = e.retracted->position;
        if (auto const* target = std::get_if<ev::target_set>(e.retracted->data)) {
            auto const cell = targets_.find(key_of(target->organisation, target->year,
                                                   static_cast<std::uint8_t>(target->role)));
            if (cell == targets_.end()) return;
            auto& values = cell->second;
            auto const it = std::find_if(values.begin(), values.end(), [&](auto const& v) { return v.position == at; });
            if (it != values.end()) values.erase(it);
            if (values.empty()) targets_.erase(cell);
        } else if (std::holds_alternative<ev::contract_signed>(*e.retracted->data)) {
            auto* const candidate = candidates_.find(e.stream_id());
            if (candidate == nullptr) return;
            count(*candidate, -1);
            auto& contracts = candidate->contracts;
            auto const it = std::find_if(contracts.begin(), contracts.end(), [&](auto const& c) { return c.position == at; });
            if (it != contracts.end()) contracts.erase(it);
            count(*candidate, +1);
        }
    } else if (auto const* target = std::get_if<ev::target_set>(e.data)) {
        targets_[key_of(target->organisation, target->year, static_cast<std::uint8_t>(target->role))]
            .push_back({e.position, target->hires});
    } else if (auto const* signed_ = std::get_if<ev::contract_signed>(e.data)) {
        auto const cell = key_of(signed_->employer, detail::year_of_day(detail::day_number(signed_->starts_on)),
                                 static_cast<std::uint8_t>(signed_->role));
        auto& candidate = candidates_.at(e.stream_id());
        count(candidate, -1);
        candidate.contracts.push_back({e.position, candidate.application_ids.intern(signed_->application_id), cell});
        count(candidate, +1);
    }
}

boost::json::array hires_vs_target::rows() const {
    struct cell {
        std::optional<std::uint32_t> target;
        std::uint64_t contracts = 0;
    };
    auto const key = [&](cell_key k) {
        return std::tuple{texts_.text(k.organisation), k.year, k.role};
    };
    std::map<std::tuple<std::string_view, std::int32_t, std::uint8_t>, cell> cells;
    for (auto const& [k, values] : targets_) cells[key(k)].target = values.back().hires;
    for (auto const& [k, n] : contracts_) cells[key(k)].contracts = n;
    boost::json::array rows;
    rows.reserve(cells.size());
    for (auto const& [k, c] : cells) {
        auto const& [organisation, year, role] = k;
        boost::json::object row;
        row["organisation"] = organisation;
        row["year"] = year;
        row["role"] = detail::enum_name(static_cast<ev::doctor_role>(role));
        row["target"] = c.target ? boost::json::value(*c.target) : nullptr;
        row["contracts_signed"] = c.contracts;
        row["ratio"] = c.target ? detail::ratio(c.contracts, *c.target) : nullptr;
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace ledger::projections
