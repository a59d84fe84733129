#include "projections/vacancies.hpp"

#include "projections/detail/common.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace ledger::projections {
namespace ev = ledger::events;

bool vacancies::reads(std::string_view type) noexcept {
    return type == ev::position_opened::type_name || type == ev::vacancy_posted::type_name ||
           type == ev::vacancy_reposted::type_name || type == ev::position_filled::type_name ||
           type == ev::position_withdrawn::type_name || type == ev::event_retracted::type_name;
}

namespace {

/// Whether `event` is one vacancies keeps something of.
bool kept(events::recruitment_event const& event) {
    return std::holds_alternative<ev::position_opened>(event) ||
           std::holds_alternative<ev::vacancy_posted>(event) ||
           std::holds_alternative<ev::vacancy_reposted>(event) ||
           std::holds_alternative<ev::position_filled>(event) ||
           std::holds_alternative<ev::position_withdrawn>(event);
}

template <class List>
void erase_position(List& list, std::uint64_t position) {
    auto const at = std::find_if(list.begin(), list.end(), [&](auto const& item) {
        if constexpr (std::is_integral_v<std::decay_t<decltype(item)>>) return item == position;
        else return item.position == position;
    });
    if (at != list.end()) list.erase(at);
}

}  // namespace

void vacancies::count(position_entry const& entry, int sign) {
    if (entry.opened.empty()) return;  // its PositionOpened was retracted: no row
    auto const& opened = entry.opened.front();
    auto const key = std::uint64_t{opened.organisation} << 8 | opened.role;
    auto& r = rows_[key];
    auto const add = [sign](std::uint64_t& n) { n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + sign); };
    add(r.opened);
    if (!entry.fills.empty()) {
        auto const& fill = entry.fills.front();
        add(r.filled);
        // Rule 6 closes the stream at the fill, so only a repost before it counts.
        if (!entry.reposts.empty() && entry.reposts.front() < fill.position) add(r.filled_after_repost);
        if (!entry.postings.empty()) r.days_to_fill.add(fill.day - entry.postings.front().day, sign);
    } else if (!entry.withdrawals.empty()) {
        add(r.withdrawn);
    }
    if (r.opened == 0) rows_.erase(key);
}

void vacancies::recount() {
    rows_.clear();
    for (auto const& entry : positions_) count(entry, +1);
}

void vacancies::apply(fold_event const& e) {
    if (e.data == nullptr || e.category() != "position") return;
    auto const* retraction = std::get_if<ev::event_retracted>(e.data);
    auto const* undone = retraction != nullptr && e.retracted != nullptr ? e.retracted->data : nullptr;
    if (retraction != nullptr ? undone == nullptr || !kept(*undone) : !kept(*e.data)) return;

    auto& entry = positions_.at(e.stream_id());
    count(entry, -1);
    if (undone != nullptr) {
        auto const at = e.retracted->position;
        if (std::holds_alternative<ev::position_opened>(*undone)) erase_position(entry.opened, at);
        else if (std::holds_alternative<ev::vacancy_posted>(*undone)) erase_position(entry.postings, at);
        else if (std::holds_alternative<ev::vacancy_reposted>(*undone)) erase_position(entry.reposts, at);
        else if (std::holds_alternative<ev::position_filled>(*undone)) erase_position(entry.fills, at);
        else erase_position(entry.withdrawals, at);
    } else if (auto const* opened = std::get_if<ev::position_opened>(e.data)) {
        entry.opened.push_back({e.position, texts_.intern(opened->organisation),
                                static_cast<std::uint8_t>(opened->role)});
    } else if (auto const* posted = std::get_if<ev::vacancy_posted>(e.data)) {
        entry.postings.push_back({e.position, detail::day_number(posted->posted_on)});
    } else if (std::holds_alternative<ev::vacancy_reposted>(*e.data)) {
        entry.reposts.push_back(e.position);
    } else if (auto const* filled = std::get_if<ev::position_filled>(e.data)) {
        entry.fills.push_back({e.position, detail::day_number(filled->filled_on)});
    } else {
        entry.withdrawals.push_back(e.position);
    }
    count(entry, +1);
}

boost::json::array vacancies::rows() const {
    std::map<std::pair<std::string_view, std::uint8_t>, row const*> ordered;
    for (auto const& [key, r] : rows_) {
        ordered.emplace(std::pair{texts_.text(static_cast<std::uint32_t>(key >> 8)),
                                  static_cast<std::uint8_t>(key & 0xff)},
                        &r);
    }
    boost::json::array rows;
    rows.reserve(ordered.size());
    for (auto const& [key, r] : ordered) {
        boost::json::object row;
        row["organisation"] = key.first;
        row["role"] = detail::enum_name(static_cast<ev::doctor_role>(key.second));
        row["opened"] = r->opened;
        row["filled"] = r->filled;
        row["filled_first_posting"] = r->filled - r->filled_after_repost;
        row["filled_after_repost"] = r->filled_after_repost;
        row["withdrawn"] = r->withdrawn;
        row["open"] = r->opened - r->filled - r->withdrawn;
        row["median_days_to_fill"] = r->days_to_fill.median();
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace ledger::projections
