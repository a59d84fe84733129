#pragma once
// origin (SPEC §7): contracts signed per country of training and year of starts_on.
// Shape as in recruits_per_campaign.hpp.
//
// State (issue 14): one entry per candidate with its remaining registrations (country of
// training) and contracts (application id, year of starts_on), each with the log position that
// stated it (countries interned in the model's pool, application ids numbered in the entry
// itself: detail::entry_texts), and the count per (country, year) maintained from the entries:
// an event takes its candidate's contribution out, changes the entry and puts the new
// contribution back (a retracted registration moves the candidate's contracts). A retraction
// reads the retracted event (fold_event::retracted) and removes what it stated. Bounded by
// candidates and contracts. Only the entries are saved; the counts are recomputed on load.

#include "projections/detail/entities.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/entry_texts.hpp"
#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

namespace ledger::projections {

class origin {
public:
    static constexpr std::string_view name = "origin";
    static constexpr std::string_view description =
        "Contracts signed per country of training and year of start";
    // 7: application ids numbered per candidate entry, not interned in the model's pool.
    static constexpr std::uint32_t code_version = 7;
    static constexpr std::array<std::string_view, 3> columns{
        "country_of_training", "year", "contracts_signed"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per (country_of_training, year) with a contract; a candidate without a country
    /// of training counts under null, which sorts first.
    boost::json::array rows() const;

    /// The interned text number standing for "no country of training".
    static constexpr std::uint32_t no_country = std::numeric_limits<std::uint32_t>::max();

    struct registration {
        std::uint64_t position = 0;
        std::uint32_t country = no_country;  // interned
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, country);
        }
        friend bool operator==(registration const&, registration const&) = default;
    };
    struct contract {
        std::uint64_t position = 0;
        std::uint32_t application_id = 0;  // numbered in its candidate_entry's application_ids
        std::int32_t year = 0;             // of starts_on
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, application_id, year);
        }
        friend bool operator==(contract const&, contract const&) = default;
    };
    struct candidate_entry {
        detail::few<registration> registrations;  // rule 1: one
        detail::few<contract> contracts;          // in log order
        detail::entry_texts application_ids;      // of the contracts ever signed, first named first
        bool empty() const noexcept { return registrations.empty() && contracts.empty(); }
        template <class Archive>
        void serialize(Archive& archive) {
            archive(registrations, contracts, application_ids);
        }
        friend bool operator==(candidate_entry const&, candidate_entry const&) = default;
    };

    template <class Archive>
    void save(Archive& archive) const {
        archive(texts_, candidates_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(texts_, candidates_);
        recount();
    }
    // Kept in the store's table instead (entities.hpp, the runner's live read model): the
    // entities there, and in memory what save_counted() writes — the texts and the maintained
    // counters, so a restart decodes no entity and recounts nothing.
    detail::entities<candidate_entry>& entity_table() noexcept { return candidates_; }
    detail::entities<candidate_entry> const& entity_table() const noexcept { return candidates_; }
    template <class Archive>
    void save_counted(Archive& archive) const {
        archive(texts_, counts_);
    }
    template <class Archive>
    void load_counted(Archive& archive) {
        archive(texts_, counts_);
    }
    friend bool operator==(origin const& a, origin const& b) {
        return a.texts_ == b.texts_ && a.candidates_ == b.candidates_;
    }

private:
    /// Adds (+1) or removes (-1) what one candidate contributes to the counts.
    void count(candidate_entry const& entry, int sign);
    void recount();

    detail::string_pool texts_;  // countries
    detail::entities<candidate_entry> candidates_;  // by candidate id
    boost::unordered_flat_map<std::uint64_t, std::uint64_t> counts_;  // by country << 32 | year
};

inline origin apply(origin state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
