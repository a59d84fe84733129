#pragma once
// origin (SPEC §7): contracts signed per country of training and year of starts_on.
// Shape as in recruits_per_campaign.hpp.

#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>

#include <cereal/types/optional.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::projections {

class origin {
public:
    static constexpr std::string_view name = "origin";
    static constexpr std::string_view description =
        "Contracts signed per country of training and year of start";
    static constexpr std::uint32_t code_version = 3;
    static constexpr std::array<std::string_view, 3> columns{
        "country_of_training", "year", "contracts_signed"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per (country_of_training, year) with a contract; a candidate without a country
    /// of training counts under null, which sorts first.
    boost::json::array rows() const;

    /// A CandidateRegistered or a ContractSigned of one candidate.
    struct fact {
        std::uint64_t position = 0;
        bool registered = false;
        std::optional<std::string> country;  // registered only
        std::string application_id;          // contract only
        std::int32_t year = 0;               // contract only: the year of starts_on

        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, registered, country, application_id, year);
        }
        friend bool operator==(fact const&, fact const&) = default;
    };

    template <class Archive>
    void serialize(Archive& archive) {
        archive(candidates_);
    }
    friend bool operator==(origin const&, origin const&) = default;

private:
    detail::stream_facts<fact> candidates_;  // by candidate stream id
};

inline origin apply(origin state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::projections
