#pragma once
// A random but rule-abiding recruitment history (SPEC §5 rules), for property tests and the
// replay benchmark. Streams start with their creation event, references point at existing
// streams and received applications, stages follow each other, invitations need consent,
// nothing follows a fill or withdrawal, and retractions name earlier events of their stream.
//
// Positions are assumed dense from 0 in the order events are generated: append them in order.

#include "events/codec.hpp"
#include "events/recruitment_event.hpp"
#include "ledger/store/append.hpp"
#include "ledger/time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ledger::testing {

struct generated_event {
    std::string stream;
    timestamp occurred_at;
    events::recruitment_event data;

    store::append_request request() const {
        store::event_to_append e;
        e.type = std::string(events::type_name_of(data));
        e.occurred_at = occurred_at;
        e.data = events::encode_event(data);
        return store::append_request{stream, store::expected_version::any(), "generator", {std::move(e)}};
    }
};

struct generator_options {
    /// Also retract received applications (the candidate's current application is then
    /// abandoned and a new one begins), so differential tests see applications disappear.
    /// Off by default: the sequence of events for a seed stays what it always was.
    bool retract_applications = false;
};

class recruitment_generator {
public:
    explicit recruitment_generator(std::uint64_t seed, generator_options options = {})
        : rng_(seed), options_(options) {}

    generated_event next() {
        clock_ += std::chrono::minutes(pick(0, 240));
        auto event = campaigns_.empty() ? new_campaign() : choose();
        last_retractable_ = may_retract(event) ||
                            (options_.retract_applications &&
                             std::holds_alternative<events::application_received>(event.data));
        if (may_retract(event)) {
            retractable_.push_back({event.stream, position_});
        } else if (last_retractable_) {
            retractable_.push_back({event.stream, position_, last_candidate_, last_application_});
        }
        ++position_;
        return event;
    }

    /// When other writers share the log: the position the last event really landed at (call
    /// before the next `next()`), so later retractions name it.
    void landed_at(std::uint64_t position) {
        if (last_retractable_) retractable_.back().position = position;
        position_ = position + 1;
    }

private:
    using ev_t = events::recruitment_event;

    /// Events whose retraction breaks no later rule: not creations (rule 1), not what later
    /// events rely on (a received application, a consent), not positions (closed by a fill).
    static bool may_retract(generated_event const& e) {
        using namespace events;
        if (e.stream.rfind("candidate-", 0) != 0 && e.stream.rfind("campaign-", 0) != 0) return false;
        return !std::holds_alternative<event_retracted>(e.data) &&
               !std::holds_alternative<candidate_registered>(e.data) &&
               !std::holds_alternative<campaign_planned>(e.data) &&
               !std::holds_alternative<application_received>(e.data) &&
               !std::holds_alternative<consent_granted>(e.data);
    }
    struct candidate {
        std::string id;
        int stage = 0;  // 0 none, 1 received, 2 shortlisted, 3 interviewed, 4 offered, 5 accepted, 6 contracted, 7 employed, 8 left
        int applications = 0;
        bool consent = false;
        std::optional<date> consent_expires;
        bool interested = false;
    };
    struct position_state {
        std::string id;
        bool posted = false;
        bool closed = false;
    };
    struct retractable {
        std::string stream;
        std::uint64_t position;
        std::size_t candidate = 0;  // for a received application: its candidate's index
        int application = 0;        // and number (0: not an application)
    };

    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
    bool chance(int percent) { return pick(0, 99) < percent; }
    template <class T>
    T& any_of(std::vector<T>& items) {
        return items[static_cast<std::size_t>(pick(0, static_cast<int>(items.size()) - 1))];
    }
    date today() const { return std::chrono::floor<std::chrono::days>(clock_); }
    date in_days(int days) const { return today() + std::chrono::days(days); }
    generated_event at(std::string stream, ev_t data) { return {std::move(stream), clock_, std::move(data)}; }

