#pragma once
// hires-vs-target (SPEC §7): per (organisation, year, role), the yearly target and the
// contracts signed with that employer for that role starting that year. Shape as in
// recruits_per_campaign.hpp.
//
// State (issue 14): per (organisation, year, role) the remaining TargetSet values (hires, with
// the log position that stated each; the latest is the target), per candidate its remaining
// contracts (application id, cell), and per cell the contracts counted, maintained from the
// candidate entries (an event takes its candidate's contribution out, changes the entry, puts
// the new contribution back). A retraction reads the retracted event (fold_event::retracted)
// and removes what it stated. Bounded by targets, candidates and contracts. Only the targets
// and entries are saved; the counts are recomputed when a snapshot is loaded.

#include "projections/detail/entities.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/entry_texts.hpp"
#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <boost/container_hash/hash.hpp>

#include <array>
#include <compare>
#include <functional>
#include <cstdint>
#include <string_view>

namespace ledger::projections {

class hires_vs_target {
public:
    static constexpr std::string_view name = "hires-vs-target";
    static constexpr std::string_view description =
        "Contracts signed per organisation, year and role against the yearly hiring target";
    // 7: application ids numbered per candidate (candidate_contracts), not interned in the pool.
    static constexpr std::uint32_t code_version = 7;
    static constexpr std::array<std::string_view, 6> columns{
        "organisation", "year", "role", "target", "contracts_signed", "ratio"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per (organisation, year, role) with a target or a contract, in that order.
    boost::json::array rows() const;

    /// A row's key: (organisation interned, year, role).
    struct cell_key {
        std::uint32_t organisation = 0;
        std::int32_t year = 0;
        std::uint8_t role = 0;  // events::doctor_role
        template <class Archive>
        void serialize(Archive& archive) {
            archive(organisation, year, role);
        }
        friend bool operator==(cell_key const&, cell_key const&) = default;
        friend auto operator<=>(cell_key const&, cell_key const&) = default;
        friend std::size_t hash_value(cell_key const& k) noexcept {
            return std::hash<std::uint64_t>{}(std::uint64_t{k.organisation} << 32 | static_cast<std::uint32_t>(k.year)) ^
                   (std::size_t{k.role} * 0x9e3779b97f4a7c15ULL);
        }
    };

    struct target_value {
        std::uint64_t position = 0;
        std::uint32_t hires = 0;
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, hires);
        }
        friend bool operator==(target_value const&, target_value const&) = default;
    };
    struct contract {
        std::uint64_t position = 0;
        std::uint32_t application_id = 0;  // numbered in its candidate_contracts' application_ids
        cell_key cell{};
        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, application_id, cell);
        }
        friend bool operator==(contract const&, contract const&) = default;
    };
    /// One candidate's remaining ContractSigned in log order, and the application ids they
    /// ever named (compared only within the candidate: one contract per application).
    struct candidate_contracts {
        detail::few<contract> contracts;
        detail::entry_texts application_ids;
        template <class Archive>
        void serialize(Archive& archive) {
            archive(contracts, application_ids);
        }
        friend bool operator==(candidate_contracts const&, candidate_contracts const&) = default;
    };

    template <class Archive>
    void save(Archive& archive) const {
        archive(texts_, targets_, candidates_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(texts_, targets_, candidates_);
        recount();
    }
    // Kept in the store's table instead (entities.hpp, the runner's live read model): the
    // entities there, and in memory what save_counted() writes — the texts and the maintained
    // counters, so a restart decodes no entity and recounts nothing.
    detail::entities<candidate_contracts>& entity_table() noexcept { return candidates_; }
    detail::entities<candidate_contracts> const& entity_table() const noexcept { return candidates_; }
    template <class Archive>
    void save_counted(Archive& archive) const {
        archive(texts_, targets_, contracts_);
    }
    template <class Archive>
    void load_counted(Archive& archive) {
        archive(texts_, targets_, contracts_);
    }
    friend bool operator==(hires_vs_target const& a, hires_vs_target const& b) {
        return a.texts_ == b.texts_ && a.targets_ == b.targets_ && a.candidates_ == b.candidates_;
    }

private:
    cell_key key_of(std::string_view organisation, std::int32_t year, std::uint8_t role);
    /// Adds (+1) or removes (-1) what one candidate's contracts contribute to the counts.
    void count(candidate_contracts const& candidate, int sign);
    void recount();

    detail::string_pool texts_;  // organisations
    /// Remaining TargetSet values per cell, in log order (the last is the target).
    boost::unordered_flat_map<cell_key, detail::few<target_value>, boost::hash<cell_key>> targets_;
    /// Remaining ContractSigned per stream (a candidate), in log order, with their application ids.
    detail::entities<candidate_contracts> candidates_;
    boost::unordered_flat_map<cell_key, std::uint64_t, boost::hash<cell_key>> contracts_;  // counted per cell
};

inline hires_vs_target apply(hires_vs_target state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
