#pragma once
// hires-vs-target (SPEC §7): per (organisation, year, role), the yearly target and the
// contracts signed with that employer for that role starting that year. Shape as in
// recruits_per_campaign.hpp.

#include "reference/detail/stream_facts.hpp"
#include "reference/fold_event.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::reference {

class hires_vs_target {
public:
    static constexpr std::string_view name = "hires-vs-target";
    static constexpr std::string_view description =
        "Contracts signed per organisation, year and role against the yearly hiring target";
    static constexpr std::uint32_t code_version = 2;
    static constexpr std::array<std::string_view, 6> columns{
        "organisation", "year", "role", "target", "contracts_signed", "ratio"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per (organisation, year, role) with a target or a contract, in that order.
    boost::json::array rows() const;

    /// A TargetSet (in a target stream) or a ContractSigned (in a candidate stream).
    struct fact {
        std::uint64_t position = 0;
        std::string organisation;  // TargetSet.organisation or ContractSigned.employer
        std::int32_t year = 0;     // TargetSet.year or the year of ContractSigned.starts_on
        std::uint8_t role = 0;     // events::doctor_role
        std::uint32_t hires = 0;   // TargetSet only
        std::string application_id;  // ContractSigned only

        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, organisation, year, role, hires, application_id);
        }
        friend bool operator==(fact const&, fact const&) = default;
    };

    template <class Archive>
    void serialize(Archive& archive) {
        archive(targets_, contracts_);
    }
    friend bool operator==(hires_vs_target const&, hires_vs_target const&) = default;

private:
    detail::stream_facts<fact> targets_;    // by target stream id
    detail::stream_facts<fact> contracts_;  // by candidate stream id
};

inline hires_vs_target apply(hires_vs_target state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::reference
