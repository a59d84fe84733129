#pragma once
// The read use cases shared by HTTP and the CLI: a stream, the global log, the chain head and
// a full verification, each as the JSON body the API answers with.
//
// Threading: as the store's reads, callable from any thread. Each call uses its own short
// read transactions and holds nothing afterwards.

#include "ledger/error.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::app {

/// Reads return at most this many events per call; clients page with next_version/position.
inline constexpr std::size_t max_read_limit = 1000;
inline constexpr std::size_t default_read_limit = 100;

/// invalid_stream_name unless `stream` has the SPEC §4 shape and a catalogue category.
std::optional<error> check_stream_name(std::string_view stream);

struct stream_read {
    std::string stream;
    std::optional<std::uint64_t> from_version;  // default: first (forward) or last (backward)
    std::size_t limit = default_read_limit;
    store::read_direction direction = store::read_direction::forward;
};

/// {"stream", "direction", "events": [...], "next_version": N|null}; next_version is where the
/// following page starts (null at the end in that direction).
/// Errors: invalid_stream_name, stream_not_found.
/// Answers with the JSON text (written without a DOM: every stream read comes here).
result<std::string> read_stream_json(store::event_store const& store, stream_read const& read);

/// {"events": [...], "next_position": N|null}; next_position is null when the page was not
/// full (the end of the log as of this read).
/// Answers with the JSON text, as read_stream_json does.
std::string read_log_json(store::event_store const& store, store::log_query const& query);

/// GET /v1/audit/verify: {"ok", "events", "head_position", "head_hash"}, plus
/// "first_bad_position" and "problem" when the chain is broken. Walks the whole log; with
/// `check_indexes` also proves the indexes agree with it (event_store::verify).
boost::json::object verify_json(store::event_store const& store, bool check_indexes = false);

/// GET /v1/audit/head: {"events", "head_position", "head_hash"}.
boost::json::object head_json(store::event_store const& store);

}  // namespace ledger::app
