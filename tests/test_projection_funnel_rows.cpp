// Differential property tests of funnel's rows as the fold maintains them (issue 14,
// projections/detail/funnel_rows.hpp): on random event sequences (retracted and repeated plans,
// plans after the applications, unplanned campaigns, every stage retracted), a funnel whose
// table maintains its rows answers the same JSON text as a funnel summing the cells at every
// render and as the reference fold, whether the maintenance began at the first event or midway,
// across snapshot loads (which stop it), copies of the table and a rebuild from the first event.

#include "projections/detail/applications.hpp"
#include "projections/read_model.hpp"

#include "ledger/json_text.hpp"
#include "reference/reference_models.hpp"
#include "support/random_application_events.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace ledger;

namespace {

/// recruits-per-campaign, funnel and retention sharing one application table, as the runner
/// holds them; funnel at [1].
std::vector<std::unique_ptr<projections::read_model>> table_models() {
    std::vector<std::unique_ptr<projections::read_model>> models;
    for (auto& model : projections::make_all_read_models()) {
        if (model->shared_table() != nullptr) models.push_back(std::move(model));
    }
    return models;
}

std::string rows_text(projections::read_model const& model) { return to_json_text(boost::json::value(model.rows())); }

}  // namespace

TEST_CASE("funnel answers the same rows from the rows its fold maintains as from its cells and as the reference fold",
          "[projections][differential][fold][funnel_rows]") {
    auto const seed = GENERATE(range(1u, 31u));
    INFO("seed " << seed);
    testing::random_ledger ledger(seed);
    std::mt19937_64 rng(seed * 7919);
    auto const chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
    std::deque<testing::raw_event> log;  // a deque keeps addresses: views point into it
    std::deque<projections::fold_event> views;
    reference::all_models reference;

    auto plain = table_models();
    auto maintained = table_models();
    REQUIRE(maintained[1]->name() == "funnel");
    auto const table = [&] { return maintained[1]->shared_table(); };
    // Odd seeds keep the rows from the first event, even ones from a random point on.
    if (seed % 2 == 1) table()->maintain_funnel_rows();
    std::string history;

    for (std::uint64_t position = 0; position < 700; ++position) {
        auto const& e = log.emplace_back(ledger.next(position));
        auto const& view = testing::append_view(views, e);
        INFO("after position " << position << "; lately:" << history);
        if (history.size() > 200) history.erase(0, history.size() - 200);
        reference.apply(view);
        for (auto& model : plain) model->apply(view);
        for (auto& model : maintained) model->apply(view);
        REQUIRE(plain[1]->shared_table()->maintained_funnel_rows() == nullptr);
        if (table()->maintained_funnel_rows() == nullptr && chance(3)) {
            table()->maintain_funnel_rows();
            history += " maintained@" + std::to_string(position);
        }
        auto const expected = rows_text(*plain[1]);
        REQUIRE(rows_text(*maintained[1]) == expected);
        REQUIRE(expected == to_json_text(boost::json::value(reference.rows("funnel"))));
        if (chance(2)) {
            // The runner's snapshot load: the table saved once, shared; loading stops the rows,
            // which are built again from the loaded cells.
            auto const loaded = projections::load_table(projections::save_table(*table()));
            REQUIRE(loaded->maintained_funnel_rows() == nullptr);
            auto models = table_models();
            for (std::size_t i = 0; i < models.size(); ++i) {
                models[i]->load_with_table(maintained[i]->save_without_table(), loaded);
            }
            maintained = std::move(models);
            REQUIRE(rows_text(*maintained[1]) == expected);  // summed from the cells
            table()->maintain_funnel_rows();
            REQUIRE(rows_text(*maintained[1]) == expected);
            history += " loaded@" + std::to_string(position);
        }
        if (chance(3)) {
            // A copy of the table keeps a copy of its rows; a model saved and loaded sums its cells.
            auto const copied = std::make_shared<projections::detail::application_table>(*table());
            REQUIRE((copied->maintained_funnel_rows() == nullptr) == (table()->maintained_funnel_rows() == nullptr));
            auto copy = maintained[1]->fresh();
            copy->load_with_table(maintained[1]->save_without_table(), copied);
            REQUIRE(rows_text(*copy) == expected);
            auto reloaded = maintained[1]->fresh();
            reloaded->load(maintained[1]->save());
            REQUIRE(rows_text(*reloaded) == expected);
        }
        if (chance(1)) {
            // A rebuild: an empty table keeping its rows from the start, every event again.
            auto const rebuilt = std::make_shared<projections::detail::application_table>();
            rebuilt->with_costs = true;  // as table_handle's
            rebuilt->maintain_funnel_rows();
            for (auto& model : maintained) model->load_with_table(model->fresh()->save_without_table(), rebuilt);
            for (std::uint64_t from = 0; from <= position; ++from) {
                for (auto& model : maintained) model->apply(views[from]);
            }
            REQUIRE(rows_text(*maintained[1]) == expected);
            history += " rebuilt@" + std::to_string(position);
        }
    }
}

TEST_CASE("funnel's maintained rows follow a plan that comes, changes organiser by retraction and goes",
          "[projections][funnel_rows]") {
    // k0 received twice, then planned by region-a, planned again by region-b (a second plan:
    // the first one counts), the first plan retracted (region-b's now), the second retracted
    // (unplanned again): the two applications move row each time, and nothing is left behind.
    auto const at = *parse_timestamp("2024-03-01T08:00:00Z");
    std::deque<events::recruitment_event> data;
    std::deque<std::string> streams;  // the views' stream names point into these
    std::deque<projections::fold_event> views;
    auto models = table_models();
    models[1]->shared_table()->maintain_funnel_rows();
    auto plain = table_models();
    auto const fold = [&](std::string stream, events::recruitment_event event) {
        auto const& d = data.emplace_back(std::move(event));
        auto& view = views.emplace_back(projections::fold_event{.position = views.size(),
                                                                .stream = streams.emplace_back(std::move(stream)),
                                                                .occurred_at = at, .recorded_at = at, .data = &d});
        if (auto const* retraction = std::get_if<events::event_retracted>(&d)) {
            view.retracted = &views[retraction->position];
        }
        for (auto& model : models) model->apply(view);
        for (auto& model : plain) model->apply(view);
        REQUIRE(rows_text(*models[1]) == rows_text(*plain[1]));
        return models[1]->rows();
    };
    auto const planned_by = [](std::string organiser) {
        events::campaign_planned plan;
        plan.name = "k0";
        plan.kind = events::campaign_kind{};
        plan.organiser = std::move(organiser);
        return plan;
    };
    auto const received = [](std::string application) {
        events::application_received r;
        r.application_id = std::move(application);
        r.campaign_id = "k0";
        return r;
    };
    fold("candidate-c1", received("a1"));
    auto rows = fold("candidate-c2", received("a2"));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("organiser").is_null());
    rows = fold("campaign-k0", planned_by("region-a"));  // position 2
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("organiser") == "region-a");
    CHECK(rows[0].at("applications") == 2);
    rows = fold("campaign-k0", planned_by("region-b"));  // position 3: the first plan counts
    CHECK(rows[0].at("organiser") == "region-a");
    rows = fold("campaign-k0", events::event_retracted{.position = 2, .reason = "test"});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("organiser") == "region-b");
    CHECK(rows[0].at("applications") == 2);
    rows = fold("campaign-k0", events::event_retracted{.position = 3, .reason = "test"});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("organiser").is_null());
    CHECK(models[1]->shared_table()->maintained_funnel_rows()->rows().size() == 1);
}
