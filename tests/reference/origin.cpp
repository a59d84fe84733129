#include "reference/origin.hpp"

#include "reference/detail/common.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <set>
#include <utility>

namespace ledger::reference {
namespace ev = ledger::events;

bool origin::reads(std::string_view type) noexcept {
    return type == ev::candidate_registered::type_name ||
           type == ev::contract_signed::type_name || type == ev::event_retracted::type_name;
}

void origin::apply(fold_event const& e) {
    if (e.data == nullptr || e.category() != "candidate") return;
    if (auto const* retracted = std::get_if<ev::event_retracted>(e.data)) {
        candidates_.retract(e.stream_id(), retracted->position);
    } else if (auto const* registered = std::get_if<ev::candidate_registered>(e.data)) {
        std::optional<std::string> country;
        if (registered->country_of_training) country = registered->country_of_training->value;
        candidates_.add(e.stream_id(), fact{.position = e.position, .registered = true,
                                            .country = std::move(country)});
    } else if (auto const* contract = std::get_if<ev::contract_signed>(e.data)) {
        candidates_.add(e.stream_id(),
                        fact{.position = e.position, .application_id = contract->application_id,
                             .year = detail::year_of_day(detail::day_number(contract->starts_on))});
    }
}

boost::json::array origin::rows() const {
    std::map<std::pair<std::optional<std::string>, std::int32_t>, std::uint64_t> counts;
    for (auto const& [id, facts] : candidates_.streams()) {
        std::optional<std::string> country;
        bool registered = false;
        for (auto const& f : facts) {
            if (f.registered && !registered) {  // rule 1: one registration; the first counts
                registered = true;
                country = f.country;
            }
        }
        std::set<std::string_view> counted;  // one contract per application
        for (auto const& f : facts) {
            if (f.registered || !counted.insert(f.application_id).second) continue;
            ++counts[{country, f.year}];
        }
    }
    boost::json::array rows;
    for (auto const& [key, contracts] : counts) {
        rows.push_back(boost::json::object{{"country_of_training", detail::string_or_null(key.first)},
                                           {"year", key.second},
                                           {"contracts_signed", contracts}});
    }
    return rows;
}

}  // namespace ledger::reference
