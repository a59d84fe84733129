#pragma once
// The generator's inner workings: a writer that owns randomness, ids and the event budget, and
// the scenarios that use it. Private to tools/demo.

#include "demo_ledger.hpp"
#include "nordic_data.hpp"

#include <random>
#include <span>

namespace ledger::demo::detail {

class demo_writer {
public:
    demo_writer(demo_options const& options, std::function<void(demo_batch)> const& emit);

    /// True once the event budget is spent; scenarios stop early then.
    bool done() const noexcept { return emitted_ >= budget_; }

    int between(int low, int high);  // inclusive
    bool chance(double probability);
    template <class T>
    T const& pick(std::span<T const> items) {
        return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
    }

    /// An event with a seeded, hence reproducible, id.
    demo_event event(std::string type, date on, boost::json::object data);

    /// Emits a batch for `stream`, cut to the remaining budget.
    void append(std::string stream, std::vector<demo_event> events);

    /// Emits the retraction of the event with `id` in `stream`.
    void retract(std::string stream, uuid const& id, date on, std::string reason);

    std::string next_id(std::string_view prefix);  // "c-000123"-style, unique per prefix run

private:
    std::mt19937_64 random_;
    std::function<void(demo_batch)> const& emit_;
    std::uint64_t budget_;
    std::uint64_t emitted_ = 0;
    std::uint64_t serial_ = 0;
};

/// Who a candidate is.
struct candidate_profile {
    std::string_view first_name;
    std::string_view last_name;
    std::string_view country_of_training;
    std::string_view career_stage;
    int graduation_year = 2015;
    bool phone = false;
};

/// Adds CandidateRegistered for a new candidate to `events`; returns the candidate's id.
std::string register_candidate(demo_writer& writer, candidate_profile const& who, date on,
                               std::vector<demo_event>& events);

/// One application: to which campaign and position, and how likely each stage succeeds.
struct journey_plan {
    std::string campaign_id;
    std::optional<std::string> position_id;
    std::string_view role;  // as in PositionOpened
    employer const* region = nullptr;
    date applied_on{};
    double pass_rate = 0.6;  // drives screening, interview and offer acceptance
    bool foreign = false;    // needs a language course and a licence before starting
};

/// What became of one application, for the campaign's own bookkeeping.
struct journey_outcome {
    bool interviewed = false;
    bool contracted = false;
    date contract_on{};
};

/// Walks one application of `candidate_id` through the funnel as far as chance takes it,
/// adding its events to `events`.
journey_outcome apply_and_proceed(demo_writer& writer, journey_plan const& plan,
                                  std::string const& candidate_id, std::vector<demo_event>& events);

/// The calendar year of a date.
int year_of(date d);

void recruitment_trip(demo_writer& writer, employer const& region, source_country const& country,
                      int year, int round);
void fair_tour(demo_writer& writer, employer const& region, int year);
void gp_matching(demo_writer& writer, employer const& region, int year, int round);

/// "YYYY-MM-DD" of a date, for JSON fields.
std::string day(date d);
date on(int year, unsigned month, unsigned day_of_month);

}  // namespace ledger::demo::detail
