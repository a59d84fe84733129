// Read models, the catalogue, the audit endpoints and the operational ones.

#include "detail/projection_page.hpp"
#include "detail/responses.hpp"
#include "detail/routes.hpp"
#include "detail/table_format.hpp"

#include "events/catalog.hpp"
#include "ledger/app/projection_service.hpp"
#include "ledger/replication/replication.hpp"
#include "ledger/app/read_model_readiness.hpp"
#include "ledger/app/reads.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <optional>
#include <vector>

namespace ledger::http::detail {
namespace {

namespace json = boost::json;

/// A longest min_position wait, so that one request cannot pin a server thread for long.
constexpr auto max_projection_wait = std::chrono::seconds(5);

/// The query parameters of GET /v1/projections/{name} besides the selection's (limit, cursor
/// and the model's filters). `excel` asks for the spreadsheet CSV variant.
constexpr std::array<std::string_view, 5> projection_parameters{"as_of_position", "as_of",
                                                                "min_position", "format", "excel"};

json::value optional_number(std::optional<std::uint64_t> number) {
    return number ? json::value(*number) : json::value();
}

result<app::projection_query> projection_query(route_input const& in) {
    app::projection_query query;
    query.name = in.path_param;
    query.wait = max_projection_wait;
    auto as_of_position = integer_param(in.query, "as_of_position");
    if (!as_of_position) return as_of_position.error();
    auto min_position = integer_param(in.query, "min_position");
    if (!min_position) return min_position.error();
    query.as_of_position = *as_of_position;
    query.min_position = *min_position;
    if (auto const as_of = text_param(in.query, "as_of")) {
        query.as_of = parse_timestamp(*as_of);
        if (!query.as_of) {
            return error{error_code::bad_request, "as_of must be an RFC 3339 time", {}};
        }
    }
    std::vector<app::query_parameter> parameters;
    for (auto const& parameter : in.query) parameters.push_back({parameter.key, parameter.value});
    auto selection = app::parse_selection(query.name, parameters, projection_parameters);
    if (!selection) return selection.error();
    query.selection = std::move(*selection);
    return query;
}

error projection_not_found(std::string const& name) {
    json::object details;
    details["name"] = name;
    return error{error_code::projection_not_found, "no such projection", std::move(details)};
}

}  // namespace

response list_projections(route_input const&, api& api) {
    json::array list;
    if (api.projections != nullptr) {
        for (auto const& summary : api.projections->list()) {
            list.push_back(json::object{{"name", summary.name},
                                        {"description", summary.description},
                                        {"position", optional_number(summary.position)},
                                        {"lag", summary.lag}});
        }
    }
    return json_response(200, json::object{{"projections", std::move(list)}});
}

namespace {

/// The read model in `format` (one page of it when the query selects; `target` is the
/// request's, for the next page's Link); blocks up to query.wait for a min_position or a
/// loading model.
response render_projection(app::projection_query const& query, table_format format,
                           std::string const& target, api& api) {
    if (!query.selection.empty()) return projection_page_response(target, query, format, api);
    if (format == table_format::json) {
        // Every string in a read model came from a parsed (so UTF-8) request body: the text
        // is sent as it is.
        auto text = api.projections->query_json(query);
        if (!text) return error_response(text.error());
        return text_response(200, "application/json", std::move(*text));
    }
    auto const table = api.projections->query(query);
    if (!table) return error_response(table.error());
    return csv_table_response(*table, format);
}

/// Nothing slow on an I/O thread (SPEC §6 serving rules): as-of replays go to a worker, and a
/// min_position (or a model still loading) becomes a wait the session awaits without a thread.
response schedule_projection(app::projection_query query, table_format format, std::string target,
                             api& api) {
    if (query.as_of_position || query.as_of) {
        return offloaded([query = std::move(query), format, target = std::move(target), &api] {
            return render_projection(query, format, target, api);
        });
    }
    if (!query.min_position && api.projections->loaded()) {
        return render_projection(query, format, target, api);
    }
    auto wait = std::make_shared<position_wait>();
    wait->timeout = std::chrono::duration_cast<std::chrono::milliseconds>(query.wait);
    wait->blocking = [query, format, target, &api] {
        return render_projection(query, format, target, api);
    };
    wait->attempt = [query, format, target, &api](bool final) -> std::optional<response> {
        auto now = query;
        now.wait = std::chrono::milliseconds(0);
        auto out = render_projection(now, format, target, api);
        if (!final && out.status == http_status(error_code::unavailable)) return std::nullopt;
        return out;
    };
    response out;
    out.wait = std::move(wait);
    return out;
}

}  // namespace

response get_projection(route_input const& in, api& api) {
    auto const query = projection_query(in);
    if (!query) return error_response(query.error());
    auto const format = table_format_of(in);
    if (!format) return error_response(format.error());
    if (api.projections == nullptr) return error_response(projection_not_found(in.path_param));
    return schedule_projection(*query, *format, std::string(in.http.target), api);
}

response get_catalog(route_input const&, api&) { return json_response(200, events::catalog_json()); }

response audit_verify(route_input const& in, api& api) {
    // ?indexes=true also proves the event-id and stream indexes agree with the log.
    auto const indexes = text_param(in.query, "indexes");
    if (indexes && *indexes != "true" && *indexes != "false") {
        return error_response(error_code::bad_request, "indexes is true or false");
    }
    // Walks the whole log: on a worker thread.
    return offloaded([check_indexes = indexes == "true", &api] {
        return json_response(200, app::verify_json(api.store, check_indexes));
    });
}

response audit_head(route_input const&, api& api) {
    return json_response(200, app::head_json(api.store));
}

namespace {

/// 503 naming the fatal storage failure, if the store had one (fail-stop: SPEC §6).
std::optional<response> storage_failed(api& api) {
    auto const cause = api.store.failure();
    if (!cause) return std::nullopt;
    json::object details;
    details["cause"] = *cause;
    return error_response(error{error_code::unavailable, "the ledger's storage failed; the server is stopping", details});
}

}  // namespace

response healthz(route_input const&, api& api) {
    if (auto failed = storage_failed(api)) return std::move(*failed);
    return json_response(200, json::object{{"status", "ok"}});
}

response readyz(route_input const&, api& api) {
    if (auto failed = storage_failed(api)) return std::move(*failed);
    if (api.draining.load()) return error_response(error_code::unavailable, "shutting down");
    if (api.projections != nullptr) {
        if (auto const behind = app::read_models_not_ready(*api.projections)) {
            return error_response(*behind);
        }
    }
    if (api.replication != nullptr) {
        if (auto stopped = api.replication->not_ready()) {
            stopped->details["replication"] = api.replication->status();
            return error_response(*stopped);
        }
    }
    auto const head = api.store.head();  // proves the environment answers reads
    json::object ready{{"status", "ready"}, {"events", head.events}};
    if (api.replication != nullptr) ready["replication"] = api.replication->status();
    return json_response(200, std::move(ready));
}

response get_metrics(route_input const&, api& api) {
    std::string extra = "# HELP ledger_events_stored Events in the global log.\n"
                        "# TYPE ledger_events_stored gauge\n"
                        "ledger_events_stored " + std::to_string(api.store.head().events) + "\n";
    auto const writer = api.store.writer_statistics();
    extra += "# HELP ledger_group_commits_total Durable commits that wrote events.\n"
             "# TYPE ledger_group_commits_total counter\n"
             "ledger_group_commits_total " + std::to_string(writer.commits) + "\n"
             "# HELP ledger_group_commit_requests_total Append requests answered by those commits.\n"
             "# TYPE ledger_group_commit_requests_total counter\n"
             "ledger_group_commit_requests_total " + std::to_string(writer.requests_committed) + "\n"
             "# HELP ledger_group_commit_largest Most append requests one commit answered.\n"
             "# TYPE ledger_group_commit_largest gauge\n"
             "ledger_group_commit_largest " + std::to_string(writer.largest_group) + "\n"
             "# HELP ledger_group_commit_seconds_total The writer's time over those commits, by phase: "
             "gathering a group, writing it, mdb_txn_commit (write and fsync), answering its callers.\n"
             "# TYPE ledger_group_commit_seconds_total counter\n" +
             fmt::format("ledger_group_commit_seconds_total{{phase=\"gathering\"}} {:.6f}\n"
                         "ledger_group_commit_seconds_total{{phase=\"writing\"}} {:.6f}\n"
                         "ledger_group_commit_seconds_total{{phase=\"committing\"}} {:.6f}\n"
                         "ledger_group_commit_seconds_total{{phase=\"answering\"}} {:.6f}\n",
                         static_cast<double>(writer.gathering_ns) / 1e9, static_cast<double>(writer.writing_ns) / 1e9,
                         static_cast<double>(writer.committing_ns) / 1e9, static_cast<double>(writer.answering_ns) / 1e9) +
             "# HELP ledger_append_queue_full_total Appends refused 503 because the writer's queue was full.\n"
             "# TYPE ledger_append_queue_full_total counter\n"
             "ledger_append_queue_full_total " + std::to_string(writer.queue_full) + "\n"
             "# HELP ledger_snapshot_failures_total Read-model snapshots that failed (appends went on).\n"
             "# TYPE ledger_snapshot_failures_total counter\n"
             "ledger_snapshot_failures_total " + std::to_string(writer.snapshot_failures) + "\n"
             "# HELP ledger_storage_failed 1 after a fatal storage failure (the server is stopping).\n"
             "# TYPE ledger_storage_failed gauge\n"
             "ledger_storage_failed " + std::string(api.store.failure() ? "1" : "0") + "\n";
    if (api.projections != nullptr) {
        extra += "# HELP ledger_projection_lag Committed events not yet folded into a read model.\n"
                 "# TYPE ledger_projection_lag gauge\n";
        for (auto const& summary : api.projections->list()) {
            extra += "ledger_projection_lag{projection=\"" + summary.name + "\"} " +
                     std::to_string(summary.lag) + "\n";
        }
        extra += "# HELP ledger_projection_snapshot_failures_total Read-model snapshots that could not be made (appends went on).\n"
                 "# TYPE ledger_projection_snapshot_failures_total counter\n"
                 "ledger_projection_snapshot_failures_total " + std::to_string(api.projections->snapshot_failures()) + "\n";
    }
    if (api.replication != nullptr) extra += api.replication->metrics();
    if (api.extra_metrics) extra += api.extra_metrics();
    return text_response(200, "text/plain; version=0.0.4; charset=utf-8",
                         api.metrics.render(extra));
}

}  // namespace ledger::http::detail
