#pragma once
// The maintained cells recruits-per-campaign, funnel and retention render their rows from
// (issue 14, docs/read-models.md "Maintained rows"): what every application with a remaining
// receipt contributes — its stages, the day differences its medians take, its start and
// retention — counted under the campaign its first receipt names and, within that campaign,
// under the year it was received.
//
// The application table keeps them: whenever an event or a retraction changes an
// application's entry, or its candidate's employment, the application's contribution
// (summarize(), the rule the rows always used) is taken out before the change and put back
// after it. A campaign's plan is not part of any contribution, so planning a campaign or
// retracting its plan changes no cell: funnel maps each campaign to its (kind, organiser) when
// it renders, the number of campaigns being small next to the number of applications.
//
// Medians are histograms (day value → how many) per cell, merged when a row is rendered:
// median_of() gives exactly median_days() of the samples. Retention's anniversaries depend on
// its clock, so starts are kept per start day (started, retained at 12 and 24 months) and the
// anniversaries that have passed are summed when rendered.
//
// Bounded by campaigns × years received plus the distinct day values in them, never by events;
// rendering costs that, not the number of applications.
//
// Threading: a plain value; callers serialise access (the table owning it).

#include <boost/json/value.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace ledger::projections::detail {

struct application_summary;

/// Whole-day samples as sorted (value, how many) pairs: 8 bytes per distinct value. Day
/// numbers of 4-digit-year dates and their differences fit 32 bits.
class day_histogram {
public:
    using sample = std::pair<std::int32_t, std::uint32_t>;
    /// Adds (`sign` = +1) or removes (-1) one sample of `days`.
    void add(std::int64_t days, int sign);
    std::vector<sample> const& samples() const noexcept { return counts_; }
    bool empty() const noexcept { return counts_.empty(); }

private:
    std::vector<sample> counts_;  // by value
};

/// median_days() of the samples `merged` holds (value, how many; any order, values may repeat):
/// the middle value, for an even count the mean of the two middle ones. JSON null for none.
boost::json::value median_of(std::vector<day_histogram::sample> merged);
/// median_of() the samples of all of `histograms` together: counted into one array over their
/// range of values when that is small (days apart), else merged and sorted.
boost::json::value median_of(std::vector<day_histogram const*> const& histograms);

/// The applications of one campaign received in one year.
struct year_cell {
    std::int32_t year = 0;
    std::uint32_t applications = 0;
    std::uint32_t shortlisted = 0;
    std::uint32_t interviewed = 0;
    std::uint32_t offers = 0;
    std::uint32_t offers_accepted = 0;
    std::uint32_t contracts_signed = 0;
    std::uint32_t started = 0;
    day_histogram application_to_offer;  // offer day - received day, of those offered
    day_histogram offer_to_start;         // start day - offer day, of those offered and started
};

/// The applications of one campaign that started, by start day.
struct start_cell {
    std::int32_t started_on = 0;
    std::uint32_t started = 0;
    std::uint32_t retained_12m = 0;  // no end before started_on + 365
    std::uint32_t retained_24m = 0;  // no end before started_on + 730
};

struct campaign_cells {
    std::vector<year_cell> years;    // in no set order; a year with no application is removed
    std::vector<start_cell> starts;  // by started_on
};

class application_cells {
public:
    /// Adds (+1) or removes (-1) what one application received for `campaign` (an interned id)
    /// contributes, as summarize() describes it.
    void count(std::uint32_t campaign, application_summary const& a, int sign);
    /// count(campaign, after, +1) then count(campaign, before, -1), the cell looked up once
    /// when both are of the same year (the common case: an event of an application).
    void replace(std::uint32_t campaign, application_summary const& before, application_summary const& after);
    void clear() noexcept;

    /// The campaigns with at least one application, by interned id.
    boost::unordered_flat_map<std::uint32_t, campaign_cells> const& campaigns() const noexcept {
        return campaigns_;
    }
    campaign_cells const* find(std::uint32_t campaign) const {
        auto const it = campaigns_.find(campaign);
        return it == campaigns_.end() ? nullptr : &it->second;
    }

private:
    boost::unordered_flat_map<std::uint32_t, campaign_cells> campaigns_;
    /// Where each (campaign << 32 | year) cell is in its campaign's years: found in one
    /// lookup (a campaign of a long log has hundreds of years; searching them was a tenth of
    /// the fold).
    boost::unordered_flat_map<std::uint64_t, std::uint32_t> year_slots_;
};

}  // namespace ledger::projections::detail
