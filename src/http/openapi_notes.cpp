// The prose of the OpenAPI document: summaries and query parameters of SPEC §6's operations.

#include "detail/openapi_parts.hpp"
#include "ledger/http/route_table.hpp"

#include <array>

namespace ledger::http::detail {
namespace {

constexpr std::array<query_note, 3> stream_query{{
    {"from_version", "integer", "first stream version to return", "0"},
    {"limit", "integer", "most events to return", "10"},
    {"direction", "string", "forward (default) or backward", "forward"},
}};
constexpr std::array<query_note, 4> log_query{{
    {"from_position", "integer", "first log position to return", "0"},
    {"limit", "integer", "most events to return", "10"},
    {"type", "string", "only events of this type", "CandidateRegistered"},
    {"category", "string", "only events of streams of this category", "candidate"},
}};
constexpr std::array<query_note, 1> subscribe_query{{
    {"from_position", "integer", "first position to send (or the Last-Event-ID header + 1)"},
}};
constexpr std::array<query_note, 5> projection_query{{
    {"as_of_position", "integer", "fold only events at or before this position", "0"},
    {"as_of", "string", "fold only events recorded at or before this RFC 3339 time"},
    {"min_position", "integer", "wait (bounded) until the read model has folded this position"},
    {"format", "string", "json (default) or csv", "json"},
    {"excel", "boolean", "with format=csv: the spreadsheet variant (BOM, ';', decimal comma)"},
}};

constexpr std::string_view append_example =
    R"({"expected_version":"no_stream","events":[{"type":"CandidateRegistered","occurred_at":"2024-03-01",)"
    R"("data":{"name":"Lucía García","country_of_training":"ES","career_stage":"specialist"}}]})";

constexpr std::array<query_note, 1> checkpoint_query{{
    {"tree_size", "integer", "sign the checkpoint of this earlier tree size (default: the head)", "1"},
}};
constexpr std::array<query_note, 1> checkpoints_query{{
    {"after", "integer", "only checkpoints of larger tree sizes", "0"},
}};
constexpr std::array<query_note, 2> inclusion_query{{
    {"position", "integer", "the event's log position", "0"},
    {"tree_size", "integer", "the tree size of the checkpoint to prove against", "1"},
}};
constexpr std::array<query_note, 2> consistency_query{{
    {"first", "integer", "the older tree size (at least 1)", "1"},
    {"second", "integer", "the newer tree size (at most the head)", "1"},
}};

constexpr std::array<operation_note, 23> notes{{
    {"POST", "/v1/streams/{stream}/events", "Append a batch of events atomically", {}, 201,
     "application/json", "AppendResult", "AppendRequest", append_example},
    {"GET", "/v1/streams/{stream}", "Read a stream", stream_query},
    {"GET", "/v1/events", "Read the global log", log_query},
    {"GET", "/v1/subscribe", "Server-Sent Events: catch-up, then live", subscribe_query, 200,
     "text/event-stream"},
    {"GET", "/v1/projections", "List the read models with position and lag"},
    {"GET", "/v1/projections/{name}", "One read model (JSON or CSV), optionally as of a past point",
     projection_query},
    {"GET", "/v1/catalog", "Event types, categories, fields and domain rules"},
    {"GET", "/v1/openapi.json", "This document"},
    {"GET", "/v1/info", "Version, build commit, store format version and ledger id", {}, 200,
     "application/json", "Info"},
    {"GET", "/v1/audit/verify", "Walk the hash chain"},
    {"GET", "/v1/audit/head", "The current chain head digest"},
    {"GET", "/v1/audit/checkpoint", "The signed checkpoint (C2SP signed note) of the Merkle tree",
     checkpoint_query, 200, "text/plain"},
    {"GET", "/v1/audit/checkpoints", "Checkpoints the server signed on its own (witnessing)", checkpoints_query},
    {"GET", "/v1/audit/proof/inclusion", "RFC 9162 inclusion proof of one event", inclusion_query},
    {"GET", "/v1/audit/proof/consistency", "RFC 9162 consistency proof between two tree sizes",
     consistency_query},
    {"GET", "/v1/audit/key", "The checkpoints' verifier key", {}, 200, "text/plain"},
    {"POST", "/v1/candidates/{id}/erase", "Crypto-shred a candidate's personal data", {}, 201,
     "application/json", "", "", R"({"basis":"GDPR art. 17"})"},
    {"GET", "/v1/candidates/{id}", "Subject access export of a candidate's personal data"},
    {"GET", "/", "The dashboard (SPEC §13)", {}, 200, "text/html"},
    {"GET", "/assets/{*}", "A dashboard file (scripts, styles, message catalogues)", {}, 200,
     "application/octet-stream"},
    {"GET", "/healthz", "Liveness"},
    {"GET", "/readyz", "Readiness: every read model at the head"},
    {"GET", "/metrics", "Prometheus metrics", {}, 200, "text/plain"},
}};

}  // namespace

std::span<operation_note const> operation_notes() { return notes; }

std::string_view path_example(std::string_view name) {
    if (name == "stream") return "candidate-c-0192";
    if (name == "id") return "c-0192";
    if (name == "name") return "funnel";
    if (name == "asset") return "app.js";
    return "example";
}

}  // namespace ledger::http::detail

std::vector<ledger::http::routed_operation> ledger::http::described_operations() {
    std::vector<routed_operation> out;
    for (auto const& note : detail::notes) out.push_back({note.method, note.path, std::nullopt});
    return out;
}
