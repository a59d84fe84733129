#include "projections/detail/funnel_rows.hpp"

#include "projections/detail/application_contribution.hpp"
#include "projections/detail/applications.hpp"
#include "projections/detail/common.hpp"

#include <boost/container_hash/hash.hpp>

namespace ledger::projections::detail {

std::size_t hash_funnel_row_key::operator()(funnel_row_key const& k) const noexcept {
    std::size_t seed = 0;
    boost::hash_combine(seed, k.planned);
    boost::hash_combine(seed, k.kind);
    boost::hash_combine(seed, k.organiser);
    boost::hash_combine(seed, k.year);
    return seed;
}

namespace {

/// `counter` + `sign` × `by` (a removal never takes more than was added: contributions are
/// balanced).
void shift(std::uint64_t& counter, std::uint64_t by, int sign) {
    if (sign > 0) counter += by;
    else counter -= std::min(counter, by);
}

}  // namespace

void funnel_rows::count(funnel_row_key key, application_summary const& a, int sign) {
    key.year = year_of_day(a.received_day);
    auto found = rows_.find(key);
    if (found == rows_.end()) {
        if (sign < 0) return;  // never counted (cannot happen: contributions are balanced)
        found = rows_.try_emplace(key).first;
    }
    auto& row = found->second;
    count_contribution(row.counts, row.application_to_offer, row.offer_to_start, a, sign,
                       [sign](std::uint64_t& counter, bool counted) { shift(counter, counted ? 1u : 0u, sign); });
    if (row.counts.applications == 0) rows_.erase(found);  // as a year cell goes with its last application
}

void funnel_rows::add_campaign(funnel_row_key key, campaign_cells const& cells, int sign) {
    for (auto const& year : cells.years) {
        key.year = year.year;
        auto found = rows_.find(key);
        if (found == rows_.end()) {
            if (sign < 0) continue;  // never counted (cannot happen)
            found = rows_.try_emplace(key).first;
        }
        auto& row = found->second;
        auto& c = row.counts;
        shift(c.applications, year.applications, sign);
        shift(c.shortlisted, year.shortlisted, sign);
        shift(c.interviewed, year.interviewed, sign);
        shift(c.offers, year.offers, sign);
        shift(c.offers_accepted, year.offers_accepted, sign);
        shift(c.contracts_signed, year.contracts_signed, sign);
        shift(c.started, year.started, sign);
        for (auto const& [value, n] : year.application_to_offer.samples()) row.application_to_offer.add_samples(value, n, sign);
        for (auto const& [value, n] : year.offer_to_start.samples()) row.offer_to_start.add_samples(value, n, sign);
        if (c.applications == 0) rows_.erase(found);
    }
}

}  // namespace ledger::projections::detail
