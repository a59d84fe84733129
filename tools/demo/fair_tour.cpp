#include "scenario.hpp"

#include <fmt/format.h>

namespace ledger::demo::detail {
namespace {

using std::chrono::days;

// A student met on the tour: interest, perhaps consent to be contacted, an invitation to meet a
// department, sometimes a change of mind. Adds the events to `events`.
void student_outreach(demo_writer& w, std::string const& campaign_id, employer const& region,
                      date met, std::vector<demo_event>& events) {
    events.push_back(w.event("InterestRegistered", met,
                             {{"specialties", {w.pick(specialties())}},
                              {"locations", {region.seat}},
                              {"campaign_id", campaign_id}}));
    if (!w.chance(0.65)) return;
    events.push_back(w.event("ConsentGranted", met,
                             {{"purpose", "contact_brokerage"}, {"expires_on", day(met + days{730})}}));
    if (w.chance(0.7)) {
        auto const invited = met + days{w.between(7, 45)};
        events.push_back(w.event("InvitedToMeeting", invited,
                                 {{"with", w.chance(0.8) ? "department" : "research_group"},
                                  {"invited_on", day(invited)},
                                  {"campaign_id", campaign_id}}));
        if (w.chance(0.6)) {
            auto const held = invited + days{w.between(7, 30)};
            events.push_back(w.event("MeetingHeld", held, {{"held_on", day(held)}, {"kind", "hospitation"}}));
        }
    }
    if (w.chance(0.1)) {
        events.push_back(w.event("ConsentWithdrawn", met + days{90}, {{"purpose", "contact_brokerage"}}));
    }
}

}  // namespace

void fair_tour(demo_writer& w, employer const& region, int year) {
    auto const campaign_id = fmt::format("{}-fair-{}", region.short_name, year);
    auto const stream = "campaign-" + campaign_id;
    date const starts = on(year, 9, 1);
    date const ends = on(year, 11, 30);
    // The tour is one channel of several; its share of the region's intern target is modest.
    int const target = w.between(6, 16);
    std::vector<demo_event> plan{w.event("CampaignPlanned", starts,
                                         {{"name", fmt::format("{} AT fair tour {}", region.seat, year)},
                                          {"kind", "fair_tour"},
                                          {"organiser", region.id},
                                          {"partners", {"skl"}},
                                          {"target_countries", {"SE"}},
                                          {"starts_on", day(starts)},
                                          {"ends_on", day(ends)},
                                          {"target_hires", target}})};
    int session = 0;
    for (auto const& school : medical_schools()) {
        auto const held = starts + days{6 * session++};
        plan.push_back(w.event("SessionHeld", held,
                               {{"kind", "job_fair"}, {"held_on", day(held)}, {"university", school.university},
                                {"city", school.city}, {"country", "SE"}, {"visitors", w.between(40, 220)}}));
    }
    w.append(stream, std::move(plan));
    // The intern target is for the year the interns start.
    w.append(fmt::format("target-{}-{}-at", region.short_name, year + 1),
             {w.event("TargetSet", starts, {{"organisation", region.id}, {"year", year + 1}, {"role", "AT"}, {"hires", target}})});

    int const students = w.between(12, 30);
    for (int i = 0; i < students && !w.done(); ++i) {
        date const met = starts + days{6 * w.between(0, 6)};
        std::vector<demo_event> events;
        auto const candidate = register_candidate(
            w, {w.pick(swedish_first_names()), w.pick(swedish_last_names()), "SE", "student", year + 1, true},
            met, events);
        student_outreach(w, campaign_id, region, met, events);
        if (w.chance(0.5)) {
            journey_plan const plan{campaign_id, std::nullopt, "AT", &region, met + days{20}, 0.7, false};
            apply_and_proceed(w, plan, candidate, events);
        }
        w.append("candidate-" + candidate, std::move(events));
    }
    w.append(stream, {w.event("CampaignClosed", ends, {{"closed_on", day(ends)}, {"reason", "tour completed"}})});
}

}  // namespace ledger::demo::detail
