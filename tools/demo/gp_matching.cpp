#include "scenario.hpp"

#include <fmt/format.h>

namespace ledger::demo::detail {

using std::chrono::days;

void gp_matching(demo_writer& w, employer const& region, int year, int round) {
    auto const campaign_id = fmt::format("{}-gp-{}-{}", region.short_name, year, round);
    auto const stream = "campaign-" + campaign_id;
    date const starts = on(year, 3, static_cast<unsigned>(w.between(1, 28)));
    date const ends = on(year, 12, 1);
    w.append(stream, {w.event("CampaignPlanned", starts,
                              {{"name", fmt::format("{} GP practice matching {}", region.seat, year)},
                               {"kind", "gp_matching"},
                               {"organiser", region.id},
                               {"partners", {"arbetsformedlingen"}},
                               {"starts_on", day(starts)},
                               {"ends_on", day(ends)},
                               {"target_hires", w.between(2, 5)}})});
    int const practices = w.between(2, 5);
    for (int p = 0; p < practices && !w.done(); ++p) {
        auto const position_id = w.next_id(fmt::format("{}-{}-gp", region.short_name, year));
        auto const position = "position-" + position_id;
        date posted = starts + days{w.between(0, 30)};
        std::vector<demo_event> events{
            w.event("PositionOpened", posted,
                    {{"organisation", region.id}, {"role", "GP"}, {"specialty", "general_practice"},
                     {"location", fmt::format("Vårdcentral {} {}", region.seat, p + 1)}}),
            w.event("VacancyPosted", posted,
                    {{"posted_on", day(posted)}, {"channel", "Platsbanken"}, {"valid_through", day(posted + days{60})}})};
        // Rural practices often need the ad reposted once or twice before anyone applies.
        for (int repost = 0; repost < 2 && w.chance(0.45); ++repost) {
            posted += days{w.between(45, 90)};
            events.push_back(w.event("VacancyReposted", posted, {{"posted_on", day(posted)}, {"reason", "no applicants"}}));
        }
        w.append(position, std::move(events));

        std::optional<std::pair<std::string, date>> filled;
        int const applicants = w.between(0, 3);
        for (int a = 0; a < applicants && !filled && !w.done(); ++a) {
            std::vector<demo_event> journey;
            date const applied = posted + days{w.between(5, 40)};
            auto const candidate = register_candidate(
                w, {w.pick(swedish_first_names()), w.pick(swedish_last_names()), "SE", "specialist", 2000 + w.between(0, 15)},
                applied, journey);
            auto const outcome = apply_and_proceed(
                w, {campaign_id, position_id, "GP", &region, applied, 0.65, false}, candidate, journey);
            w.append("candidate-" + candidate, std::move(journey));
            if (outcome.contracted) filled.emplace(candidate, outcome.contract_on);
        }
        if (filled) {
            w.append(position, {w.event("PositionFilled", filled->second,
                                        {{"candidate_id", filled->first}, {"filled_on", day(filled->second)}})});
        } else if (w.chance(0.25)) {
            w.append(position, {w.event("PositionWithdrawn", ends,
                                        {{"withdrawn_on", day(ends)}, {"reason", "practice merged"}})});
        }
    }
    w.append(stream, {w.event("CampaignClosed", ends, {{"closed_on", day(ends)}, {"reason", "matching round over"}})});
}

}  // namespace ledger::demo::detail
