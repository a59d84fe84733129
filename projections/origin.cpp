#include "projections/origin.hpp"

#include "projections/detail/common.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace ledger::projections {
namespace ev = ledger::events;

bool origin::reads(std::string_view type) noexcept {
    return type == ev::candidate_registered::type_name ||
           type == ev::contract_signed::type_name || type == ev::event_retracted::type_name;
}

namespace {

bool kept(events::recruitment_event const& event) {
    return std::holds_alternative<ev::candidate_registered>(event) ||
           std::holds_alternative<ev::contract_signed>(event);
}

template <class List>
void erase_position(List& list, std::uint64_t position) {
    auto const at = std::find_if(list.begin(), list.end(), [&](auto const& item) { return item.position == position; });
    if (at != list.end()) list.erase(at);
}

}  // namespace

void origin::count(candidate_entry const& entry, int sign) {
    // Rule 1: one registration; the first counts. No registration: the null country.
    auto const country = entry.registrations.empty() ? no_country : entry.registrations.front().country;
    for (auto c = entry.contracts.begin(); c != entry.contracts.end(); ++c) {
        // One contract per application: the first.
        if (std::any_of(entry.contracts.begin(), c, [&](auto const& earlier) { return earlier.application_id == c->application_id; })) {
            continue;
        }
        auto const key = std::uint64_t{country} << 32 | static_cast<std::uint32_t>(c->year);
        auto& n = counts_[key];
        n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + sign);
        if (n == 0) counts_.erase(key);
    }
}

void origin::recount() {
    counts_.clear();
    for (auto const& entry : candidates_) count(entry, +1);
}

void origin::apply(fold_event const& e) {
    if (e.data == nullptr || e.category() != "candidate") return;
    auto const* retraction = std::get_if<ev::event_retracted>(e.data);
    auto const* undone = retraction != nullptr && e.retracted != nullptr ? e.retracted->data : nullptr;
    if (retraction != nullptr ? undone == nullptr || !kept(*undone) : !kept(*e.data)) return;

    auto& entry = candidates_.at(e.stream_id());
    count(entry, -1);
    if (undone != nullptr) {
        auto const at = e.retracted->position;
        if (std::holds_alternative<ev::candidate_registered>(*undone)) erase_position(entry.registrations, at);
        else erase_position(entry.contracts, at);
    } else if (auto const* registered = std::get_if<ev::candidate_registered>(e.data)) {
        auto const country = registered->country_of_training ? texts_.intern(registered->country_of_training->value)
                                                             : no_country;
        entry.registrations.push_back({e.position, country});
    } else if (auto const* signed_ = std::get_if<ev::contract_signed>(e.data)) {
        entry.contracts.push_back({e.position, entry.application_ids.intern(signed_->application_id),
                                   detail::year_of_day(detail::day_number(signed_->starts_on))});
    }
    count(entry, +1);
}

boost::json::array origin::rows() const {
    std::map<std::pair<std::optional<std::string_view>, std::int32_t>, std::uint64_t> ordered;
    for (auto const& [key, contracts] : counts_) {
        auto const country = static_cast<std::uint32_t>(key >> 32);
        ordered.emplace(std::pair{country == no_country ? std::nullopt : std::optional(texts_.text(country)),
                                  static_cast<std::int32_t>(static_cast<std::uint32_t>(key))},
                        contracts);
    }
    boost::json::array rows;
    rows.reserve(ordered.size());
    for (auto const& [key, contracts] : ordered) {
        rows.push_back(boost::json::object{
            {"country_of_training", key.first ? boost::json::value(*key.first) : boost::json::value(nullptr)},
            {"year", key.second},
            {"contracts_signed", contracts}});
    }
    return rows;
}

}  // namespace ledger::projections
