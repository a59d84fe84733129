#pragma once
// funnel's rows as the fold maintains them (issue 14, "a live page of 10,000 rows, first read
// after a fold: < 50 ms"; docs/read-models.md "funnel's rows maintained by the fold"): per row
// key — the (kind, organiser) of a campaign's plan, or none for an unplanned campaign, and the
// year received — the sum of the year cells (application_cells.hpp) of the campaigns under that
// key, their histograms merged. funnel::rows() otherwise sums every campaign's cells on each
// render (O(campaigns × years): ~30–50 ms CPU at 10,000,000 events); from these it renders its
// ~200 rows only.
//
// The application table keeps them only when asked (application_table::maintain_funnel_rows:
// the runner's live table): every change of an application's contribution to the cells is
// made here too, under the row key of the campaign's plan as it is then, and a plan that comes
// or goes moves the campaign's year cells from one key to the other. A row's counters are the
// sums funnel renders (64 bits); its histograms hold exactly the samples of its campaigns'
// histograms, so the medians are the same numbers.
//
// Not saved: built from the cells (rebuild) when maintenance starts.
//
// Threading: a plain value; callers serialise access (the table owning it).

#include "projections/detail/application_cells.hpp"
#include "projections/detail/stage_counts.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstddef>
#include <cstdint>

namespace ledger::projections::detail {

/// A funnel row's key in numbers: planned, kind and interned organiser of the campaign's
/// (first) plan, all zero for an unplanned campaign, and the year received.
struct funnel_row_key {
    bool planned = false;
    std::uint8_t kind = 0;
    std::uint32_t organiser = 0;
    std::int32_t year = 0;
    friend bool operator==(funnel_row_key const&, funnel_row_key const&) = default;
};

struct hash_funnel_row_key {
    std::size_t operator()(funnel_row_key const& k) const noexcept;
};

/// The applications of the campaigns under one row key received in its year.
struct funnel_row_cell {
    stage_counts counts;
    day_histogram application_to_offer;
    day_histogram offer_to_start;
};

class funnel_rows {
public:
    /// Adds (+1) or removes (-1) one application's contribution under `key` (its year is
    /// overwritten with the year `a` was received).
    void count(funnel_row_key key, application_summary const& a, int sign);
    /// Adds (+1) or removes (-1) a campaign's year cells under `key` (the years their own):
    /// a campaign's plan came or went.
    void add_campaign(funnel_row_key key, campaign_cells const& cells, int sign);
    void clear() noexcept { rows_.clear(); }

    boost::unordered_flat_map<funnel_row_key, funnel_row_cell, hash_funnel_row_key> const& rows() const noexcept {
        return rows_;
    }

private:
    boost::unordered_flat_map<funnel_row_key, funnel_row_cell, hash_funnel_row_key> rows_;
};

}  // namespace ledger::projections::detail
