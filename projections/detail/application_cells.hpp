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

#include "ledger/envelope_codec.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/fold_arena.hpp"

#include <boost/json/value.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
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
    /// In the table's arena while it folds (fold_arena.hpp): histograms grow with the log.
    using sample_vector = std::vector<sample, arena_allocator<sample>>;
    /// Adds (`sign` = +1) or removes (-1) one sample of `days`.
    void add(std::int64_t days, int sign);
    /// Adds (`sign` = +1) or removes (-1) `count` samples of `value` at once (merging or
    /// unmerging another histogram's samples: funnel_rows.hpp).
    void add_samples(std::int32_t value, std::uint32_t count, int sign);
    sample_vector const& samples() const noexcept { return counts_; }
    bool empty() const noexcept { return counts_.empty(); }
    /// Loading a saved table: the samples as samples() gave them (by value, each counted).
    void restore(sample_vector samples) { counts_ = std::move(samples); }

private:
    sample_vector counts_;  // by value
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
    // In the table's arena while it folds (fold_arena.hpp).
    std::vector<year_cell, arena_allocator<year_cell>> years;  // in no set order; a year with no application is removed
    std::vector<start_cell, arena_allocator<start_cell>> starts;  // by started_on
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

    /// The cells as columns (application_table::save), so that loading a table copies them
    /// instead of recounting every application; load throws codec_error for cells that could
    /// not have been saved (unsorted, empty or inconsistent).
    template <class Archive>
    void save(Archive& archive) const;
    template <class Archive>
    void load(Archive& archive);

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

namespace saved_cells {
/// A year cell's counters and how many samples each histogram has (they follow in one column).
struct year {
    std::int32_t year = 0;
    std::uint32_t counters[7] = {};  // applications … started, in year_cell's order
    std::uint32_t to_offer = 0;
    std::uint32_t offer_to_start = 0;
};
struct sample {
    std::int32_t value = 0;
    std::uint32_t count = 0;
};
struct campaign {
    std::uint32_t id = 0;
    std::uint32_t years = 0;
    std::uint32_t starts = 0;
};
inline std::uint32_t append(day_histogram const& histogram, std::vector<sample>& samples) {
    for (auto const& [value, count] : histogram.samples()) samples.push_back({value, count});
    return static_cast<std::uint32_t>(histogram.samples().size());
}
/// The next `count` samples (from `at`), checked: values increasing, counts positive.
inline void take(day_histogram& histogram, std::vector<sample> const& samples, std::size_t& at, std::uint32_t count) {
    if (count > samples.size() - at) throw codec_error("a snapshot's cells do not add up");
    day_histogram::sample_vector taken;
    taken.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i, ++at) {
        auto const& s = samples[at];
        if (s.count == 0 || (!taken.empty() && taken.back().first >= s.value)) {
            throw codec_error("a snapshot's histogram is not sorted or counts nothing");
        }
        taken.emplace_back(s.value, s.count);
    }
    histogram.restore(std::move(taken));
}
}  // namespace saved_cells

template <class Archive>
void application_cells::save(Archive& archive) const {
    std::vector<saved_cells::campaign> campaigns;
    campaigns.reserve(campaigns_.size());
    for (auto const& [id, cells] : campaigns_) {
        campaigns.push_back({id, static_cast<std::uint32_t>(cells.years.size()),
                             static_cast<std::uint32_t>(cells.starts.size())});
    }
    std::sort(campaigns.begin(), campaigns.end(), [](auto const& a, auto const& b) { return a.id < b.id; });
    std::vector<saved_cells::year> years;
    std::vector<saved_cells::sample> samples;
    std::vector<start_cell> starts;
    for (auto const& campaign : campaigns) {
        auto const& cells = campaigns_.at(campaign.id);
        // Years in year order, so equal cells save equal bytes (their order in memory is none).
        std::vector<year_cell const*> by_year;
        for (auto const& cell : cells.years) by_year.push_back(&cell);
        std::sort(by_year.begin(), by_year.end(), [](auto const* a, auto const* b) { return a->year < b->year; });
        for (auto const* cell : by_year) {
            years.push_back({.year = cell->year,
                             .counters = {cell->applications, cell->shortlisted, cell->interviewed, cell->offers,
                                          cell->offers_accepted, cell->contracts_signed, cell->started},
                             .to_offer = saved_cells::append(cell->application_to_offer, samples),
                             .offer_to_start = saved_cells::append(cell->offer_to_start, samples)});
        }
        starts.insert(starts.end(), cells.starts.begin(), cells.starts.end());
    }
    save_column(archive, campaigns);
    save_column(archive, years);
    save_column(archive, samples);
    save_column(archive, starts);
}

template <class Archive>
void application_cells::load(Archive& archive) {
    std::vector<saved_cells::campaign> campaigns;
    std::vector<saved_cells::year> years;
    std::vector<saved_cells::sample> samples;
    std::vector<start_cell> starts;
    load_column(archive, campaigns);
    load_column(archive, years);
    load_column(archive, samples);
    load_column(archive, starts);
    clear();
    campaigns_.reserve(campaigns.size());
    year_slots_.reserve(years.size());
    std::size_t at_year = 0;
    std::size_t at_sample = 0;
    std::size_t at_start = 0;
    for (auto const& campaign : campaigns) {
        auto const [it, added] = campaigns_.try_emplace(campaign.id);
        if (!added || (campaign.years == 0 && campaign.starts == 0) || campaign.years > years.size() - at_year ||
            campaign.starts > starts.size() - at_start) {
            throw codec_error("a snapshot's cells do not add up");
        }
        auto& cells = it->second;
        cells.years.reserve(campaign.years);  // no year cell moved while they are added
        for (std::uint32_t i = 0; i < campaign.years; ++i, ++at_year) {
            auto const& saved = years[at_year];
            // Found by (campaign, year) as count() keys it (application_cells.cpp, year_key).
            if (!year_slots_.emplace(std::uint64_t{campaign.id} << 32 | static_cast<std::uint32_t>(saved.year),
                                     static_cast<std::uint32_t>(cells.years.size()))
                     .second) {
                throw codec_error("a snapshot's cells repeat a year");
            }
            auto& cell = cells.years.emplace_back();
            cell.year = saved.year;
            std::uint32_t* const counters[] = {&cell.applications, &cell.shortlisted, &cell.interviewed, &cell.offers,
                                               &cell.offers_accepted, &cell.contracts_signed, &cell.started};
            for (std::size_t k = 0; k < 7; ++k) *counters[k] = saved.counters[k];
            if (cell.applications == 0) throw codec_error("a snapshot's cell counts no application");
            saved_cells::take(cell.application_to_offer, samples, at_sample, saved.to_offer);
            saved_cells::take(cell.offer_to_start, samples, at_sample, saved.offer_to_start);
        }
        cells.starts.assign(starts.begin() + static_cast<std::ptrdiff_t>(at_start),
                            starts.begin() + static_cast<std::ptrdiff_t>(at_start + campaign.starts));
        at_start += campaign.starts;
        for (std::size_t k = 0; k < cells.starts.size(); ++k) {
            if (cells.starts[k].started == 0 || (k > 0 && cells.starts[k - 1].started_on >= cells.starts[k].started_on)) {
                throw codec_error("a snapshot's start cells are not sorted or count nothing");
            }
        }
    }
    if (at_year != years.size() || at_sample != samples.size() || at_start != starts.size()) {
        throw codec_error("a snapshot's cells do not add up");
    }
}

}  // namespace ledger::projections::detail
