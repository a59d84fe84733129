#include "reference/hires_vs_target.hpp"

#include "reference/detail/common.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace ledger::reference {
namespace ev = ledger::events;

bool hires_vs_target::reads(std::string_view type) noexcept {
    return type == ev::target_set::type_name || type == ev::contract_signed::type_name ||
           type == ev::event_retracted::type_name;
}

void hires_vs_target::apply(fold_event const& e) {
    if (e.data == nullptr) return;
    if (auto const* retracted = std::get_if<ev::event_retracted>(e.data)) {
        targets_.retract(e.stream_id(), retracted->position);
        contracts_.retract(e.stream_id(), retracted->position);
    } else if (auto const* target = std::get_if<ev::target_set>(e.data)) {
        targets_.add(e.stream_id(), fact{.position = e.position, .organisation = target->organisation,
                                         .year = target->year,
                                         .role = static_cast<std::uint8_t>(target->role),
                                         .hires = target->hires});
    } else if (auto const* contract = std::get_if<ev::contract_signed>(e.data)) {
        contracts_.add(e.stream_id(),
                       fact{.position = e.position, .organisation = contract->employer,
                            .year = detail::year_of_day(detail::day_number(contract->starts_on)),
                            .role = static_cast<std::uint8_t>(contract->role),
                            .application_id = contract->application_id});
    }
}

namespace {

using hires_key = std::tuple<std::string, std::int32_t, std::uint8_t>;

struct hires_cell {
    std::optional<std::uint32_t> target;
    std::uint64_t position_of_target = 0;
    std::uint64_t contracts = 0;
};

}  // namespace

boost::json::array hires_vs_target::rows() const {
    std::map<hires_key, hires_cell> cells;
    for (auto const& [stream, facts] : targets_.streams()) {
        for (auto const& f : facts) {
            // Several TargetSet for one key: the one recorded last is the target.
            auto& cell = cells[hires_key{f.organisation, f.year, f.role}];
            if (!cell.target || f.position > cell.position_of_target) {
                cell.target = f.hires;
                cell.position_of_target = f.position;
            }
        }
    }
    for (auto const& [stream, facts] : contracts_.streams()) {
        std::set<std::string_view> counted;  // one contract per application
        for (auto const& f : facts) {
            if (!counted.insert(f.application_id).second) continue;
            ++cells[hires_key{f.organisation, f.year, f.role}].contracts;
        }
    }
    boost::json::array rows;
    for (auto const& [key, cell] : cells) {
        auto const& [organisation, year, role] = key;
        boost::json::object row;
        row["organisation"] = organisation;
        row["year"] = year;
        row["role"] = detail::enum_name(static_cast<ev::doctor_role>(role));
        row["target"] = cell.target ? boost::json::value(*cell.target) : nullptr;
        row["contracts_signed"] = cell.contracts;
        row["ratio"] = cell.target ? detail::ratio(cell.contracts, *cell.target) : nullptr;
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace ledger::reference
