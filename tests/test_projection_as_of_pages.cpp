// An as-of page renders only the rows it keeps (read_model::render, app::fold_page_as_of):
// the rows, the bytes and the next cursor are still exactly those of the whole as-of answer
// sliced by the filters, the cursor and the limit (projection_service::query_page's default,
// the path before this change).

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_as_of.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/projection_selection.hpp"
#include "ledger/json_text.hpp"
#include "ledger/store/event_store.hpp"

#include "support/filter_text.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <set>
#include <string>
#include <vector>

using namespace ledger;
using namespace std::chrono_literals;

namespace {

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

void append_generated(store::event_store& store, testing::recruitment_generator& generator, int count) {
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < count; ++i) {
        auto const event = generator.next();
        auto request = event.request();
        request.recorded_at = event.occurred_at;
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(std::move(request), [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
}

using testing::filter_text;

/// The new page (rendering only what it keeps) against the old one (the whole as-of table,
/// then select_page): the same outcome, the same JSON text, the same next cursor.
/// Returns the page's rows and next cursor (no rows and no cursor for an error).
std::pair<boost::json::array, std::optional<std::string>> require_same_page(app::projection_runner const& runner,
                                                                            app::projection_query const& q) {
    auto const old_page = runner.projection_service::query_page(q);
    auto const new_page = runner.query_page(q);
    REQUIRE(new_page.has_value() == old_page.has_value());
    if (!old_page) {
        CHECK(new_page.error().code == old_page.error().code);
        CHECK(new_page.error().message == old_page.error().message);
        CHECK(to_json_text(new_page.error().details) == to_json_text(old_page.error().details));
        return {};
    }
    auto const paged = q.selection.paged();
    auto const expected = app::page_json_text(*old_page, paged);
    REQUIRE(app::page_json_text(*new_page, paged) == expected);
    REQUIRE(new_page->next_cursor == old_page->next_cursor);
    REQUIRE(new_page->table.columns == old_page->table.columns);
    auto const text = runner.query_page_json(q);
    REQUIRE(text.has_value());
    REQUIRE(text->json == expected);
    REQUIRE(text->next_cursor == old_page->next_cursor);
    return {new_page->table.rows, new_page->next_cursor};
}

/// Every page of `q` (limit `limit`) followed by its cursors: each page as the old path
/// answers it, and together exactly `expected`, in order.
void require_pages_slice(app::projection_runner const& runner, app::projection_query q, std::size_t limit,
                         boost::json::array const& expected) {
    q.selection.limit = limit;
    boost::json::array seen;
    for (std::size_t pages = 0;; ++pages) {
        REQUIRE(pages <= expected.size());
        auto [rows, next] = require_same_page(runner, q);
        REQUIRE(rows.size() <= limit);
        for (auto& row : rows) seen.push_back(std::move(row));
        if (!next) break;
        q.selection.after = app::decode_cursor(*next);
        REQUIRE(q.selection.after.has_value());
    }
    REQUIRE(to_json_text(seen) == to_json_text(expected));
}

/// The rows of `rows` whose `column` reads as `value`.
boost::json::array rows_where(boost::json::array const& rows, std::string_view column, std::string const& value) {
    boost::json::array out;
    for (auto const& row : rows) {
        auto const* cell = row.as_object().if_contains(column);
        if (filter_text(cell ? *cell : boost::json::value()) == value) out.push_back(row);
    }
    return out;
}

}  // namespace

TEST_CASE("an as-of page rendered row by row is the whole as-of answer sliced by its filters cursor and limit",
          "[projections][as_of][pages]") {
    auto const seed = GENERATE(21u, 22u);
    INFO("seed " << seed);
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    store::event_store store(options_in(dir));
    app::projection_runner_options options;
    options.checkpoints.every = 97;
    app::projection_runner runner(store, options);
    append_generated(store, generator, 900);
    REQUIRE(runner.wait_until_caught_up(20s));
    auto const events = store.head().events;

    for (auto const name : projections::read_model_names()) {
        auto const filters = app::filter_columns(name).value();
        for (auto const position : {std::uint64_t{40}, std::uint64_t{450}, events - 1}) {
            INFO(name << " as of position " << position);
            app::projection_query q{.name = std::string(name), .as_of_position = position};
            auto const whole = runner.query(q);
            REQUIRE(whole.has_value());
            auto const& rows = whole->rows;
            if (position == events - 1) REQUIRE(rows.size() >= 3);  // enough rows to page through

            // Pages of every size walk the whole answer.
            for (std::size_t const limit : {std::size_t{1}, std::size_t{2}, std::size_t{7}, rows.size() + 1}) {
                INFO("limit " << limit);
                require_pages_slice(runner, q, limit, rows);
            }
            // Every filter field, with values its rows have (null too) and one none has.
            for (auto const column : filters) {
                std::set<std::string> values{"no such value"};
                for (auto const& row : rows) {
                    auto const* cell = row.as_object().if_contains(column);
                    values.insert(filter_text(cell ? *cell : boost::json::value()));
                    if (values.size() > 4) break;
                }
                for (auto const& value : values) {
                    INFO("filter " << column << "=" << value);
                    auto filtered = q;
                    filtered.selection.filters = {app::row_filter{std::string(column), value}};
                    auto const expected = rows_where(rows, column, value);
                    auto const [page, next] = require_same_page(runner, filtered);
                    REQUIRE(to_json_text(page) == to_json_text(expected));
                    CHECK_FALSE(next);
                    require_pages_slice(runner, filtered, 2, expected);
                }
            }
            // A cursor from this position whose row is not there, and one from another position.
            auto foreign = q;
            boost::json::array key;
            for (std::size_t i = 0; i < app::key_columns(name)->size(); ++i) key.emplace_back("no such row");
            foreign.selection.after = app::page_cursor{std::string(name), position, key};
            foreign.selection.limit = 3;
            auto const [none, no_next] = require_same_page(runner, foreign);
            CHECK(runner.query_page(foreign).error().code == error_code::bad_request);
            if (!rows.empty()) {
                auto elsewhere = q;
                elsewhere.selection.after = app::page_cursor{std::string(name), std::uint64_t{40},
                                                             app::key_of(rows.back(), *app::key_columns(name))};
                elsewhere.selection.limit = 2;
                require_same_page(runner, elsewhere);
            }
        }
        // As of a recorded time, the same.
        auto const t = store.read_event(events / 2)->recorded_at;
        app::projection_query const q{.name = std::string(name), .as_of = t};
        auto const whole = runner.query(q);
        REQUIRE(whole.has_value());
        require_pages_slice(runner, q, 3, whole->rows);
    }
}
