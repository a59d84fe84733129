#pragma once
// retention (SPEC §7): per campaign, the doctors who started and how many of those whose 12
// (24) month anniversary has passed were still employed on it. Shape as in
// recruits_per_campaign.hpp.
//
// The anniversary is started_on + 365 (730) days; it has passed when it is at or before the
// latest occurred_at folded, the read model's only clock. That clock is not a fact: a retracted
// event's occurred_at has still been seen, so the clock never goes back.

#include "projections/detail/applications.hpp"
#include "projections/fold_event.hpp"
#include "projections/read_model.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace ledger::projections {

class retention {
public:
    static constexpr std::string_view name = "retention";
    static constexpr std::string_view description =
        "Doctors started per campaign and how many stayed 12 and 24 months";
    static constexpr std::uint32_t code_version = 8;
    static constexpr std::array<std::string_view, 6> columns{
        "campaign_id", "started", "eligible_12m", "retained_12m", "eligible_24m", "retained_24m"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per campaign that is planned or has applications, ordered by campaign_id: the
    /// campaign's starts per start day (maintained cells) counted against the clock.
    boost::json::array rows() const;
    /// rows() into `sink` (read_model::render): a row's counts only when it is taken.
    void render(row_sink& sink) const;
    /// read_model::render_part: the campaigns in id order split into `parts` runs.
    void render_part(row_sink& sink, std::size_t part, std::size_t parts) const;

    /// The application table, and sharing it (detail::model_of, make_all_read_models).
    std::shared_ptr<detail::application_table> const& table() const noexcept { return table_.shared(); }
    void use_table(std::shared_ptr<detail::application_table> table) { table_.share(std::move(table)); }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(table_, latest_occurred_micros_);
    }
    /// The state but the table (read_model::save_without_table).
    template <class Archive>
    void save_own(Archive& archive) const {
        archive(latest_occurred_micros_);
    }
    template <class Archive>
    void load_own(Archive& archive) {
        archive(latest_occurred_micros_);
    }
    friend bool operator==(retention const&, retention const&) = default;

private:
    /// render (parts == 0) or render_part; with the sink's text(), each taken row as its text.
    void render_rows(row_sink& sink, std::size_t part, std::size_t parts) const;
    detail::table_handle table_;  // shared with the other application models (read_model.hpp)
    std::int64_t latest_occurred_micros_ = 0;  // 0: nothing folded yet
};

inline retention apply(retention state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
