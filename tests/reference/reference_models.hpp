#pragma once
// The REFERENCE read models of SPEC §7 for the differential tests (tests/test_projection_differential.cpp).
//
// A frozen copy of the read models as they were before issue 14 (commit 3cf88d3): each keeps
// one fact per relevant event, tagged with its stream and position, and derives its rows from
// the remaining facts when asked. Slow and memory-hungry, but simple: a retraction just marks
// the facts of the retracted position. The real read models (projections/) keep bounded state
// and must answer exactly what these answer, row for row, as JSON values.
//
// Compiled only into ledger_tests. Threading: plain values; one thread at a time.

#include "reference/funnel.hpp"
#include "reference/hires_vs_target.hpp"
#include "reference/origin.hpp"
#include "reference/outreach.hpp"
#include "reference/recruits_per_campaign.hpp"
#include "reference/retention.hpp"
#include "reference/vacancies.hpp"

#include <boost/json/array.hpp>

#include <stdexcept>
#include <string_view>

namespace ledger::reference {

/// All seven reference read models, folded together.
struct all_models {
    recruits_per_campaign recruits;
    funnel funnel_model;
    hires_vs_target hires;
    vacancies vacancies_model;
    outreach outreach_model;
    origin origin_model;
    retention retention_model;

    /// Folds one event (its data must be decoded whatever its type; nullptr is not read).
    void apply(fold_event const& event) {
        recruits.apply(event);
        funnel_model.apply(event);
        hires.apply(event);
        vacancies_model.apply(event);
        outreach_model.apply(event);
        origin_model.apply(event);
        retention_model.apply(event);
    }

    /// The rows of the read model named `name` (SPEC §7 names).
    boost::json::array rows(std::string_view name) const {
        if (name == recruits_per_campaign::name) return recruits.rows();
        if (name == funnel::name) return funnel_model.rows();
        if (name == hires_vs_target::name) return hires.rows();
        if (name == vacancies::name) return vacancies_model.rows();
        if (name == outreach::name) return outreach_model.rows();
        if (name == origin::name) return origin_model.rows();
        if (name == retention::name) return retention_model.rows();
        throw std::invalid_argument("no reference read model named " + std::string(name));
    }
};

}  // namespace ledger::reference