    generated_event choose() {
        int const roll = pick(0, 99);
        if (roll < 2) return new_campaign();
        if (roll < 5) return campaign_cost();
        if (roll < 11) return position_step();
        if (roll < 19 || candidates_.empty()) return new_candidate();
        if (roll < 24) return consent_step(any_of(candidates_));
        if (roll < 31) return outreach_step(any_of(candidates_));
        if (roll < 32) return new_target();
        if (roll < 34 && !retractable_.empty()) return retraction();
        return application_step(any_of(candidates_));
    }

    generated_event new_campaign() {
        auto id = "c" + std::to_string(campaigns_.size());
        campaigns_.push_back(id);
        auto const kind = static_cast<events::campaign_kind>(pick(0, 3));
        return at("campaign-" + id, events::campaign_planned{.name = "Campaign " + id, .kind = kind,
                                                             .organiser = organisers_[static_cast<std::size_t>(pick(0, 2))]});
    }

    generated_event campaign_cost() {
        auto const& id = any_of(campaigns_);
        if (chance(50)) {
            return at("campaign-" + id, events::cost_recorded{.category = events::cost_category::travel,
                                                              .amount_minor = pick(100, 100000), .currency = {currencies_[static_cast<std::size_t>(pick(0, 1))]}});
        }
        return at("campaign-" + id, events::advertisement_published{.channel = "Läkartidningen", .published_on = today(),
                                                                    .cost_minor = pick(100, 5000), .currency = events::currency_code{"SEK"}});
    }

    generated_event position_step() {
        auto open = std::find_if(positions_.rbegin(), positions_.rend(), [](auto const& p) { return !p.closed; });
        if (open == positions_.rend() || chance(30) || candidates_.empty()) {
            positions_.push_back({"p" + std::to_string(positions_.size())});
            return at("position-" + positions_.back().id,
                      events::position_opened{.organisation = organisers_[static_cast<std::size_t>(pick(0, 2))],
                                              .role = static_cast<events::doctor_role>(pick(0, 6))});
        }
        auto& p = *open;
        if (!p.posted) {
            p.posted = true;
            return at("position-" + p.id, events::vacancy_posted{.posted_on = today()});
        }
        int const roll = pick(0, 99);
        if (roll < 30) return at("position-" + p.id, events::vacancy_reposted{.posted_on = today()});
        p.closed = true;
        if (roll < 85) return at("position-" + p.id, events::position_filled{.candidate_id = any_of(candidates_).id, .filled_on = today()});
        return at("position-" + p.id, events::position_withdrawn{.withdrawn_on = today()});
    }

    generated_event new_candidate() {
        candidates_.push_back({"k" + std::to_string(candidates_.size())});
        std::optional<events::country_code> country;
        if (chance(90)) country = events::country_code{countries_[static_cast<std::size_t>(pick(0, 4))]};
        return at("candidate-" + candidates_.back().id,
                  events::candidate_registered{.name = "Doctor", .country_of_training = country});
    }

    generated_event consent_step(candidate& c) {
        auto const purpose = events::consent_purpose::contact_brokerage;
        c.consent = !c.consent;
        if (c.consent) {
            std::optional<date> expires;
            if (chance(30)) expires = in_days(pick(10, 400));
            c.consent_expires = expires;
            return at("candidate-" + c.id, events::consent_granted{.purpose = purpose, .expires_on = expires});
        }
        return at("candidate-" + c.id, events::consent_withdrawn{.purpose = purpose});
    }

    generated_event outreach_step(candidate& c) {
        bool const consent_active = c.consent && (!c.consent_expires || *c.consent_expires > in_days(1));
        if (c.interested && consent_active && chance(60)) {
            return at("candidate-" + c.id, events::invited_to_meeting{.with = events::meeting_partner::department, .invited_on = today()});
        }
        c.interested = true;
        std::optional<std::string> campaign;
        if (chance(80)) campaign = any_of(campaigns_);
        return at("candidate-" + c.id, events::interest_registered{.campaign_id = campaign});
    }

