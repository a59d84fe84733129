#pragma once
// funnel (SPEC §7): applications by the kind and organiser of their campaign and the year they
// were received, the stages reached, stage-to-stage conversion and two median durations.
// Shape as in recruits_per_campaign.hpp.

#include "projections/detail/applications.hpp"
#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace ledger::projections {

class funnel {
public:
    static constexpr std::string_view name = "funnel";
    static constexpr std::string_view description =
        "Application funnel per campaign kind, organiser and year, with conversion and medians";
    static constexpr std::uint32_t code_version = 8;
    static constexpr std::array<std::string_view, 13> columns{
        "kind", "organiser", "year", "applications", "shortlisted", "interviewed", "offers",
        "offers_accepted", "contracts_signed", "started", "conversion",
        "median_days_application_to_offer", "median_days_offer_to_start"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// Ordered by kind, organiser, year; applications to an unplanned campaign come first with
    /// kind and organiser null. The cells of each (campaign, year) summed under the campaign's
    /// plan as it is now, the medians' histograms merged: O(campaigns × years); or, when the
    /// table keeps them (application_table::maintain_funnel_rows, the live runner's), the
    /// rows the fold maintains (detail/funnel_rows.hpp): O(rows).
    boost::json::array rows() const;

    /// The application table, and sharing it (detail::model_of, make_all_read_models).
    std::shared_ptr<detail::application_table> const& table() const noexcept { return table_.shared(); }
    void use_table(std::shared_ptr<detail::application_table> table) { table_.share(std::move(table)); }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(table_);
    }
    /// The state but the table (read_model::save_without_table): nothing.
    template <class Archive>
    void save_own(Archive& /*archive*/) const {}
    template <class Archive>
    void load_own(Archive& /*archive*/) {}
    friend bool operator==(funnel const&, funnel const&) = default;

private:
    detail::table_handle table_;  // shared with the other application models (read_model.hpp)
};

inline funnel apply(funnel state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
