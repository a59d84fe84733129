#include "scenario.hpp"

#include <fmt/format.h>

namespace ledger::demo::detail {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;

std::string_view currency_of(employer const& region) {
    if (region.language == "no") return "NOK";
    if (region.language == "da") return "DKK";
    return "SEK";
}

// The application's stages after a signed contract: language course and licence for doctors
// trained abroad, then the first day at work and, for some, a last one.
void after_contract(demo_writer& w, journey_plan const& plan, std::vector<demo_event>& events,
                    date contract_on, date starts_on) {
    employer const& region = *plan.region;
    if (plan.foreign) {
        events.push_back(w.event("LanguageTrainingCompleted", starts_on - days{w.between(14, 40)},
                                 {{"language", region.language},
                                  {"level", w.chance(0.7) ? "B2" : "C1"},
                                  {"provider", "folkuniversitetet"}}));
        auto const decided = starts_on - days{w.between(3, 20)};
        events.push_back(w.event("LicenceDecided", decided,
                                 {{"authority", region.licensing_authority},
                                  {"decision", "granted"},
                                  {"applied_on", day(contract_on + days{w.between(5, 20)})},
                                  {"decided_on", day(decided)}}));
    }
    if (!w.chance(0.92)) return;  // some never start: a family matter, another offer
    boost::json::object started{{"employer", region.id}, {"started_on", day(starts_on)}};
    if (plan.position_id) started["position_id"] = *plan.position_id;
    events.push_back(w.event("EmploymentStarted", starts_on, std::move(started)));
    auto const ended = starts_on + days{w.between(120, 1400)};
    if (w.chance(0.18) && ended < on(2026, 11, 1)) {
        bool const voluntary = w.chance(0.8);
        events.push_back(w.event("EmploymentEnded", ended,
                                 {{"ended_on", day(ended)},
                                  {"voluntary", voluntary},
                                  {"reason", voluntary ? "moved home" : "end of fixed term"}}));
    }
}

void close_application(demo_writer& w, std::vector<demo_event>& events, std::string const& app,
                       date when, std::string_view outcome, std::string_view reason) {
    events.push_back(w.event("ApplicationClosed", when,
                             {{"application_id", app}, {"outcome", outcome}, {"reason", reason}}));
}

}  // namespace

int year_of(date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

std::string register_candidate(demo_writer& w, candidate_profile const& who, date when,
                               std::vector<demo_event>& events) {
    auto id = w.next_id("c");
    boost::json::object data{{"name", fmt::format("{} {}", who.first_name, who.last_name)},
                             {"email", id + "@example.org"},
                             {"country_of_training", who.country_of_training},
                             {"graduation_year", who.graduation_year},
                             {"career_stage", who.career_stage}};
    if (who.phone) data["phone"] = fmt::format("+46 70 {:03} {:02} {:02}", w.between(0, 999), w.between(0, 99), w.between(0, 99));
    events.push_back(w.event("CandidateRegistered", when, std::move(data)));
    return id;
}

journey_outcome apply_and_proceed(demo_writer& w, journey_plan const& plan,
                                  std::string const& candidate_id, std::vector<demo_event>& events) {
    journey_outcome outcome;
    auto const app = "app-" + candidate_id;
    auto const currency = currency_of(*plan.region);
    date d = plan.applied_on;

    boost::json::object received{{"application_id", app},
                                 {"campaign_id", plan.campaign_id},
                                 {"source", w.chance(0.8) ? "staff_recorded" : "tracked_link"}};
    if (plan.position_id) received["position_id"] = *plan.position_id;
    events.push_back(w.event("ApplicationReceived", d, std::move(received)));

    d += days{w.between(3, 14)};
    bool const shortlisted = w.chance(std::min(0.95, plan.pass_rate + 0.2));
    events.push_back(w.event("ApplicationScreened", d,
                             {{"application_id", app},
                              {"outcome", shortlisted ? "shortlisted" : "rejected"}}));
    if (!shortlisted) {
        close_application(w, events, app, d, "rejected", "not shortlisted");
        return outcome;
    }
    d += days{w.between(7, 30)};
    events.push_back(w.event("InterviewBooked", d - days{7},
                             {{"application_id", app}, {"scheduled_for", day(d)}, {"location", "interview day"}}));
    std::string_view held = "pass";
    if (w.chance(0.06)) held = "no_show";
    else if (!w.chance(plan.pass_rate + 0.15)) held = "fail";
    events.push_back(w.event("InterviewHeld", d, {{"application_id", app}, {"outcome", held}}));
    outcome.interviewed = held != "no_show";
    if (held != "pass") {
        close_application(w, events, app, d + days{2}, "rejected", "interview");
        return outcome;
    }
    auto const salary = static_cast<std::int64_t>(w.between(58, 98)) * 1000 * 100;
    d += days{w.between(5, 21)};
    boost::json::object offer{{"application_id", app}, {"salary_minor", salary}, {"currency", currency}};
    if (plan.position_id) offer["position_id"] = *plan.position_id;
    events.push_back(w.event("OfferExtended", d, std::move(offer)));
    d += days{w.between(3, 12)};
    bool const accepted = w.chance(std::min(0.95, plan.pass_rate + 0.25));
    events.push_back(w.event("OfferAnswered", d, {{"application_id", app}, {"accepted", accepted}}));
    if (!accepted) {
        close_application(w, events, app, d, "withdrawn", "declined the offer");
        return outcome;
    }
    d += days{w.between(5, 25)};
    auto const starts_on = d + days{plan.foreign ? w.between(120, 270) : w.between(30, 150)};
    boost::json::object contract{{"application_id", app}, {"employer", plan.region->id},
                                 {"role", plan.role}, {"starts_on", day(starts_on)},
                                 {"salary_minor", salary}, {"currency", currency}};
    if (plan.position_id) contract["position_id"] = *plan.position_id;
    events.push_back(w.event("ContractSigned", d, std::move(contract)));
    outcome.contracted = true;
    outcome.contract_on = d;
    after_contract(w, plan, events, d, starts_on);
    return outcome;
}

}  // namespace ledger::demo::detail
