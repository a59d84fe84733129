#pragma once
// funnel (SPEC §7): applications by the kind and organiser of their campaign and the year they
// were received, the stages reached, stage-to-stage conversion and two median durations.
// Shape as in recruits_per_campaign.hpp.

#include "reference/detail/applications.hpp"
#include "reference/fold_event.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace ledger::reference {

class funnel {
public:
    static constexpr std::string_view name = "funnel";
    static constexpr std::string_view description =
        "Application funnel per campaign kind, organiser and year, with conversion and medians";
    static constexpr std::uint32_t code_version = 2;
    static constexpr std::array<std::string_view, 13> columns{
        "kind", "organiser", "year", "applications", "shortlisted", "interviewed", "offers",
        "offers_accepted", "contracts_signed", "started", "conversion",
        "median_days_application_to_offer", "median_days_offer_to_start"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// Ordered by kind, organiser, year; applications to an unplanned campaign come first with
    /// kind and organiser null.
    boost::json::array rows() const;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(facts_);
    }
    friend bool operator==(funnel const&, funnel const&) = default;

private:
    detail::application_facts facts_;
};

inline funnel apply(funnel state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::reference
