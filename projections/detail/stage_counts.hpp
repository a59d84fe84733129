#pragma once
// The stage counts recruits-per-campaign and funnel share, in SPEC §7 order, summed from
// maintained cells.

#include "ledger/json_text.hpp"
#include "projections/detail/application_cells.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace ledger::projections::detail {

struct stage_counts {
    std::uint64_t applications = 0;
    std::uint64_t shortlisted = 0;
    std::uint64_t interviewed = 0;
    std::uint64_t offers = 0;
    std::uint64_t offers_accepted = 0;
    std::uint64_t contracts_signed = 0;
    std::uint64_t started = 0;

    /// Adds a maintained cell's counts (application_cells.hpp).
    void add(year_cell const& cell) noexcept {
        applications += cell.applications;
        shortlisted += cell.shortlisted;
        interviewed += cell.interviewed;
        offers += cell.offers;
        offers_accepted += cell.offers_accepted;
        contracts_signed += cell.contracts_signed;
        started += cell.started;
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
    /// The same cells as write(row) as JSON text: `,"applications":N,…,"started":N`.
    void write(std::string& out) const {
        std::pair<char const*, std::uint64_t> const cells[] = {
            {R"(,"applications":)", applications}, {R"(,"shortlisted":)", shortlisted},
            {R"(,"interviewed":)", interviewed},   {R"(,"offers":)", offers},
            {R"(,"offers_accepted":)", offers_accepted}, {R"(,"contracts_signed":)", contracts_signed},
            {R"(,"started":)", started}};
        for (auto const& [key, value] : cells) {
            out += key;
            append_json_integer(out, value);
        }
    }
};

}  // namespace ledger::projections::detail
