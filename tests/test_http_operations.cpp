// Projections, catalogue, health, readiness and metrics through http::handle.

#include "support/http_fixture.hpp"

#include "ledger/app/projection_service.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace ledger::testing;
namespace json = boost::json;
using ledger::error;
using ledger::error_code;

namespace {

/// One read model, "origin", with two rows; remembers the last query.
class fake_projections final : public ledger::app::projection_service {
public:
    mutable ledger::app::projection_query last;
    bool snapshots_loaded = true;

    bool loaded() const override { return snapshots_loaded; }
    std::uint64_t snapshot_failures() const override { return 3; }

    std::vector<ledger::app::projection_summary> list() const override {
        return {{"origin", "contracts by country of training", 41, 2}};
    }

    ledger::result<ledger::app::projection_table> query(ledger::app::projection_query const& q) const override {
        last = q;
        if (q.name != "origin") return error{error_code::projection_not_found, "no such projection", {}};
        if (q.min_position && *q.min_position > 41) {
            return error{error_code::unavailable, "not caught up", {{"min_position", *q.min_position}}};
        }
        ledger::app::projection_table table{"origin", 41, {"country_of_training", "year", "contracts_signed"}, {}};
        table.rows.push_back(json::object{{"country_of_training", "DE"}, {"year", 2024}, {"contracts_signed", 3}});
        table.rows.push_back(json::object{{"country_of_training", "Poland, \"PL\""}, {"year", nullptr}, {"contracts_signed", 1}});
        return table;
    }
};

}  // namespace

TEST_CASE("without a projection service the list is empty and every name is 404", "[http][projections]") {
    http_fixture f;
    CHECK(json_of(f.get("/v1/projections")) == json::parse(R"({"projections":[]})"));
    auto const response = f.get("/v1/projections/funnel");
    CHECK(response.status == 404);
    CHECK(error_code_of(response) == "projection_not_found");
}

TEST_CASE("projections are listed with position and lag", "[http][projections]") {
    http_fixture f;
    fake_projections projections;
    f.api.projections = &projections;
    CHECK(json_of(f.get("/v1/projections")) ==
          json::parse(R"({"projections":[{"name":"origin","description":"contracts by country of training","position":41,"lag":2}]})"));
}

TEST_CASE("a projection answers JSON with name, position and rows", "[http][projections]") {
    http_fixture f;
    fake_projections projections;
    f.api.projections = &projections;
    auto const response = f.get("/v1/projections/origin?as_of_position=7&min_position=3");
    REQUIRE(response.status == 200);
    auto const body = json_of(response);
    CHECK(body.at("name") == "origin");
    CHECK(body.at("position") == 41);
    CHECK(body.at("rows").as_array().size() == 2);
    CHECK(projections.last.as_of_position == 7u);
    CHECK(projections.last.min_position == 3u);

    f.get("/v1/projections/origin?as_of=2024-12-31T00:00:00Z");
    REQUIRE(projections.last.as_of);
    CHECK(ledger::format_timestamp(*projections.last.as_of) == "2024-12-31T00:00:00.000000Z");
    CHECK(error_code_of(f.get("/v1/projections/origin?as_of=yesterday")) == "bad_request");
    CHECK(error_code_of(f.get("/v1/projections/funnel")) == "projection_not_found");
    CHECK(f.get("/v1/projections/origin?min_position=99").status == 503);
}

TEST_CASE("a projection answers CSV for format=csv or Accept text/csv", "[http][projections][csv]") {
    http_fixture f;
    fake_projections projections;
    f.api.projections = &projections;
    auto const expected = "country_of_training,year,contracts_signed\r\n"
                          "DE,2024,3\r\n"
                          "\"Poland, \"\"PL\"\"\",,1\r\n";
    auto const by_format = f.get("/v1/projections/origin?format=csv");
    CHECK(by_format.status == 200);
    CHECK(by_format.content_type == "text/csv; charset=utf-8");
    CHECK(by_format.body == expected);
    CHECK(f.get("/v1/projections/origin", "text/csv").body == expected);
    CHECK(f.get("/v1/projections/origin?format=json", "text/csv").content_type == "application/json");
    CHECK(error_code_of(f.get("/v1/projections/origin?format=xml")) == "bad_request");
}

