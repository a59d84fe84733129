#pragma once
// recruits-per-campaign (SPEC §7): one row per campaign with the applications received for it
// and how many of them reached each stage, its costs and cost per contract.
//
// The shape every read model here shares: a value type with a pure fold `apply` (no I/O, no
// clock, no logging; events it does not care about leave it unchanged), `rows()` deriving the
// rows from the state, cereal `serialize` for snapshots, and static metadata.
//
// The three read models of the application table (this one, funnel, retention) render from the
// cells the table maintains per campaign and year received (detail/application_cells.hpp), so
// rows() costs O(campaigns × years), not O(applications).

#include "projections/detail/applications.hpp"
#include "projections/fold_event.hpp"
#include "projections/read_model.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace ledger::projections {

class recruits_per_campaign {
public:
    static constexpr std::string_view name = "recruits-per-campaign";
    static constexpr std::string_view description =
        "Applications per campaign and the stages they reached, with costs per contract";
    static constexpr std::uint32_t code_version = 8;
    static constexpr std::array<std::string_view, 13> columns{
        "campaign_id", "name", "kind", "organiser", "applications", "shortlisted", "interviewed",
        "offers", "offers_accepted", "contracts_signed", "started", "costs", "cost_per_contract"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per campaign that is planned, has costs or has applications, ordered by
    /// campaign_id: the campaign's cells summed over the years.
    boost::json::array rows() const;
    /// rows() into `sink` (read_model::render): a row's counts and costs only when it is taken.
    void render(row_sink& sink) const;
    /// read_model::render_part: the campaigns in id order split into `parts` runs.
    void render_part(row_sink& sink, std::size_t part, std::size_t parts) const;
    /// A sink's only_where("organiser") narrows the campaigns before any row is shown: a page
    /// of one organiser renders that organiser's campaigns, not all of them.
    static bool renders_only_where(std::string_view column) noexcept { return column == "organiser"; }

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
    friend bool operator==(recruits_per_campaign const&, recruits_per_campaign const&) = default;

private:
    /// render (parts == 0) or render_part; with the sink's text(), each taken row as its text.
    void render_rows(row_sink& sink, std::size_t part, std::size_t parts) const;

    detail::table_handle table_;  // shared with the other application models (read_model.hpp)
};

/// The pure fold in value form: the state after `event`.
inline recruits_per_campaign apply(recruits_per_campaign state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
