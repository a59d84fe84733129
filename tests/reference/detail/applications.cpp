#include "reference/detail/applications.hpp"

#include "reference/detail/common.hpp"

#include <algorithm>
#include <array>

namespace ledger::reference::detail {
namespace ev = ledger::events;

namespace {

std::optional<campaign_fact> campaign_fact_of(fold_event const& e, bool with_costs,
                                             string_pool& texts) {
    if (auto const* planned = std::get_if<ev::campaign_planned>(e.data)) {
        return campaign_fact{.position = e.position, .what = campaign_fact_kind::planned,
                             .name = texts.intern(planned->name),
                             .organiser = texts.intern(planned->organiser),
                             .kind = static_cast<std::uint8_t>(planned->kind)};
    }
    if (!with_costs) return std::nullopt;
    if (auto const* cost = std::get_if<ev::cost_recorded>(e.data)) {
        return campaign_fact{.position = e.position, .what = campaign_fact_kind::cost,
                             .name = texts.intern(cost->currency.value),
                             .amount_minor = cost->amount_minor};
    }
    auto const* advert = std::get_if<ev::advertisement_published>(e.data);
    // The catalogue requires a currency with cost_minor; an amount without one is not money
    // we could add to anything, so it is left out.
    if (advert == nullptr || !advert->cost_minor || !advert->currency) return std::nullopt;
    return campaign_fact{.position = e.position, .what = campaign_fact_kind::cost,
                         .name = texts.intern(advert->currency->value),
                         .amount_minor = *advert->cost_minor};
}

std::optional<candidate_fact> candidate_fact_of(fold_event const& e, string_pool& texts) {
    auto const day = day_number(e.occurred_at);
    auto stage = [&](candidate_step step, std::string const& application_id, std::int64_t on) {
        return candidate_fact{.position = e.position, .step = step, .day = on,
                              .application_id = texts.intern(application_id)};
    };
    if (auto const* received = std::get_if<ev::application_received>(e.data)) {
        auto fact = stage(candidate_step::received, received->application_id, day);
        fact.campaign_id = texts.intern(received->campaign_id);
        return fact;
    }
    if (auto const* screened = std::get_if<ev::application_screened>(e.data)) {
        if (screened->outcome != ev::screening_outcome::shortlisted) return std::nullopt;
        return stage(candidate_step::shortlisted, screened->application_id, day);
    }
    if (auto const* held = std::get_if<ev::interview_held>(e.data)) {
        if (held->outcome == ev::interview_outcome::no_show) return std::nullopt;
        return stage(candidate_step::interviewed, held->application_id, day);
    }
    if (auto const* offer = std::get_if<ev::offer_extended>(e.data)) {
        return stage(candidate_step::offered, offer->application_id, day);
    }
    if (auto const* answer = std::get_if<ev::offer_answered>(e.data)) {
        if (!answer->accepted) return std::nullopt;
        return stage(candidate_step::accepted, answer->application_id, day);
    }
    if (auto const* contract = std::get_if<ev::contract_signed>(e.data)) {
        return stage(candidate_step::contracted, contract->application_id,
                     day_number(contract->starts_on));
    }
    if (auto const* started = std::get_if<ev::employment_started>(e.data)) {
        return candidate_fact{.position = e.position, .step = candidate_step::employment_started,
                              .day = day_number(started->started_on)};
    }
    if (auto const* ended = std::get_if<ev::employment_ended>(e.data)) {
        return candidate_fact{.position = e.position, .step = candidate_step::employment_ended,
                              .day = day_number(ended->ended_on)};
    }
    return std::nullopt;
}

}  // namespace

void application_facts::apply(fold_event const& e) {
    if (e.data == nullptr) return;
    auto const category = e.category();
    if (auto const* retracted = std::get_if<ev::event_retracted>(e.data)) {
        if (category == "campaign") campaigns.retract(e.stream_id(), retracted->position);
        if (category == "candidate") candidates.retract(e.stream_id(), retracted->position);
    } else if (category == "campaign") {
        if (auto fact = campaign_fact_of(e, with_costs, texts)) campaigns.add(e.stream_id(), std::move(*fact));
    } else if (category == "candidate") {
        if (auto fact = candidate_fact_of(e, texts)) candidates.add(e.stream_id(), std::move(*fact));
    }
}

bool application_facts_read(std::string_view type, bool with_costs) noexcept {
    static constexpr std::array<std::string_view, 10> always{
        ev::event_retracted::type_name,     ev::campaign_planned::type_name,
        ev::application_received::type_name, ev::application_screened::type_name,
        ev::interview_held::type_name,      ev::offer_extended::type_name,
        ev::offer_answered::type_name,      ev::contract_signed::type_name,
        ev::employment_started::type_name,  ev::employment_ended::type_name};
    if (std::find(always.begin(), always.end(), type) != always.end()) return true;
    return with_costs && (type == ev::cost_recorded::type_name ||
                          type == ev::advertisement_published::type_name);
}

campaign_profile profile_of(std::vector<campaign_fact> const& facts, string_pool const& texts) {
    campaign_profile profile;
    for (auto const& fact : facts) {
        if (fact.what == campaign_fact_kind::cost) {
            profile.costs[std::string(texts.text(fact.name))] += fact.amount_minor;
        } else if (!profile.planned) {  // rule 1: one plan; should there be more, the first
            profile.planned = true;
            profile.name = texts.text(fact.name);
            profile.organiser = texts.text(fact.organiser);
            profile.kind = enum_name(static_cast<ev::campaign_kind>(fact.kind));
        }
    }
    return profile;
}

namespace {

application_summary* find_application(std::vector<application_summary>& applications,
                                      std::uint32_t id) {
    auto const it = std::find_if(applications.begin(), applications.end(),
                                 [&](application_summary const& a) { return a.application_id == id; });
    return it == applications.end() ? nullptr : &*it;
}

void reach(application_summary& a, candidate_fact const& fact, std::uint64_t& contract_position) {
    switch (fact.step) {
        case candidate_step::shortlisted: a.shortlisted = true; break;
        case candidate_step::interviewed: a.interviewed = true; break;
        case candidate_step::offered:
            if (!a.offered) a.offer_day = fact.day;
            a.offered = true;
            break;
        case candidate_step::accepted: a.accepted = true; break;
        case candidate_step::contracted:
            if (!a.contracted) contract_position = fact.position;
            a.contracted = true;
            break;
        default: break;
    }
}

/// started/started_on/ended_on of a contracted application from the employment facts.
void follow_employment(application_summary& a, std::uint64_t contract_position,
                       std::vector<candidate_fact> const& facts) {
    std::optional<std::uint64_t> start_position;
    for (auto const& fact : facts) {
        if (fact.position <= contract_position) continue;
        if (!start_position && fact.step == candidate_step::employment_started) {
            start_position = fact.position;
            a.started = true;
            a.started_on = fact.day;
        } else if (start_position && fact.step == candidate_step::employment_ended) {
            a.ended_on = fact.day;
            return;
        }
    }
}

}  // namespace

std::vector<application_summary> summarize_applications(std::vector<candidate_fact> const& facts,
                                                        string_pool const& texts) {
    std::vector<application_summary> applications;
    for (auto const& fact : facts) {
        if (fact.step != candidate_step::received) continue;
        if (find_application(applications, fact.application_id) != nullptr) continue;
        applications.push_back(application_summary{.application_id = fact.application_id,
                                                   .campaign_id = texts.text(fact.campaign_id),
                                                   .received_day = fact.day});
    }
    std::vector<std::uint64_t> contract_positions(applications.size(), 0);
    for (auto const& fact : facts) {
        if (fact.application_id == no_text || fact.step == candidate_step::received) continue;
        auto* application = find_application(applications, fact.application_id);
        if (application == nullptr) continue;  // a stage of an application never received
        auto const index = static_cast<std::size_t>(application - applications.data());
        reach(*application, fact, contract_positions[index]);
    }
    for (std::size_t i = 0; i < applications.size(); ++i) {
        if (applications[i].contracted) follow_employment(applications[i], contract_positions[i], facts);
    }
    return applications;
}

}  // namespace ledger::reference::detail