    generated_event new_target() {
        auto const year = static_cast<std::int32_t>(std::chrono::year_month_day(today()).year()) + pick(0, 1);
        return at("target-t" + std::to_string(position_),
                  events::target_set{.organisation = organisers_[static_cast<std::size_t>(pick(0, 2))], .year = year,
                                     .role = static_cast<events::doctor_role>(pick(0, 6)), .hires = static_cast<std::uint32_t>(pick(0, 20))});
    }

    generated_event retraction() {
        auto const index = static_cast<std::size_t>(pick(0, static_cast<int>(retractable_.size()) - 1));
        auto const target = retractable_[index];
        retractable_[index] = retractable_.back();  // each event is retracted at most once
        retractable_.pop_back();
        if (target.application != 0) {
            auto& c = candidates_[target.candidate];
            // Its later stages would name a retracted application (rule 3): start anew.
            if (c.applications == target.application) c.stage = 0;
        }
        return at(target.stream, events::event_retracted{.position = target.position, .reason = "correction"});
    }

    generated_event application_step(candidate& c);

    std::mt19937_64 rng_;
    generator_options options_;
    std::size_t last_candidate_ = 0;  // of the last application_step
    int last_application_ = 0;
    std::uint64_t position_ = 0;
    bool last_retractable_ = false;
    timestamp clock_ = *parse_timestamp("2021-01-01T08:00:00Z");
    std::vector<std::string> campaigns_;
    std::vector<candidate> candidates_;
    std::vector<position_state> positions_;
    std::vector<retractable> retractable_;
    std::vector<std::string> organisers_{"region-jonkoping", "region-kalmar", "region-kronoberg"};
    std::vector<std::string> currencies_{"SEK", "EUR"};
    std::vector<std::string> countries_{"DE", "PL", "GR", "LT", "RO"};
};

/// The next step of the candidate's current application, or a new application.
inline generated_event recruitment_generator::application_step(candidate& c) {
    using namespace events;
    auto const stream = "candidate-" + c.id;
    last_candidate_ = static_cast<std::size_t>(&c - candidates_.data());
    auto const app = "a" + std::to_string(c.applications);
    switch (c.stage) {
        case 0:
        case 8:
            ++c.applications;
            last_application_ = c.applications;
            c.stage = 1;
            return at(stream, application_received{.application_id = "a" + std::to_string(c.applications), .campaign_id = any_of(campaigns_)});
        case 1: {
            bool const ok = chance(70);
            c.stage = ok ? 2 : 0;
            return at(stream, application_screened{.application_id = app, .outcome = ok ? screening_outcome::shortlisted : screening_outcome::rejected});
        }
        case 2: {
            auto const outcome = static_cast<interview_outcome>(pick(0, 2));
            c.stage = outcome == interview_outcome::pass ? 3 : 0;
            return at(stream, interview_held{.application_id = app, .outcome = outcome});
        }
        case 3: c.stage = 4; return at(stream, offer_extended{.application_id = app});
        case 4: {
            bool const accepted = chance(75);
            c.stage = accepted ? 5 : 0;
            return at(stream, offer_answered{.application_id = app, .accepted = accepted});
        }
        case 5:
            c.stage = 6;
            return at(stream, contract_signed{.application_id = app, .employer = organisers_[static_cast<std::size_t>(pick(0, 2))],
                                              .role = static_cast<doctor_role>(pick(0, 6)), .starts_on = in_days(pick(20, 120))});
        case 6: c.stage = 7; return at(stream, employment_started{.employer = "region", .started_on = in_days(pick(0, 30))});
        default: c.stage = 8; return at(stream, employment_ended{.ended_on = today()});
    }
}

}  // namespace ledger::testing
