// Differential property tests of the entity-keyed read models (issue 14) at the fold level:
// random event sequences of positions, candidates and targets — more varied than the domain
// rules allow (retracted registrations, openings, fills and targets, several targets per key,
// contracts before registration, consents of every purpose, expiring consents while the clock
// runs) — folded into vacancies, outreach, origin and hires-vs-target and into the reference
// fold (tests/reference/), compared as JSON rows after every event and after snapshot round
// trips. No LMDB: a retraction comes with the event it names, as the runner hands it over.

#include "projections/read_model.hpp"

#include "reference/reference_models.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace ledger;

namespace {

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
        clock_ += std::chrono::hours(pick(0, 60));
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
        if (kind < 40) position_event(e);
        else if (kind < 90) candidate_event(e);
        else target_event(e);
        retractable_.emplace_back(position, e.stream);
        return e;
    }

private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
    template <class T>
    T const& one_of(std::vector<T> const& items) {
        return items[static_cast<std::size_t>(pick(0, static_cast<int>(items.size()) - 1))];
    }
    date some_day() { return std::chrono::floor<std::chrono::days>(clock_) + std::chrono::days(pick(-30, 60)); }
    events::doctor_role some_role() { return static_cast<events::doctor_role>(pick(0, 2)); }
    std::optional<std::string> some_campaign() {
        auto const n = pick(0, 3);
        return n == 0 ? std::nullopt : std::optional("campaign-" + std::to_string(n));
    }

    void position_event(raw_event& e) {
        e.stream = "position-p" + std::to_string(pick(0, 7));
        switch (pick(0, 5)) {
        case 0: {
            events::position_opened opened;
            opened.organisation = one_of(organisations_);
            opened.role = some_role();
            e.data = opened;
            break;
        }
        case 1: e.data = events::vacancy_posted{.posted_on = some_day()}; break;
        case 2: e.data = events::vacancy_reposted{.posted_on = some_day()}; break;
        case 3: {
            events::position_filled filled;
            filled.candidate_id = "c1";
            filled.filled_on = some_day();
            e.data = filled;
            break;
        }
        case 4: {
            events::position_withdrawn withdrawn;
            withdrawn.withdrawn_on = some_day();
            e.data = withdrawn;
            break;
        }
        default: {
            events::position_opened opened;
            opened.organisation = "Region " + std::to_string(pick(0, 1));
            opened.role = some_role();
            e.data = opened;
        }
        }
    }

    void candidate_event(raw_event& e) {
        e.stream = "candidate-c" + std::to_string(pick(0, 11));
        auto const purpose = pick(0, 3) == 0 ? events::consent_purpose::newsletter
                                             : events::consent_purpose::contact_brokerage;
        switch (pick(0, 6)) {
        case 0: {
            events::candidate_registered registered;
            registered.name = "N";
            if (pick(0, 2) != 0) registered.country_of_training = events::country_code{pick(0, 1) == 0 ? "SE" : "DE"};
            e.data = registered;
            break;
        }
        case 1: {
            events::consent_granted granted;
            granted.purpose = purpose;
            if (pick(0, 1) == 0) granted.expires_on = some_day();
            e.data = granted;
            break;
        }
        case 2: {
            events::consent_withdrawn withdrawn;
            withdrawn.purpose = purpose;
            e.data = withdrawn;
            break;
        }
        case 3: {
            events::interest_registered interest;
            interest.campaign_id = some_campaign();
            e.data = interest;
            break;
        }
        case 4: {
            events::invited_to_meeting invited;
            invited.invited_on = some_day();
            invited.campaign_id = some_campaign();
            e.data = invited;
            break;
        }
        default: {
            events::contract_signed contract;
            contract.application_id = "a" + std::to_string(pick(0, 2));
            contract.employer = one_of(organisations_);
            contract.role = some_role();
            contract.starts_on = some_day() + std::chrono::days(pick(0, 400));
            e.data = contract;
        }
        }
    }

    void target_event(raw_event& e) {
        e.stream = "target-t" + std::to_string(pick(0, 3));
        events::target_set target;
        target.organisation = one_of(organisations_);
        target.year = 2024 + pick(0, 2);
        target.role = some_role();
        target.hires = static_cast<std::uint32_t>(pick(0, 5));
        e.data = target;
    }

    std::mt19937_64 rng_;
    timestamp clock_ = *parse_timestamp("2024-01-01T08:00:00Z");
    std::vector<std::string> organisations_{"Region A", "Region B", "Region C"};
    std::vector<std::pair<std::uint64_t, std::string>> retractable_;
};

}  // namespace

TEST_CASE("vacancies, outreach, origin and hires-vs-target answer what the reference fold answers on random event sequences",
          "[projections][differential][fold]") {
    auto const seed = GENERATE(range(1u, 25u));
    INFO("seed " << seed);
    random_ledger ledger(seed);
    std::deque<raw_event> log;  // a deque keeps addresses: views point into it
    std::deque<projections::fold_event> views;

    std::vector<std::string_view> const names{"vacancies", "outreach", "origin", "hires-vs-target"};
    std::vector<std::unique_ptr<projections::read_model>> models;
    for (auto const name : names) models.push_back(projections::make_read_model(name));
    reference::all_models reference;

    for (std::uint64_t position = 0; position < 400; ++position) {
        auto const& e = log.emplace_back(ledger.next(position));
        auto& view = views.emplace_back(projections::fold_event{
            .position = e.position, .stream = e.stream, .occurred_at = e.occurred,
            .recorded_at = e.occurred, .data = &e.data});
        if (auto const* retraction = std::get_if<events::event_retracted>(&e.data)) {
            view.retracted = &views[retraction->position];
        }
        reference.apply(view);
        for (auto& model : models) {
            model->apply(view);
            INFO(model->name() << " after position " << position);
            REQUIRE(model->rows() == reference.rows(model->name()));
        }
        if (position % 50 == 49) {
            for (auto& model : models) {
                auto reloaded = model->fresh();
                reloaded->load(model->save());
                INFO(model->name() << " reloaded after position " << position);
                REQUIRE(reloaded->same_state(*model));
                REQUIRE(reloaded->rows() == model->rows());
                model = std::move(reloaded);
            }
        }
    }
}
