#include "events/detail/fold.hpp"

#include <algorithm>
#include <variant>

namespace ledger::events::detail {
namespace {

void retract(rule_state& state, std::uint64_t target) {
    state.retracted.insert(std::ranges::upper_bound(state.retracted, target), target);
    auto const made_by_target = [&](auto const& entry) { return entry.position == target; };
    std::erase_if(state.shortage_checks, made_by_target);
    std::erase_if(state.brokerage_consent, made_by_target);
    std::erase_if(state.applications, made_by_target);
    if (state.closed_by == target) state.closed_by.reset();
}

// One overload per event type that leaves a trace; the template ignores the rest.
struct folder {
    rule_state& state;
    std::uint64_t position;

    void operator()(shortage_check_recorded const& e) const {
        state.shortage_checks.push_back({position, e.country.value, e.shortage});
    }
    void operator()(consent_granted const& e) const {
        if (e.purpose != consent_purpose::contact_brokerage) return;
        std::optional<std::int32_t> expires;
        if (e.expires_on) {
            expires = static_cast<std::int32_t>(e.expires_on->time_since_epoch().count());
        }
        state.brokerage_consent.push_back({position, true, expires});
    }
    void operator()(consent_withdrawn const& e) const {
        if (e.purpose != consent_purpose::contact_brokerage) return;
        state.brokerage_consent.push_back({position, false, std::nullopt});
    }
    void operator()(application_received const& e) const {
        state.applications.push_back({position, e.application_id});
    }
    void operator()(campaign_closed const&) const { state.closed_by = position; }
    void operator()(position_filled const&) const { state.closed_by = position; }
    void operator()(position_withdrawn const&) const { state.closed_by = position; }
    void operator()(subject_erased const&) const { state.erased = true; }
    void operator()(event_retracted const& e) const { retract(state, e.position); }
    template <class T>
    void operator()(T const&) const {}
};

}  // namespace

void fold_event(rule_state& state, std::uint64_t position, recruitment_event const& event) {
    // Only a creation event is admitted into a stream without one, so the first is it.
    if (!state.creation_position) state.creation_position = position;
    std::visit(folder{state, position}, event);
}

}  // namespace ledger::events::detail
