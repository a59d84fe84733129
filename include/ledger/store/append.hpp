#pragma once
// What an append asks for and what it gets back (SPEC §6, "Append body").

#include "ledger/error.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ledger::store {

/// The optimistic-concurrency condition of an append.
struct expected_version {
    enum class kind { any, no_stream, exists, exact };

    kind condition = kind::any;
    std::uint64_t version = 0;  // the stream's last version, for kind::exact

    static expected_version any() { return {kind::any, 0}; }
    static expected_version no_stream() { return {kind::no_stream, 0}; }
    static expected_version exists() { return {kind::exists, 0}; }
    static expected_version exact(std::uint64_t last_version) { return {kind::exact, last_version}; }

    /// Whether a stream whose last version is `last_version` (nullopt: no such stream) meets it.
    bool met_by(std::optional<std::uint64_t> last_version) const noexcept;

    /// Its JSON form in the API: a number or "any" / "no_stream" / "exists".
    boost::json::value to_json() const;
};

/// One event of a batch, as the client stated it, with `data` already in binary form.
struct event_to_append {
    std::optional<uuid> id;  // client-supplied for idempotency; generated (UUIDv7) when absent
    std::string type;
    std::uint16_t schema_version = 1;
    timestamp occurred_at{};
    std::string data;      // the catalogue's binary encoding
    std::string metadata;  // a JSON object as text, or empty
    std::optional<std::string> correlation_id;
    std::optional<std::string> causation_id;
    /// The append policy's own decoded form of `data`, made where the request was parsed (an
    /// I/O thread), so that the policy need not decode `data` again on the writer thread;
    /// null: it decodes `data`. Opaque to the store (app::domain_policy reads it).
    std::shared_ptr<void const> decoded;
};

/// Links requests that must not commit after one of them was refused (an import): once a request
/// of a chain is refused or fails, the writer refuses every later request of the chain without
/// writing it. Touched only on the writer thread.
struct append_chain {
    bool broken = false;
};

struct append_request {
    std::string stream;
    expected_version expected;
    std::string actor;
    std::vector<event_to_append> events;  // appended atomically, in order
    /// Server time to record instead of now: only for imports that re-create a ledger, so that
    /// export → import → export is byte-identical. Never earlier than the log's last
    /// recorded_at (it is raised to that), so recorded times still never decrease.
    std::optional<timestamp> recorded_at;
    /// Set: this request belongs to that chain (see append_chain).
    std::shared_ptr<append_chain> chain;
};

/// Where a batch landed. `already_recorded` is true for an idempotent retry: nothing was
/// written and the positions are those of the original append (HTTP 200 instead of 201).
struct append_success {
    std::string stream;
    std::uint64_t first_version = 0;
    std::uint64_t last_version = 0;
    std::uint64_t first_position = 0;
    std::uint64_t last_position = 0;
    bool already_recorded = false;
};

using append_result = result<append_success>;

}  // namespace ledger::store
