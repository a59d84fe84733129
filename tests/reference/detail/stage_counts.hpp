#pragma once
// The stage counts recruits-per-campaign and funnel share, in SPEC §7 order.

#include "reference/detail/applications.hpp"

#include <boost/json/object.hpp>

#include <cstdint>

namespace ledger::reference::detail {

struct stage_counts {
    std::uint64_t applications = 0;
    std::uint64_t shortlisted = 0;
    std::uint64_t interviewed = 0;
    std::uint64_t offers = 0;
    std::uint64_t offers_accepted = 0;
    std::uint64_t contracts_signed = 0;
    std::uint64_t started = 0;

    void add(application_summary const& a) noexcept {
        ++applications;
        shortlisted += a.shortlisted ? 1U : 0U;
        interviewed += a.interviewed ? 1U : 0U;
        offers += a.offered ? 1U : 0U;
        offers_accepted += a.accepted ? 1U : 0U;
        contracts_signed += a.contracted ? 1U : 0U;
        started += a.started ? 1U : 0U;
    }

    /// Adds the seven counts to `row` under their SPEC names.
    void write(boost::json::object& row) const {
        row["applications"] = applications;
        row["shortlisted"] = shortlisted;
        row["interviewed"] = interviewed;
        row["offers"] = offers;
        row["offers_accepted"] = offers_accepted;
        row["contracts_signed"] = contracts_signed;
        row["started"] = started;
    }
};

}  // namespace ledger::reference::detail
