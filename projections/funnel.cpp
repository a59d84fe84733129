#include "projections/funnel.hpp"

#include "projections/detail/common.hpp"
#include "projections/detail/stage_counts.hpp"

#include <boost/json/object.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace ledger::projections {

bool funnel::reads(std::string_view type) noexcept {
    return detail::application_table_reads(type, true);
}

void funnel::apply(fold_event const& event) { table_.fold(event); }

namespace {

// (kind, organiser, year); nullopt kind and organiser for a campaign with no plan.
using funnel_key = std::tuple<std::optional<std::string>, std::optional<std::string>, std::int32_t>;

/// The cells of the campaigns of one row, summed; the medians' histograms merged when rendered.
struct funnel_cell {
    detail::stage_counts counts;
    std::vector<detail::day_histogram const*> application_to_offer;
    std::vector<detail::day_histogram const*> offer_to_start;

    void add(detail::year_cell const& cell) {
        counts.add(cell);
        if (!cell.application_to_offer.empty()) application_to_offer.push_back(&cell.application_to_offer);
        if (!cell.offer_to_start.empty()) offer_to_start.push_back(&cell.offer_to_start);
    }
    /// A maintained row (detail/funnel_rows.hpp): its sums, its histograms already merged.
    explicit funnel_cell(detail::funnel_row_cell const& row) : counts(row.counts) {
        if (!row.application_to_offer.empty()) application_to_offer.push_back(&row.application_to_offer);
        if (!row.offer_to_start.empty()) offer_to_start.push_back(&row.offer_to_start);
    }
    funnel_cell() = default;
};

boost::json::object conversion(detail::stage_counts const& c) {
    using detail::ratio;
    return {{"shortlisted", ratio(c.shortlisted, c.applications)},
            {"interviewed", ratio(c.interviewed, c.shortlisted)},
            {"offers", ratio(c.offers, c.interviewed)},
            {"offers_accepted", ratio(c.offers_accepted, c.offers)},
            {"contracts_signed", ratio(c.contracts_signed, c.offers_accepted)},
            {"started", ratio(c.started, c.contracts_signed)}};
}

boost::json::object row_of(funnel_key const& key, funnel_cell const& cell) {
    boost::json::object row;
    row["kind"] = detail::string_or_null(std::get<0>(key));
    row["organiser"] = detail::string_or_null(std::get<1>(key));
    row["year"] = std::get<2>(key);
    cell.counts.write(row);
    row["conversion"] = conversion(cell.counts);
    row["median_days_application_to_offer"] = detail::median_of(cell.application_to_offer);
    row["median_days_offer_to_start"] = detail::median_of(cell.offer_to_start);
    return row;
}

/// A row's key in numbers: planned, kind, interned organiser, year.
using number_key = detail::funnel_row_key;

/// The rows in order by their texts: the few row keys in numbers put in order.
template <class Cells>
boost::json::array in_order(detail::application_table const& table, Cells& by_number) {
    std::map<funnel_key, funnel_cell*> ordered;
    for (auto& [key, cell] : by_number) {
        funnel_key text_key{std::nullopt, std::nullopt, key.year};
        if (key.planned) {
            text_key = funnel_key{detail::enum_name(static_cast<events::campaign_kind>(key.kind)),
                                  std::string(table.texts.text(key.organiser)), key.year};
        }
        ordered.emplace(std::move(text_key), &cell);
    }
    boost::json::array rows;
    rows.reserve(ordered.size());
    for (auto const& [key, cell] : ordered) rows.push_back(row_of(key, *cell));
    return rows;
}

}  // namespace

boost::json::array funnel::rows() const {
    auto const& table = *table_;
    if (auto const* maintained = table.maintained_funnel_rows()) {
        // The live table's rows as the fold keeps them: O(rows).
        boost::unordered_flat_map<number_key, funnel_cell, detail::hash_funnel_row_key> by_number;
        by_number.reserve(maintained->rows().size());
        for (auto const& [key, row] : maintained->rows()) by_number.try_emplace(key, row);
        return in_order(table, by_number);
    }
    // The campaigns' cells summed per row key in numbers (O(campaigns × years)).
    boost::unordered_flat_map<number_key, funnel_cell, detail::hash_funnel_row_key> by_number;
    for (auto const& [id, cells] : table.cells.campaigns()) {
        auto key = table.funnel_key_of(id);
        for (auto const& year : cells.years) {
            key.year = year.year;
            by_number[key].add(year);
        }
    }
    return in_order(table, by_number);
}

}  // namespace ledger::projections
