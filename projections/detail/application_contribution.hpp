#pragma once
// One application's contribution to stage counters and day histograms: the one mapping the year
// cells (application_cells.cpp) and funnel's maintained rows (funnel_rows.cpp) both count with.
// funnel renders from either, so the two must never map a summary differently.
//
// Threading: a pure function over the caller's values.

#include "projections/detail/application_cells.hpp"
#include "projections/detail/applications.hpp"

namespace ledger::projections::detail {

/// Calls `add(counter, counted)` for each of the seven stage counters of `counters` (year_cell's
/// and stage_counts' names; `applications` always counted), and adds (`sign` = +1) or removes
/// (-1) the application's day differences in the two histograms.
template <class Counters, class Add>
void count_contribution(Counters& counters, day_histogram& application_to_offer, day_histogram& offer_to_start,
                        application_summary const& a, int sign, Add&& add) {
    add(counters.applications, true);
    add(counters.shortlisted, a.shortlisted);
    add(counters.interviewed, a.interviewed);
    add(counters.offers, a.offered);
    add(counters.offers_accepted, a.accepted);
    add(counters.contracts_signed, a.contracted);
    add(counters.started, a.started);
    if (a.offer_day) application_to_offer.add(*a.offer_day - a.received_day, sign);
    if (a.offer_day && a.started_on) offer_to_start.add(*a.started_on - *a.offer_day, sign);
}

}  // namespace ledger::projections::detail
