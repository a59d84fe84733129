#pragma once
// Random event sequences of campaigns and candidates for the application read models'
// differential tests, more varied than the domain rules allow: retracted and repeated campaign
// plans, plans arriving after the applications, receipts naming unplanned campaigns, repeated
// receipts, offers and contracts, employment starting before or after a contract and ending,
// any of them retracted. Five campaigns (k0–k4 planned now and then, k5 never), eight
// candidates, three applications each.

#include "events/recruitment_event.hpp"
#include "projections/fold_event.hpp"
#include "ledger/time.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ledger::testing {

struct raw_event {
    std::uint64_t position = 0;
    std::string stream;
    timestamp occurred{};
    events::recruitment_event data;
};

class random_ledger {
public:
    explicit random_ledger(std::uint64_t seed) : rng_(seed) {}

    /// The next event; a retraction names an earlier, not yet retracted, non-retraction event of
    /// its stream (when there is one).
    raw_event next(std::uint64_t position) {
        clock_ += std::chrono::hours(pick(0, 200));
        raw_event e{.position = position, .occurred = clock_};
        auto const kind = pick(0, 99);
        if (kind < 14 && !retractable_.empty()) {
            auto const index = static_cast<std::size_t>(pick(0, static_cast<int>(retractable_.size()) - 1));
            auto const target = retractable_[index];
            retractable_.erase(retractable_.begin() + static_cast<std::ptrdiff_t>(index));
            e.stream = target.second;
            e.data = events::event_retracted{.position = target.first, .reason = "property test"};
            return e;
        }
        if (kind < 32) campaign_event(e);
        else candidate_event(e);
        retractable_.emplace_back(position, e.stream);
        return e;
    }

private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
    date some_day(int low, int high) {
        return std::chrono::floor<std::chrono::days>(clock_) + std::chrono::days(pick(low, high));
    }
    std::string some_currency() { return pick(0, 1) == 0 ? "SEK" : "EUR"; }

    void campaign_event(raw_event& e) {
        e.stream = "campaign-k" + std::to_string(pick(0, 4));
        switch (pick(0, 3)) {
        case 0:
        case 1: {
            events::campaign_planned planned;
            planned.name = "Campaign " + std::to_string(pick(0, 9));
            planned.kind = static_cast<events::campaign_kind>(pick(0, 1) * 3);  // two kinds: rows share them
            planned.organiser = pick(0, 1) == 0 ? "region-a" : "region-b";
            e.data = planned;
            break;
        }
        case 2: {
            events::cost_recorded cost;
            cost.amount_minor = pick(1, 100000);
            cost.currency = events::currency_code{some_currency()};
            e.data = cost;
            break;
        }
        default: {
            events::advertisement_published advert;
            advert.channel = "journal";
            advert.published_on = some_day(-5, 5);
            if (pick(0, 1) == 0) {
                advert.cost_minor = pick(1, 5000);
                advert.currency = events::currency_code{some_currency()};
            }
            e.data = advert;
        }
        }
    }

    void candidate_event(raw_event& e) {
        e.stream = "candidate-c" + std::to_string(pick(0, 7));
        auto const application = "a" + std::to_string(pick(0, 2));
        switch (pick(0, 10)) {
        case 0:
        case 1: {
            events::application_received received;
            received.application_id = application;
            received.campaign_id = "k" + std::to_string(pick(0, 5));  // k5 is never planned
            e.data = received;
            break;
        }
        case 2: {
            events::application_screened screened;
            screened.application_id = application;
            screened.outcome = pick(0, 3) == 0 ? events::screening_outcome::rejected
                                               : events::screening_outcome::shortlisted;
            e.data = screened;
            break;
        }
        case 3: {
            events::interview_held held;
            held.application_id = application;
            held.outcome = static_cast<events::interview_outcome>(pick(0, 2));
            e.data = held;
            break;
        }
        case 4:
        case 5: e.data = events::offer_extended{.application_id = application}; break;
        case 6: {
            events::offer_answered answer;
            answer.application_id = application;
            answer.accepted = pick(0, 3) != 0;
            e.data = answer;
            break;
        }
        case 7: {
            events::contract_signed contract;
            contract.application_id = application;
            contract.employer = "region-a";
            contract.starts_on = some_day(0, 90);
            e.data = contract;
            break;
        }
        case 8:
        case 9: {
            events::employment_started started;
            started.employer = "region-a";
            started.started_on = some_day(-400, 60);
            e.data = started;
            break;
        }
        default: e.data = events::employment_ended{.ended_on = some_day(-200, 400)};
        }
    }

    std::mt19937_64 rng_;
    timestamp clock_ = *parse_timestamp("2022-06-01T08:00:00Z");
    std::vector<std::pair<std::uint64_t, std::string>> retractable_;
};


/// Appends `e`'s fold view to `views` (recorded when it occurred); a retraction's view points
/// at the view it retracts. `e` and `views` must outlive the view (deques: nothing moves).
inline projections::fold_event& append_view(std::deque<projections::fold_event>& views, raw_event const& e) {
    auto& view = views.emplace_back(projections::fold_event{
        .position = e.position, .stream = e.stream, .occurred_at = e.occurred, .recorded_at = e.occurred, .data = &e.data});
    if (auto const* retraction = std::get_if<events::event_retracted>(&e.data)) {
        view.retracted = &views[retraction->position];
    }
    return view;
}

}  // namespace ledger::testing
