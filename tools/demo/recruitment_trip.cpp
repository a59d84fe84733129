#include "scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ledger::demo::detail {
namespace {

using std::chrono::days;

struct opening {
    std::string position_id;
    std::string_view role;
    std::optional<std::string> filled_by;
    date filled_on{};
};

std::vector<opening> open_positions(demo_writer& w, employer const& region, int year, date posted,
                                    int count) {
    std::vector<opening> openings;
    for (int i = 0; i < count; ++i) {
        auto id = w.next_id(fmt::format("{}-{}", region.short_name, year));
        std::string_view const role = w.chance(0.6) ? "specialist" : "ST";
        w.append("position-" + id,
                 {w.event("PositionOpened", posted,
                          {{"organisation", region.id},
                           {"role", role},
                           {"specialty", w.pick(specialties())},
                           {"location", region.seat},
                           {"openings", 1}}),
                  w.event("VacancyPosted", posted,
                          {{"posted_on", day(posted)},
                           {"channel", "Läkartidningen"},
                           {"valid_through", day(posted + days{90})}})});
        openings.push_back({std::move(id), role, std::nullopt, {}});
    }
    return openings;
}

// Fills the positions whose candidates signed, reposts or withdraws the rest.
void settle_positions(demo_writer& w, std::vector<opening> const& openings, date after) {
    for (auto const& o : openings) {
        if (o.filled_by) {
            w.append("position-" + o.position_id,
                     {w.event("PositionFilled", o.filled_on,
                              {{"candidate_id", *o.filled_by}, {"filled_on", day(o.filled_on)}})});
        } else if (w.chance(0.5)) {
            w.append("position-" + o.position_id,
                     {w.event("VacancyReposted", after, {{"posted_on", day(after)}, {"reason", "no suitable applicant"}})});
        } else {
            w.append("position-" + o.position_id,
                     {w.event("PositionWithdrawn", after,
                              {{"withdrawn_on", day(after)}, {"reason", "budget moved to the next trip"}})});
        }
    }
}

std::string lower(std::string_view code) {
    std::string s(code);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void record_costs(demo_writer& w, std::string const& stream, date when, int participants, int contracts) {
    std::vector<demo_event> costs{w.event("CostRecorded", when,
                                          {{"category", "travel"},
                                           {"amount_minor", std::int64_t{w.between(6, 11)} * 1'000'00 * participants},
                                           {"currency", "SEK"}})};
    if (contracts > 0) {
        costs.push_back(w.event("CostRecorded", when,
                                {{"category", "language_training"},
                                 {"amount_minor", std::int64_t{45'000'00} * contracts},
                                 {"currency", "SEK"}}));
    }
    auto const mistaken = costs.front().id;
    bool const correct_it = w.chance(0.1);
    w.append(stream, std::move(costs));
    if (correct_it) {
        // A coordinator typed the travel cost twice over: retract it and record the right one.
        w.retract(stream, mistaken, when + days{3}, "travel cost entered with the wrong amount");
        w.append(stream, {w.event("CostRecorded", when + days{3},
                                  {{"category", "travel"},
                                   {"amount_minor", std::int64_t{w.between(6, 11)} * 1'000'00 * participants},
                                   {"currency", "SEK"}})});
    }
}

}  // namespace

void recruitment_trip(demo_writer& w, employer const& region, source_country const& country,
                      int year, int round) {
    auto const campaign_id = fmt::format("{}-trip-{}-{}-{}", region.short_name, lower(country.code), year, round);
    auto const stream = "campaign-" + campaign_id;
    date const starts = on(year, static_cast<unsigned>(w.between(2, 5)), static_cast<unsigned>(w.between(1, 28)));
    date const ends = starts + days{150};
    w.append(stream, {w.event("CampaignPlanned", starts,
                              {{"name", fmt::format("{} recruitment trip to {} {}", region.seat, country.city, year)},
                               {"kind", "recruitment_trip"},
                               {"organiser", region.id},
                               {"partners", {"arbetsformedlingen", "folkuniversitetet"}},
                               {"target_countries", {country.code}},
                               {"starts_on", day(starts)},
                               {"ends_on", day(ends)},
                               {"target_hires", w.between(3, 8)}}),
                      w.event("ShortageCheckRecorded", starts,
                              {{"country", country.code},
                               {"shortage", country.doctors_scarce},
                               {"source", "EURES shortage occupations report"}})});
    if (country.doctors_scarce) {
        // Ethical recruitment: no trip to a country short of doctors itself.
        w.append(stream, {w.event("CampaignClosed", starts + days{2},
                                  {{"closed_on", day(starts + days{2})},
                                   {"reason", fmt::format("doctors are scarce in {}: trip cancelled", country.code)}})});
        return;
    }
    w.append(stream, {w.event("AdvertisementPublished", starts + days{7},
                              {{"channel", country.journal}, {"country", country.code},
                               {"language", country.language}, {"published_on", day(starts + days{7})},
                               {"cost_minor", std::int64_t{w.between(15, 40)} * 100'00}, {"currency", "EUR"}})});

    auto openings = open_positions(w, region, year, starts, w.between(2, 4));
    int interviews = 0;
    int contracts = 0;
    int const applicants = w.between(6, 16);
    date const trip_day = starts + days{45};
    for (int i = 0; i < applicants && !w.done(); ++i) {
        auto free = std::find_if(openings.begin(), openings.end(), [](opening const& o) { return !o.filled_by; });
        bool const has_opening = free != openings.end();
        date const applied = starts + days{w.between(10, 30)};
        std::vector<demo_event> events;
        auto const candidate = register_candidate(
            w, {w.pick(country.first_names), w.pick(country.last_names), country.code,
                w.chance(0.7) ? "specialist" : "ST", 1990 + w.between(0, 25)},
            applied, events);
        journey_plan const plan{campaign_id,
                                has_opening ? std::optional(free->position_id) : std::nullopt,
                                has_opening ? free->role : "specialist",
                                &region, applied, 0.6, true};
        auto const outcome = apply_and_proceed(w, plan, candidate, events);
        w.append("candidate-" + candidate, std::move(events));
        interviews += outcome.interviewed ? 1 : 0;
        contracts += outcome.contracted ? 1 : 0;
        if (outcome.contracted && has_opening) {
            free->filled_by = candidate;
            free->filled_on = outcome.contract_on;
        }
    }
    settle_positions(w, openings, ends);
    int const participants = w.between(2, 5);
    w.append(stream, {w.event("TripHeld", trip_day,
                              {{"country", country.code}, {"city", country.city},
                               {"from", day(trip_day)}, {"to", day(trip_day + days{3})},
                               {"participants", {region.id, "arbetsformedlingen"}},
                               {"interviews_held", interviews}})});
    record_costs(w, stream, trip_day + days{10}, participants, contracts);
    w.append(stream, {w.event("CampaignClosed", ends, {{"closed_on", day(ends)}, {"reason", "trip completed"}})});
}

}  // namespace ledger::demo::detail
