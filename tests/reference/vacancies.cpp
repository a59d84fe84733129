#include "reference/vacancies.hpp"

#include "reference/detail/common.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace ledger::reference {
namespace ev = ledger::events;

bool vacancies::reads(std::string_view type) noexcept {
    return type == ev::position_opened::type_name || type == ev::vacancy_posted::type_name ||
           type == ev::vacancy_reposted::type_name || type == ev::position_filled::type_name ||
           type == ev::position_withdrawn::type_name || type == ev::event_retracted::type_name;
}

namespace {

std::optional<vacancies::fact> fact_of(fold_event const& e) {
    using step = vacancies::step;
    if (auto const* opened = std::get_if<ev::position_opened>(e.data)) {
        return vacancies::fact{.position = e.position, .what = step::opened,
                               .organisation = opened->organisation,
                               .role = static_cast<std::uint8_t>(opened->role)};
    }
    if (auto const* posted = std::get_if<ev::vacancy_posted>(e.data)) {
        return vacancies::fact{e.position, step::posted, detail::day_number(posted->posted_on)};
    }
    if (auto const* reposted = std::get_if<ev::vacancy_reposted>(e.data)) {
        return vacancies::fact{e.position, step::reposted, detail::day_number(reposted->posted_on)};
    }
    if (auto const* filled = std::get_if<ev::position_filled>(e.data)) {
        return vacancies::fact{e.position, step::filled, detail::day_number(filled->filled_on)};
    }
    if (std::get_if<ev::position_withdrawn>(e.data) != nullptr) {
        return vacancies::fact{e.position, step::withdrawn, 0};
    }
    return std::nullopt;
}

struct vacancy_counts {
    std::uint64_t opened = 0, filled = 0, filled_after_repost = 0, withdrawn = 0;
    std::vector<std::int64_t> days_to_fill;
};

/// Adds one position's remaining facts to its (organisation, role) counts.
void count_position(std::vector<vacancies::fact> const& facts,
                    std::map<std::pair<std::string, std::uint8_t>, vacancy_counts>& counts) {
    using step = vacancies::step;
    vacancies::fact const* opened = nullptr;
    std::optional<std::int64_t> first_posted;
    bool reposted = false, filled = false, withdrawn = false;
    std::int64_t filled_on = 0;
    for (auto const& f : facts) {
        if (f.what == step::opened && opened == nullptr) opened = &f;
        if (f.what == step::posted && !first_posted) first_posted = f.day;
        // Rule 6 closes the stream at the fill, so a repost can only come before it.
        if (f.what == step::reposted && !filled) reposted = true;
        if (f.what == step::filled && !filled) {
            filled = true;
            filled_on = f.day;
        }
        if (f.what == step::withdrawn) withdrawn = true;
    }
    if (opened == nullptr) return;  // its PositionOpened was retracted
    auto& c = counts[{opened->organisation, opened->role}];
    ++c.opened;
    if (filled) {
        ++c.filled;
        if (reposted) ++c.filled_after_repost;
        if (first_posted) c.days_to_fill.push_back(filled_on - *first_posted);
    } else if (withdrawn) {
        ++c.withdrawn;
    }
}

}  // namespace

void vacancies::apply(fold_event const& e) {
    if (e.data == nullptr || e.category() != "position") return;
    if (auto const* retracted = std::get_if<ev::event_retracted>(e.data)) {
        positions_.retract(e.stream_id(), retracted->position);
    } else if (auto f = fact_of(e)) {
        positions_.add(e.stream_id(), std::move(*f));
    }
}

boost::json::array vacancies::rows() const {
    std::map<std::pair<std::string, std::uint8_t>, vacancy_counts> counts;
    for (auto const& [id, facts] : positions_.streams()) count_position(facts, counts);
    boost::json::array rows;
    for (auto const& [key, c] : counts) {
        boost::json::object row;
        row["organisation"] = key.first;
        row["role"] = detail::enum_name(static_cast<ev::doctor_role>(key.second));
        row["opened"] = c.opened;
        row["filled"] = c.filled;
        row["filled_first_posting"] = c.filled - c.filled_after_repost;
        row["filled_after_repost"] = c.filled_after_repost;
        row["withdrawn"] = c.withdrawn;
        row["open"] = c.opened - c.filled - c.withdrawn;
        row["median_days_to_fill"] = detail::median_days(c.days_to_fill);
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace ledger::reference
