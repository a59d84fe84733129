#pragma once
// The HTTP API of SPEC §6 as one pure function: request in, response out. No sockets, so it is
// tested directly (tests/test_http_*.cpp); session.cpp only reads requests and writes responses.

#include "ledger/app/authenticator.hpp"
#include "ledger/error.hpp"
#include "ledger/http/message.hpp"
#include "ledger/http/metrics.hpp"

#include <atomic>
#include <functional>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ledger::store {
class event_store;
}  // namespace ledger::store
namespace ledger::app {
class projection_service;
}
namespace ledger::store::merkle {
struct signing_key;
}
namespace ledger::replication {
class node;
}

namespace ledger::http {

class audit_witness;

/// Everything a request may use. Owned by the server; outlives every request.
struct api {
    store::event_store& store;
    /// The read models; null until a projection service is configured, in which case
    /// /v1/projections lists nothing and /v1/projections/{name} is projection_not_found.
    app::projection_service const* projections = nullptr;
    http::metrics& metrics;
    /// Largest accepted request body; larger ones are payload_too_large.
    std::size_t body_limit = std::size_t{4} << 20;
    /// Who may call which route. Default: no tokens, every request is `local` with admin
    /// rights (the server then listens on loopback only). An authenticated principal's name is
    /// the actor of the events it appends (SPEC §4).
    app::authenticator authenticator{};
    /// Set once a shutdown starts: /readyz answers 503 and responses close the connection.
    std::atomic<bool> draining{false};
    /// Reads are cut by bytes as well as by `limit` (SPEC §6 serving rules): a page of
    /// /v1/events or of a stream, and an SSE batch, stop after the event that passes this many
    /// bytes of JSON; at least one event is always sent.
    std::size_t page_bytes = std::size_t{1} << 20;
    /// A filtered log read (type=, category=) looks at most this many events, then answers
    /// what it found with the next_position to continue from.
    std::uint64_t scan_events = 100'000;
    /// Signs the checkpoints of /v1/audit (SPEC §11, docs/audit.md); null: those routes answer
    /// 503 unavailable. The checkpoints' origin is the key's name.
    store::merkle::signing_key const* audit_key = nullptr;
    /// The checkpoints the server wrote on its own (witnessing); null: none are kept.
    audit_witness const* witness = nullptr;
    /// The replication role (SPEC §12), or null: a follower's (or a fenced leader's) appends
    /// are refused 503 read_only naming the leader; /readyz and /metrics show its state.
    replication::node const* replication = nullptr;
    /// More lines for GET /metrics (Prometheus text), e.g. an online KEK rotation's progress;
    /// none when empty. Called from any thread.
    std::function<std::string()> extra_metrics;
    /// Called once by run_server after a shutdown drained the sessions, before the writer
    /// stops (e.g. the read models save their records at the head, so a clean restart folds
    /// nothing); none when empty.
    std::function<void()> before_stop;
};

/// Answers `request` without waiting for the store's writer: a valid append comes back as
/// `response::append`, for the caller to submit (event_store::append_async, so that concurrent
/// requests share a group commit) and to answer with finish_append. Slow reads come back as
/// `response::offload` (work for a worker thread) and min_position waits as `response::wait`,
/// so that route() itself never blocks.
/// A route that needs a role (SPEC §6) is answered 401 unauthenticated (with
/// `WWW-Authenticate: Bearer`) when the request has no known token and 403 forbidden when the
/// token's role does not suffice; unknown paths and methods are answered 404/405 first.
/// Never throws for bad input: every expected failure is an error response with the SPEC §6
/// body. Exceptions from the store (infrastructure failures) propagate to the caller, which
/// logs them and answers internal_error_response.
/// Threading: callable from any number of threads at once.
response route(request const& request, api& api);

/// The response to an append `result` for a request of `events` events that took `seconds`
/// from submission; records the append metrics.
response finish_append(store::append_result const& result, std::size_t events, double seconds,
                       api& api);

/// route(), with a pending append submitted and awaited here (blocking until durable), offloaded
/// work run here and waits waited here: the whole API as one request → response function, for
/// tests and simple callers.
response handle(request const& request, api& api);

/// The SPEC §6 error response for `failure`, for refusals made before `handle` (the session's
/// size limits).
response error_reply(error const& failure);

/// 500 with an error body that says nothing about the exception (that goes to the log).
response internal_error_response(std::string const& request_id);

}  // namespace ledger::http
