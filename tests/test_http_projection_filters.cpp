// GET /v1/projections/{name} with filters, limit and cursor, and /readyz meaning "every read
// model at the head" (issue 14, query side), through the socket-free handler.

#include "ledger/app/projection_runner.hpp"
#include "ledger/app/projection_selection.hpp"
#include "ledger/app/read_model_readiness.hpp"
#include "projections/read_model.hpp"

// The generator first: http_fixture.hpp's testing::campaign_planned() would hide the event
// type of that name inside the generator.
#include "support/filter_text.hpp"
#include "support/recruitment_generator.hpp"
#include "support/http_fixture.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/url.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <latch>
#include <memory>
#include <set>
#include <utility>
#include <vector>

using namespace ledger;
using namespace ledger::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

using parameters = std::vector<std::pair<std::string, std::string>>;

/// /v1/projections/{name} with `query` percent-encoded.
std::string target(std::string_view name, parameters const& query = {}) {
    boost::urls::url url("/v1/projections/" + std::string(name));
    for (auto const& [key, value] : query) url.params().append({key, value});
    return std::string(url.buffer());
}

/// Appends `count` generated, rule-abiding events, grouped by the writer.
void append_generated(store::event_store& store, recruitment_generator& generator, int count) {
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < count; ++i) {
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(generator.next().request(),
                           [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
}

/// A fixture with generated history and the live read models behind the handler.
struct ledger_with_models {
    http_fixture f;
    recruitment_generator generator{14};
    std::unique_ptr<app::projection_runner> runner;

    explicit ledger_with_models(int events) {
        append_generated(f.store, generator, events);
        runner = std::make_unique<app::projection_runner>(f.store);
        REQUIRE(runner->wait_until_caught_up(20s));
        f.api.projections = runner.get();
    }

    json::array rows(std::string const& url) {
        auto const response = f.get(url);
        REQUIRE(response.status == 200);
        return json_of(response).at("rows").as_array();
    }
};

using testing::filter_text;

json::array matching(json::array const& rows, parameters const& filters) {
    json::array out;
    for (auto const& row : rows) {
        bool const all = std::ranges::all_of(filters, [&](auto const& f) {
            return filter_text(row.at(f.first)) == f.second;
        });
        if (all) out.push_back(row);
    }
    return out;
}

/// Follows next_cursor from `first` (a query with a limit) to the end; every page's rows.
json::array all_pages(http_fixture& f, std::string_view name, parameters query, int* pages = nullptr) {
    json::array rows;
    int count = 0;
    for (;;) {
        auto const response = f.get(target(name, query));
        REQUIRE(response.status == 200);
        auto const body = json_of(response).as_object();
        for (auto const& row : body.at("rows").as_array()) rows.push_back(row);
        ++count;
        REQUIRE(body.contains("next_cursor"));
        if (body.at("next_cursor").is_null()) break;
        auto const cursor = std::string(body.at("next_cursor").as_string());
        std::erase_if(query, [](auto const& p) { return p.first == "cursor"; });
        query.emplace_back("cursor", cursor);
        REQUIRE(count < 10'000);
    }
    if (pages != nullptr) *pages = count;
    return rows;
}

json::value detail_of(http::response const& response, std::string_view name) {
    auto const body = json_of(response);
    auto const* found = body.at("error").at("details").as_object().if_contains(name);
    return found ? *found : json::value();
}

std::string header_of(http::response const& response, std::string_view name) {
    for (auto const& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

}  // namespace

TEST_CASE("each read model's key and filter fields are among its columns and identify a row",
          "[http][projections][selection]") {
    ledger_with_models l(1500);
    for (auto const name : projections::read_model_names()) {
        auto const columns = projections::make_read_model(name)->columns();
        auto const key = app::key_columns(name);
        auto const filters = app::filter_columns(name);
        REQUIRE(key);
        REQUIRE(filters);
        for (auto const column : *filters) {
            CHECK(std::ranges::find(columns, column) != columns.end());
        }
        for (auto const column : *key) {
            CHECK(std::ranges::find(*filters, column) != filters->end());
        }
        auto const rows = l.rows(target(name));
        CHECK_FALSE(rows.empty());
        std::set<std::string> keys;
        for (auto const& row : rows) keys.insert(json::serialize(app::key_of(row, *key)));
        CHECK(keys.size() == rows.size());
    }
    CHECK_FALSE(app::key_columns("nope"));
}

TEST_CASE("a filter on each key field answers exactly the rows whose cell equals it",
          "[http][projections][selection]") {
    ledger_with_models l(1500);
    for (auto const name : projections::read_model_names()) {
        auto const all = l.rows(target(name));
        REQUIRE_FALSE(all.empty());
        auto const& sample = all[all.size() / 2];
        auto const filters = app::filter_columns(name).value();
        for (auto const column : filters) {
            parameters const filter{{std::string(column), filter_text(sample.at(column))}};
            INFO(name << " " << column << "=" << filter.front().second);
            auto const rows = l.rows(target(name, filter));
            CHECK_FALSE(rows.empty());
            CHECK(rows == matching(all, filter));
        }
    }
    // A value no row has: an empty page, not an error.
    CHECK(l.rows(target("funnel", {{"organiser", "region-nowhere"}})).empty());
    CHECK(l.rows(target("origin", {{"year", "1066"}})).empty());
}

TEST_CASE("filters combine: a row must pass every one", "[http][projections][selection]") {
    ledger_with_models l(1500);
    auto const funnel = l.rows(target("funnel"));
    auto const& sample = funnel[funnel.size() / 3];
    parameters const three{{"kind", filter_text(sample.at("kind"))},
                           {"organiser", filter_text(sample.at("organiser"))},
                           {"year", filter_text(sample.at("year"))}};
    auto const one = l.rows(target("funnel", three));
    REQUIRE(one.size() == 1);
    CHECK(one.front() == sample);

    auto const campaigns = l.rows(target("recruits-per-campaign"));
    auto const& planned = campaigns.back();
    parameters const two{{"kind", filter_text(planned.at("kind"))},
                         {"organiser", filter_text(planned.at("organiser"))}};
    auto const rows = l.rows(target("recruits-per-campaign", two));
    CHECK(rows == matching(campaigns, two));
    CHECK(rows.size() <= matching(campaigns, {two.front()}).size());
}

TEST_CASE("limit and cursor page through every row exactly once, in order",
          "[http][projections][selection][paging]") {
    ledger_with_models l(1500);
    for (auto const name : projections::read_model_names()) {
        INFO(name);
        auto const all = l.rows(target(name));
        int pages = 0;
        CHECK(all_pages(l.f, name, {{"limit", "3"}}, &pages) == all);
        CHECK(pages == static_cast<int>((all.size() + 2) / 3));
        // A limit as large as the table: one page, and it says there is no next one.
        auto const whole = json_of(l.f.get(target(name, {{"limit", std::to_string(all.size())}})));
        CHECK(whole.at("rows") == all);
        CHECK(whole.at("next_cursor").is_null());
    }
    // With a filter, the pages cover exactly the filtered rows.
    auto const campaigns = l.rows(target("recruits-per-campaign"));
    parameters const organiser{{"organiser", "region-kalmar"}};
    auto const expected = matching(campaigns, organiser);
    REQUIRE(expected.size() > 2);
    CHECK(all_pages(l.f, "recruits-per-campaign", {{"organiser", "region-kalmar"}, {"limit", "2"}}) ==
          expected);
}

TEST_CASE("a page that is cut names its cursor in the body, Ledger-Next-Cursor and Link",
          "[http][projections][selection][paging]") {
    ledger_with_models l(600);
    auto const first = l.f.get(target("recruits-per-campaign", {{"organiser", "region-kalmar"}, {"limit", "1"}}));
    REQUIRE(first.status == 200);
    auto const cursor = std::string(json_of(first).at("next_cursor").as_string());
    CHECK(header_of(first, "Ledger-Next-Cursor") == cursor);
    CHECK(header_of(first, "Link") ==
          "<" + target("recruits-per-campaign", {{"organiser", "region-kalmar"}, {"limit", "1"}, {"cursor", cursor}}) +
              ">; rel=\"next\"");
    // The same position gives the same cursor; filters without a limit answer every match
    // and say nothing about pages.
    CHECK(json_of(l.f.get(target("recruits-per-campaign", {{"organiser", "region-kalmar"}, {"limit", "1"}})))
              .at("next_cursor") == json::value(cursor));
    auto const unpaged = l.f.get(target("recruits-per-campaign", {{"organiser", "region-kalmar"}}));
    CHECK_FALSE(json_of(unpaged).as_object().contains("next_cursor"));
    CHECK(header_of(unpaged, "Ledger-Next-Cursor").empty());
}

TEST_CASE("CSV pages carry the header row each and the next cursor in a header",
          "[http][projections][selection][paging][csv]") {
    ledger_with_models l(1500);
    auto const whole = l.f.get(target("funnel", {{"format", "csv"}}));
    REQUIRE(whole.status == 200);
    auto const header_end = whole.body.find("\r\n") + 2;
    std::string const header = whole.body.substr(0, header_end);
    std::string joined = header;
    parameters query{{"format", "csv"}, {"limit", "4"}};
    int pages = 0;
    for (;;) {
        auto const page = l.f.get(target("funnel", query));
        REQUIRE(page.status == 200);
        CHECK(page.content_type == "text/csv; charset=utf-8");
        REQUIRE(page.body.starts_with(header));
        joined += page.body.substr(header.size());
        ++pages;
        auto const next = header_of(page, "Ledger-Next-Cursor");
        if (next.empty()) break;
        query = {{"format", "csv"}, {"limit", "4"}, {"cursor", next}};
        REQUIRE(pages < 10'000);
    }
    CHECK(joined == whole.body);
    CHECK(pages > 1);
    // Accept: text/csv pages the same way.
    auto const by_accept = l.f.get(target("funnel", {{"limit", "4"}}), "text/csv");
    CHECK(by_accept.body.starts_with(header));
    CHECK_FALSE(header_of(by_accept, "Ledger-Next-Cursor").empty());
}

TEST_CASE("without filters, limit or cursor the answer is the cached text, byte for byte",
          "[http][projections][selection]") {
    ledger_with_models l(600);
    for (auto const name : projections::read_model_names()) {
        auto const response = l.f.get(target(name));
        CHECK(response.body == l.runner->query_json({.name = std::string(name)}).value());
        CHECK(response.headers.empty());
    }
}

TEST_CASE("an unknown query parameter is 400 naming it, and the parameters in use are accepted",
          "[http][projections][selection][errors]") {
    ledger_with_models l(300);
    auto const typo = l.f.get(target("recruits-per-campaign", {{"organizer", "region-kalmar"}}));
    CHECK(typo.status == 400);
    CHECK(error_code_of(typo) == "bad_request");
    CHECK(detail_of(typo, "parameter") == "organizer");
    CHECK(detail_of(typo, "accepted").as_array().size() > 5);
    // A key field of another read model is unknown here.
    auto const other = l.f.get(target("origin", {{"organiser", "region-kalmar"}}));
    CHECK(other.status == 400);
    CHECK(detail_of(other, "parameter") == "organiser");
    CHECK(l.f.get("/v1/projections/origin?x").status == 400);
    for (auto const& known : std::vector<parameters>{{{"format", "json"}}, {{"format", "csv"}},
                                                     {{"excel", "1"}, {"format", "csv"}},
                                                     {{"as_of_position", "100"}},
                                                     {{"as_of", "2030-01-01T00:00:00Z"}},
                                                     {{"min_position", "1"}}}) {
        INFO(target("origin", known));
        CHECK(l.f.get(target("origin", known)).status == 200);
    }
    // Unknown names still come after an unknown projection.
    CHECK(l.f.get(target("nope", {{"organiser", "x"}})).status == 404);
}

TEST_CASE("a bad limit or cursor is 400 naming the parameter", "[http][projections][selection][errors]") {
    ledger_with_models l(300);
    for (std::string const limit : {"0", "-1", "abc", "", "10001", "3.5", "99999999999999999999"}) {
        auto const response = l.f.get(target("funnel", {{"limit", limit}}));
        INFO("limit=" << limit);
        CHECK(response.status == 400);
        CHECK(detail_of(response, "parameter") == "limit");
    }
    CHECK(l.f.get(target("funnel", {{"limit", "10000"}})).status == 200);
    auto const another_model = app::encode_cursor({"origin", 5, json::array{"SE", 2024}});
    auto const wrong_arity = app::encode_cursor({"funnel", 5, json::array{"x"}});
    auto const no_such_row = app::encode_cursor({"funnel", 5, json::array{"x", "y", 1999}});
    for (std::string const& cursor : {std::string("not a cursor"), std::string("e30"), std::string(""),
                                     another_model, wrong_arity, no_such_row,
                                     another_model + "==", std::string(5000, 'A')}) {
        auto const response = l.f.get(target("funnel", {{"cursor", cursor}}));
        INFO("cursor=" << cursor);
        CHECK(response.status == 400);
        CHECK(error_code_of(response) == "bad_request");
        CHECK(detail_of(response, "parameter") == "cursor");
    }
    auto const twice = l.f.get("/v1/projections/funnel?limit=2&limit=3");
    CHECK(twice.status == 400);
    CHECK(detail_of(twice, "parameter") == "limit");
}

TEST_CASE("filters and pages apply to as-of answers too", "[http][projections][selection][as-of]") {
    ledger_with_models l(1500);
    parameters const past{{"as_of_position", "700"}};
    auto const all = l.rows(target("recruits-per-campaign", past));
    parameters query = past;
    query.emplace_back("organiser", "region-jonkoping");
    auto const filtered = l.rows(target("recruits-per-campaign", query));
    CHECK(filtered == matching(all, {{"organiser", "region-jonkoping"}}));
    CHECK(json_of(l.f.get(target("recruits-per-campaign", query))).at("position") == 700);
    query.emplace_back("limit", "1");
    CHECK(all_pages(l.f, "recruits-per-campaign", query) == filtered);
}

TEST_CASE("a cursor taken before more events were folded still pages on without repeats",
          "[http][projections][selection][paging]") {
    ledger_with_models l(800);
    auto const before = l.rows(target("recruits-per-campaign"));
    auto const first = json_of(l.f.get(target("recruits-per-campaign", {{"limit", "2"}})));
    auto const cursor = std::string(first.at("next_cursor").as_string());
    append_generated(l.f.store, l.generator, 400);
    REQUIRE(l.runner->wait_until_caught_up(20s));
    auto rest = all_pages(l.f, "recruits-per-campaign", {{"limit", "5"}, {"cursor", cursor}});
    std::set<std::string> seen;
    for (auto const& row : first.at("rows").as_array()) seen.insert(std::string(row.at("campaign_id").as_string()));
    for (auto const& row : rest) {
        CHECK(seen.insert(std::string(row.at("campaign_id").as_string())).second);  // no repeats
    }
    for (auto const& row : before) CHECK(seen.contains(std::string(row.at("campaign_id").as_string())));
}

namespace {

/// Two read-model tables: at position 10 rows a, b, c; live (position 20) b is gone, d added.
class moving_projections final : public app::projection_service {
public:
    std::vector<app::projection_summary> list() const override {
        return {{"retention", "", 20, lag}};
    }
    result<app::projection_table> query(app::projection_query const& q) const override {
        app::projection_table table{"retention", 20, {"campaign_id", "started"}, {}};
        std::vector<std::string> ids{"a", "c", "d"};
        if (q.as_of_position == 10u) {
            table.position = 10;
            ids = {"a", "b", "c"};
        }
        for (auto const& id : ids) table.rows.push_back(json::object{{"campaign_id", id}, {"started", 1}});
        return table;
    }
    std::uint64_t lag = 0;
};

}  // namespace

TEST_CASE("a cursor whose row is gone from the live table pages on as of the cursor's position",
          "[http][projections][selection][paging]") {
    http_fixture f;
    moving_projections projections;
    f.api.projections = &projections;
    auto const first = json_of(f.get(target("retention", {{"as_of_position", "10"}, {"limit", "2"}})));
    CHECK(first.at("rows") == json::parse(R"([{"campaign_id":"a","started":1},{"campaign_id":"b","started":1}])"));
    auto const cursor = std::string(first.at("next_cursor").as_string());
    // The live table no longer has b: the next page is answered at position 10.
    auto const second = json_of(f.get(target("retention", {{"limit", "2"}, {"cursor", cursor}})));
    CHECK(second.at("position") == 10);
    CHECK(second.at("rows") == json::parse(R"([{"campaign_id":"c","started":1}])"));
    CHECK(second.at("next_cursor").is_null());
}

TEST_CASE("readyz is 503 naming the read models that lag and 200 once they are at the head",
          "[http][health][projections]") {
    http_fixture f;
    moving_projections projections;
    f.api.projections = &projections;
    projections.lag = app::ready_lag + 1;
    auto const lagging = f.get("/readyz");
    CHECK(lagging.status == 503);
    CHECK(error_code_of(lagging) == "unavailable");
    CHECK(json_of(lagging).at("error").at("message") == "read models are catching up");
    CHECK(detail_of(lagging, "max_lag") == app::ready_lag);
    CHECK(detail_of(lagging, "lagging") ==
          json::parse(R"([{"name":"retention","position":20,"lag":1001}])"));
    projections.lag = app::ready_lag;
    CHECK(f.get("/readyz").status == 200);
    projections.lag = 0;
    CHECK(f.get("/readyz").status == 200);
    f.api.draining = true;
    CHECK(json_of(f.get("/readyz")).at("error").at("message") == "shutting down");
}

TEST_CASE("readyz waits for a restarted runner to load and fold to the head",
          "[http][health][projections][runner]") {
    http_fixture f;
    recruitment_generator generator(5);
    append_generated(f.store, generator, 1200);
    std::latch release(1);
    app::projection_runner runner(f.store, {.before_loading = [&] { release.wait(); }});
    f.api.projections = &runner;
    auto const loading = f.get("/readyz");
    CHECK(loading.status == 503);
    CHECK(json_of(loading).at("error").at("message") == "read models are loading");
    auto const lagging = detail_of(loading, "lagging");
    auto const& behind = lagging.as_array();
    CHECK(behind.size() == projections::read_model_names().size());
    CHECK(behind.front().at("lag") == 1200);
    release.count_down();
    REQUIRE(runner.wait_until_caught_up(20s));
    CHECK(f.get("/readyz").status == 200);
    CHECK(app::read_models_not_ready(runner, 0) == std::nullopt);
}
