#include "events/detail/consistency.hpp"

namespace ledger::events::detail {
namespace {

// An amount without its currency cannot be summed by the cost projections.
problem money_needs_currency(std::optional<std::int64_t> const& amount,
                             std::optional<currency_code> const& currency,
                             char const* amount_field) {
    if (amount && !currency) {
        return make_problem("data.currency", std::string("is required when ") + amount_field +
                                                 " is given");
    }
    return std::nullopt;
}

problem not_before(std::optional<date> const& first, std::optional<date> const& last,
                   char const* first_field, char const* last_field) {
    if (first && last && *last < *first) {
        return make_problem(std::string("data.") + last_field,
                            std::string("must not be before ") + first_field);
    }
    return std::nullopt;
}

}  // namespace

problem check_consistency(campaign_planned const& event) {
    return not_before(event.starts_on, event.ends_on, "starts_on", "ends_on");
}

problem check_consistency(advertisement_published const& event) {
    return money_needs_currency(event.cost_minor, event.currency, "cost_minor");
}

problem check_consistency(trip_held const& event) {
    return not_before(event.from, event.to, "from", "to");
}

problem check_consistency(position_opened const& event) {
    if (event.openings == 0) return make_problem("data.openings", "must be at least 1");
    return std::nullopt;
}

problem check_consistency(offer_extended const& event) {
    return money_needs_currency(event.salary_minor, event.currency, "salary_minor");
}

problem check_consistency(contract_signed const& event) {
    return money_needs_currency(event.salary_minor, event.currency, "salary_minor");
}

}  // namespace ledger::events::detail