TEST_CASE("the catalogue is served as JSON", "[http][catalog]") {
    http_fixture f;
    auto const response = f.get("/v1/catalog");
    CHECK(response.status == 200);
    CHECK(json_of(response).is_object());
}

TEST_CASE("healthz is always 200 and readyz is 503 once draining", "[http][health]") {
    http_fixture f;
    CHECK(f.get("/healthz").status == 200);
    CHECK(f.get("/readyz").status == 200);
    f.api.draining = true;
    auto const draining = f.get("/readyz");
    CHECK(draining.status == 503);
    CHECK(error_code_of(draining) == "unavailable");
    CHECK(f.get("/healthz").status == 200);
}

TEST_CASE("readyz is 503 while the read models load their snapshots, healthz stays 200",
          "[http][health][projections]") {
    http_fixture f;
    fake_projections projections;
    projections.snapshots_loaded = false;
    f.api.projections = &projections;
    auto const loading = f.get("/readyz");
    CHECK(loading.status == 503);
    CHECK(error_code_of(loading) == "unavailable");
    CHECK(json_of(loading).at("error").at("message") == "read models are loading");
    CHECK(f.get("/healthz").status == 200);
    projections.snapshots_loaded = true;
    CHECK(f.get("/readyz").status == 200);
}

TEST_CASE("metrics are Prometheus text with appends, requests, commits and lag", "[http][metrics]") {
    http_fixture f;
    fake_projections projections;
    f.api.projections = &projections;
    f.append("campaign-es-2024", append_body("\"any\"", campaign_planned()));
    f.metrics.record_request("/v1/events", 200);
    f.metrics.record_commit(3);
    auto const response = f.get("/metrics");
    CHECK(response.status == 200);
    CHECK(response.content_type.starts_with("text/plain; version=0.0.4"));
    for (auto const* line : {"ledger_appends_total 1", "ledger_append_latency_seconds_count 1",
                             "ledger_append_request_events_bucket{le=\"1\"} 1",
                             "ledger_group_commit_events_count 1", "ledger_events_stored 1",
                             "ledger_http_requests_total{route=\"/v1/events\",status=\"200\"} 1",
                             "ledger_sse_subscribers 0", "ledger_projection_lag{projection=\"origin\"} 2",
                             "ledger_projection_snapshot_failures_total 3",
                             "ledger_group_commit_seconds_total{phase=\"committing\"} "}) {
        CHECK_THAT(response.body, Catch::Contains(line));
    }
}

TEST_CASE("request counts from many threads add up per route and status", "[http][metrics]") {
    ledger::http::metrics metrics;
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&metrics] {
            for (int i = 0; i < 1000; ++i) {
                metrics.record_request("/v1/streams/{stream}/events", i % 2 == 0 ? 201 : 409);
                metrics.record_request("/v1/events", 200);
            }
        });
    }
    threads.clear();
    auto const text = metrics.render("");
    for (auto const* line : {"ledger_http_requests_total{route=\"/v1/streams/{stream}/events\",status=\"201\"} 2000\n",
                             "ledger_http_requests_total{route=\"/v1/streams/{stream}/events\",status=\"409\"} 2000\n",
                             "ledger_http_requests_total{route=\"/v1/events\",status=\"200\"} 4000\n"}) {
        CHECK_THAT(text, Catch::Contains(line));
    }
}

TEST_CASE("request counts beyond the lock-free counters are still counted", "[http][metrics]") {
    ledger::http::metrics metrics;
    for (unsigned status = 100; status < 400; ++status) metrics.record_request("/x", status);
    metrics.record_request("/x", 399);
    auto const text = metrics.render("");
    CHECK_THAT(text, Catch::Contains("ledger_http_requests_total{route=\"/x\",status=\"100\"} 1\n"));
    CHECK_THAT(text, Catch::Contains("ledger_http_requests_total{route=\"/x\",status=\"399\"} 2\n"));
}

TEST_CASE("an internal error says nothing about its cause", "[http][errors]") {
    auto const response = ledger::http::internal_error_response("req-9");
    CHECK(response.status == 500);
    CHECK_FALSE(response.keep_alive);
    CHECK(json_of(response) ==
          json::parse(R"({"error":{"code":"internal","message":"internal error; the server log has the details","details":{"request_id":"req-9"}}})"));
}
