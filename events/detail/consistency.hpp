#pragma once
// Checks that involve more than one field of an event, run after the field-by-field
// validation. Types without cross-field constraints use the catch-all template.

#include "events/detail/field_codec.hpp"
#include "events/recruitment_event.hpp"

namespace ledger::events::detail {

problem check_consistency(campaign_planned const& event);         // ends_on not before starts_on
problem check_consistency(advertisement_published const& event);  // cost needs a currency
problem check_consistency(trip_held const& event);                // `to` not before `from`
problem check_consistency(position_opened const& event);          // at least one opening
problem check_consistency(offer_extended const& event);           // salary needs a currency
problem check_consistency(contract_signed const& event);          // salary needs a currency

template <class T>
problem check_consistency(T const&) {
    return std::nullopt;
}

}  // namespace ledger::events::detail
