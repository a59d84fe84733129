#pragma once
// vacancies (SPEC §7): positions per (organisation, role): opened, filled (first posting or
// after a repost), withdrawn, still open, and the median days from first posting to filling.
// Shape as in recruits_per_campaign.hpp.
//
// State (issue 14): one entry per position (stream) with what is still true of it — its
// opening (organisation, role), postings, reposts, fill and withdrawal, each with the log
// position that stated it — and the row counters maintained from the entries: an event
// takes its position's contribution out of its row, changes the entry, and puts the new
// contribution back. A retraction reads the retracted event (fold_event::retracted) and
// removes what that event stated from the entry. Bounded by positions, not by events.
// Only the entries are saved; the counters are recomputed when a snapshot is loaded.

#include "projections/detail/applications.hpp"
#include "projections/detail/day_counts.hpp"
#include "projections/detail/entities.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace ledger::projections {

class vacancies {
public:
    static constexpr std::string_view name = "vacancies";
    static constexpr std::string_view description =
        "Positions per organisation and role: opened, filled, reposted, withdrawn, time to fill";
    static constexpr std::uint32_t code_version = 6;
    static constexpr std::array<std::string_view, 9> columns{
        "organisation", "role", "opened", "filled", "filled_first_posting", "filled_after_repost",
        "withdrawn", "open", "median_days_to_fill"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per (organisation, role) of an opened position, in that order.
    boost::json::array rows() const;

    struct opening {
        std::uint64_t position = 0;
        std::uint32_t organisation = 0;  // interned
        std::uint8_t role = 0;           // events::doctor_role
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, organisation, role);
        }
        friend bool operator==(opening const&, opening const&) = default;
    };

    /// What is still true of one position, each list in log order.
    struct position_entry {
        detail::few<opening> opened;
        detail::few<detail::dated> postings;  // VacancyPosted: posted_on
        detail::few<std::uint64_t> reposts;   // positions of VacancyReposted
        detail::few<detail::dated> fills;     // PositionFilled: filled_on
        detail::few<std::uint64_t> withdrawals;
        bool empty() const noexcept {
            return opened.empty() && postings.empty() && reposts.empty() && fills.empty() &&
                   withdrawals.empty();
        }
        template <class Archive>
        void serialize(Archive& archive) {
            archive(opened, postings, reposts, fills, withdrawals);
        }
        friend bool operator==(position_entry const&, position_entry const&) = default;
    };

    template <class Archive>
    void save(Archive& archive) const {
        archive(texts_, positions_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(texts_, positions_);
        recount();
    }
    // Kept in the store's table instead (entities.hpp, the runner's live read model): the
    // entities there, and in memory what save_counted() writes — the texts and the maintained
    // counters, so a restart decodes no entity and recounts nothing.
    detail::entities<position_entry>& entity_table() noexcept { return positions_; }
    detail::entities<position_entry> const& entity_table() const noexcept { return positions_; }
    template <class Archive>
    void save_counted(Archive& archive) const {
        archive(texts_, rows_);
    }
    template <class Archive>
    void load_counted(Archive& archive) {
        archive(texts_, rows_);
    }
    friend bool operator==(vacancies const& a, vacancies const& b) {
        return a.texts_ == b.texts_ && a.positions_ == b.positions_;
    }

private:
    struct row {
        std::uint64_t opened = 0, filled = 0, filled_after_repost = 0, withdrawn = 0;
        detail::day_counts days_to_fill;
        template <class Archive>
        void serialize(Archive& archive) {
            archive(opened, filled, filled_after_repost, withdrawn, days_to_fill);
        }
    };
    /// Adds (+1) or removes (-1) what one position contributes to its row.
    void count(position_entry const& entry, int sign);
    void recount();

    detail::string_pool texts_;  // organisations
    detail::entities<position_entry> positions_;  // by position id
    boost::unordered_flat_map<std::uint64_t, row> rows_;  // by organisation << 8 | role
};

inline vacancies apply(vacancies state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
