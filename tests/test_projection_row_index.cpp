// Filtered pages through the runner's index (row_index.hpp) answer byte for byte what
// selecting from the whole table answers (app::select_page, the way pages were cut before):
// random filters on every filterable field (values rows have, empty and unknown ones), random
// limits, and cursors followed page by page, for every read model of a random ledger.

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/row_index.hpp"
#include "ledger/store/event_store.hpp"

#include "support/filter_text.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <random>

using namespace ledger;
using namespace std::chrono_literals;

namespace {

/// The page as selecting from the runner's whole table writes it.
std::string expected_page(app::projection_runner const& runner, app::projection_query const& q,
                          std::optional<std::string>* next_cursor) {
    auto const table = runner.query(q).value();
    auto const page = app::select_page(q.name, table.position, table.columns, table.rows, q.selection).value();
    *next_cursor = page.next_cursor;
    return app::page_json_text(page, q.selection.paged());
}

/// A filter value for `column`: one a row has, an empty one or one no row has.
std::string some_value(boost::json::array const& rows, std::string_view column, std::mt19937_64& rng) {
    auto const roll = std::uniform_int_distribution<int>(0, 9)(rng);
    if (roll == 0 || rows.empty()) return "";
    if (roll == 1) return "no-such-value";
    auto const& row = rows[std::uniform_int_distribution<std::size_t>(0, rows.size() - 1)(rng)].as_object();
    auto const* cell = row.if_contains(column);
    return cell == nullptr ? "" : testing::filter_text(*cell);
}

}  // namespace

TEST_CASE("pages picked through the row index are byte for byte the pages selected from the whole table",
          "[projections][selection][index]") {
    testing::temp_dir dir;
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    store::event_store store(o);
    app::projection_runner runner(store);
    testing::recruitment_generator generator(31, {.retract_applications = true});
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < 1500; ++i) {
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(generator.next().request(), [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
    REQUIRE(runner.wait_until_caught_up(20s));

    std::mt19937_64 rng(31);
    int pages = 0;
    for (auto const name : projections::read_model_names()) {
        auto const rows = runner.query({.name = std::string(name)}).value().rows;
        auto const columns = app::filter_columns(name).value();
        for (int trial = 0; trial < 40; ++trial) {
            app::projection_query q{.name = std::string(name)};
            for (auto const column : columns) {
                if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
                    q.selection.filters.push_back({std::string(column), some_value(rows, column, rng)});
                }
            }
            if (std::uniform_int_distribution<int>(0, 1)(rng) == 0) {
                q.selection.limit = std::uniform_int_distribution<std::size_t>(1, 7)(rng);
            }
            // Follow the cursors to the last page (a few pages at most).
            for (int page = 0; page < 6; ++page, ++pages) {
                INFO(name << " trial " << trial << " page " << page);
                std::optional<std::string> expected_cursor;
                auto const expected = expected_page(runner, q, &expected_cursor);
                auto const answer = runner.query_page_json(q);
                REQUIRE(answer.has_value());
                REQUIRE(answer->json == expected);
                REQUIRE(answer->next_cursor == expected_cursor);
                auto const dom = runner.query_page(q).value();  // the CSV path picks the same rows
                CHECK(app::page_json_text(dom, q.selection.paged()) == expected);
                if (!answer->next_cursor) break;
                q.selection.after = app::decode_cursor(*answer->next_cursor).value();
            }
        }
    }
    CHECK(pages > 7 * 40);
}
