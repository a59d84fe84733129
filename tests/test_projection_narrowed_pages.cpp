// A filtered live page of recruits-per-campaign rendered from the model narrowed by organiser
// (row_sink::only_where, the runner's narrowed_page) instead of rendering and indexing every
// row: the model leaves out exactly the rows the filter refuses (null organisers included),
// and the runner's pages are byte for byte the pages selected from the whole table.

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/recruits_per_campaign.hpp"

#include "support/fold_scenario.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <optional>
#include <random>

using namespace ledger;
using namespace ledger::events;
using namespace std::chrono_literals;

namespace {

/// Takes every row whose head it is shown, promising `organiser` as only_where's value.
class narrowed_rows final : public projections::row_sink {
public:
    explicit narrowed_rows(std::string organiser) : organiser_(std::move(organiser)) {}
    verdict consider(boost::json::object const& /*head*/) override { return verdict::take; }
    void take(boost::json::object row) override { rows.emplace_back(std::move(row)); }
    std::optional<std::string_view> only_where(std::string_view column) const override {
        if (column == "organiser") return std::string_view(organiser_);
        return std::nullopt;
    }
    boost::json::array rows;

private:
    std::string organiser_;
};

/// The rows of `all` whose organiser reads as `organiser` (app::row_filter's rule).
boost::json::array with_organiser(boost::json::array const& all, std::string_view organiser) {
    boost::json::array out;
    for (auto const& row : all) {
        auto const& cell = row.as_object().at("organiser");
        if (cell.is_null() ? organiser.empty() : cell.get_string() == organiser) out.push_back(row);
    }
    return out;
}

}  // namespace

TEST_CASE("recruits-per-campaign narrowed by organiser renders exactly the rows of that organiser, null ones for an empty value",
          "[projections][recruits-per-campaign][selection][narrowed]") {
    testing::fold_scenario s;
    s.add("campaign-c1", "2024-01-01", campaign_planned{.name = "Trip", .kind = campaign_kind::recruitment_trip, .organiser = "region-a"});
    s.add("campaign-c2", "2024-01-01", campaign_planned{.name = "Fair", .kind = campaign_kind::fair_tour, .organiser = "region-b"});
    auto const wrong = s.add("campaign-c3", "2024-01-01", campaign_planned{.name = "Mistake", .kind = campaign_kind::fair_tour, .organiser = "region-a"});
    s.add("campaign-c3", "2024-01-02", cost_recorded{.category = cost_category::staff, .amount_minor = 5, .currency = {"EUR"}});
    s.retract(wrong);  // c3 keeps its costs, without a plan: organiser null
    s.add("campaign-c4", "2024-01-02", cost_recorded{.category = cost_category::travel, .amount_minor = 100, .currency = {"SEK"}});
    s.add("campaign-c0", "2024-01-03", campaign_planned{.name = "Early", .kind = campaign_kind::recruitment_trip, .organiser = "region-a"});
    s.add("candidate-k1", "2024-02-01", candidate_registered{.name = "Dr k1"});
    s.add("candidate-k1", "2024-02-02", application_received{.application_id = "a-k1", .campaign_id = "c5"});  // never planned
    s.add("candidate-k2", "2024-02-01", candidate_registered{.name = "Dr k2"});
    s.add("candidate-k2", "2024-02-02", application_received{.application_id = "a-k2", .campaign_id = "c1"});
    auto const model = s.fold<projections::recruits_per_campaign>();
    auto const all = model.rows();
    REQUIRE(all.size() == 6);
    for (std::string const organiser : {"region-a", "region-b", "", "region-none", "c1", "Trip"}) {
        INFO("organiser " << organiser);
        narrowed_rows sink(organiser);
        model.render(sink);
        CHECK(sink.rows == with_organiser(all, organiser));
    }
    // The runner asks through read_model: only recruits-per-campaign's organiser narrows.
    for (auto const& any : projections::make_all_read_models()) {
        CHECK(any->renders_only_where("organiser") == (any->name() == "recruits-per-campaign"));
        CHECK_FALSE(any->renders_only_where("kind"));
    }
}

TEST_CASE("live pages filtered by organiser, rendered narrowed on a first read and from the index on a second, are byte for byte the pages selected from the whole table",
          "[projections][selection][index][narrowed]") {
    testing::temp_dir dir;
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    store::event_store store(o);
    // A runner started afresh answers its first filtered read at a position narrowed and a
    // second one at the same position from its row index (the runner's narrowed_page).
    std::optional<app::projection_runner> runner;
    auto const restart = [&] {
        runner.reset();
        runner.emplace(store);
        REQUIRE(runner->wait_until_caught_up(20s));
    };
    runner.emplace(store);
    testing::recruitment_generator generator(37, {.retract_applications = true});
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < 1500; ++i) {
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(generator.next().request(), [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
    REQUIRE(runner->wait_until_caught_up(20s));

    std::string const name = "recruits-per-campaign";
    auto const table = runner->query({.name = name}).value();
    std::vector<std::string> organisers{"", "no-such-organiser"};
    for (auto const& row : table.rows) {
        auto const& cell = row.as_object().at("organiser");
        if (cell.is_string()) organisers.emplace_back(cell.get_string());
    }
    std::mt19937_64 rng(37);
    int pages = 0;
    for (int trial = 0; trial < 30; ++trial) {
        app::projection_query q{.name = name};
        q.selection.filters.push_back(
            {"organiser", organisers[std::uniform_int_distribution<std::size_t>(0, organisers.size() - 1)(rng)]});
        if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
            q.selection.filters.push_back({"kind", trial % 2 == 0 ? "recruitment_trip" : "fair_tour"});
        }
        if (std::uniform_int_distribution<int>(0, 2)(rng) != 0) {
            q.selection.limit = std::uniform_int_distribution<std::size_t>(1, 5)(rng);
        }
        for (int page = 0; page < 8; ++page, ++pages) {
            INFO("trial " << trial << " page " << page << " organiser " << q.selection.filters[0].value);
            auto const whole = app::select_page(name, table.position, table.columns, table.rows, q.selection).value();
            auto const expected = app::page_json_text(whole, q.selection.paged());
            restart();
            auto const answer = runner->query_page_json(q);  // narrowed
            REQUIRE(answer.has_value());
            REQUIRE(answer->json == expected);
            REQUIRE(answer->next_cursor == whole.next_cursor);
            auto const indexed = runner->query_page_json(q);  // the index, built now
            REQUIRE(indexed.has_value());
            CHECK(indexed->json == expected);
            CHECK(indexed->next_cursor == whole.next_cursor);
            restart();
            auto const dom = runner->query_page(q).value();  // the CSV path picks the same rows, narrowed
            CHECK(app::page_json_text(dom, q.selection.paged()) == expected);
            if (!answer->next_cursor) break;
            q.selection.after = app::decode_cursor(*answer->next_cursor).value();
        }
    }
    CHECK(pages > 30);
}
