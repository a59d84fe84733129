// The first live page after a fold or a restart rendered straight from the model (the runner's
// narrowed_page: a limited page, or one filtered by a column the model narrows by, renders only
// what the page needs; the second read at the position builds the row index): for every
// projection, random limits, filters on its filter columns and cursors followed page by page,
// the JSON text and the CSV path's rows are byte for byte the pages selected from the whole
// table, and the same again from the index.

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/read_model.hpp"

#include "support/filter_text.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <optional>
#include <random>

using namespace ledger;
using namespace std::chrono_literals;

TEST_CASE("first live pages rendered from the model are byte for byte the pages selected from the whole table for every projection",
          "[projections][selection][index][first_page]") {
    testing::temp_dir dir;
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    store::event_store store(o);
    std::optional<app::projection_runner> runner;
    auto const restart = [&] {
        runner.reset();
        runner.emplace(store);
        REQUIRE(runner->wait_until_caught_up(20s));
    };
    runner.emplace(store);
    testing::recruitment_generator generator(41, {.retract_applications = true});
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < 1500; ++i) {
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(generator.next().request(), [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
    REQUIRE(runner->wait_until_caught_up(20s));

    std::mt19937_64 rng(41);
    auto const pick = [&](std::size_t low, std::size_t high) {
        return std::uniform_int_distribution<std::size_t>(low, high)(rng);
    };
    int pages = 0;
    for (auto const name_view : projections::read_model_names()) {
        std::string const name(name_view);
        auto const table = runner->query({.name = name}).value();
        REQUIRE_FALSE(table.rows.empty());
        auto const columns = *app::filter_columns(name);
        for (int trial = 0; trial < 6; ++trial) {
            app::projection_query q{.name = name};
            q.selection.limit = pick(1, 7);
            if (trial % 3 == 2) {
                // A filter on a value some row has (or none: an empty value matches null cells).
                std::string const column(columns[pick(0, columns.size() - 1)]);
                auto const& cell = table.rows[pick(0, table.rows.size() - 1)].as_object().at(column);
                q.selection.filters.push_back({column, testing::filter_text(cell)});
            }
            for (int page = 0; page < 5; ++page, ++pages) {
                INFO(name << " trial " << trial << " page " << page << " limit " << *q.selection.limit);
                auto const whole = app::select_page(name, table.position, table.columns, table.rows, q.selection).value();
                auto const expected = app::page_json_text(whole, q.selection.paged());
                restart();
                auto const first = runner->query_page_json(q);  // rendered from the model
                REQUIRE(first.has_value());
                REQUIRE(first->json == expected);
                REQUIRE(first->next_cursor == whole.next_cursor);
                auto const indexed = runner->query_page_json(q);  // the index, built now
                REQUIRE(indexed.has_value());
                CHECK(indexed->json == expected);
                CHECK(indexed->next_cursor == whole.next_cursor);
                restart();
                auto const dom = runner->query_page(q).value();  // the CSV path, rendered from the model
                CHECK(app::page_json_text(dom, q.selection.paged()) == expected);
                CHECK(dom.next_cursor == whole.next_cursor);
                if (!first->next_cursor) break;
                q.selection.after = app::decode_cursor(*first->next_cursor).value();
            }
        }
    }
    CHECK(pages > 60);
}
