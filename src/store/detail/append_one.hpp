#pragma once
// Appending one request inside the writer's group transaction.

#include "detail/pending_heads.hpp"
#include "detail/put_event.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/append.hpp"
#include "ledger/store/append_policy.hpp"
#include "ledger/store/lmdb.hpp"
#include "ledger/store/personal_data_seal.hpp"

#include <vector>

namespace ledger::store::detail {

/// The writer's view of the end of the log. Requests advance a working copy; it replaces the
/// committed one only when the group's transaction commits.
struct log_tip {
    std::uint64_t next_position = 0;
    sha256_digest last_hash{};
    timestamp last_recorded_at{};
    std::uint64_t next_stream_number = 0;
    index_tails tails;  // the ends of the event-id and stream indexes
};

/// Everything one request needs inside the writer's transaction.
struct append_context {
    lmdb::write_txn& txn;
    tables const& db;
    append_policy const& policy;
    log_tip& tip;
    group_events& written;  // events this group wrote so far, in log order, and their bytes
    personal_data_seal const* seal = nullptr;  // none: data is stored as given
    std::string* scratch = nullptr;            // a reused encode buffer (stream heads)
    /// The request's templates made before the writer (format 5), or null / empty: none. The
    /// log codec uses one only when it matches the event sealed (encode_prepared).
    prepared_templates const* prepared = nullptr;
    std::size_t spliced = 0;  // events of this group whose value was spliced from a template
    /// Format 8: the heads the writer keeps instead of putting them (pending_heads.hpp), read
    /// before the records; null: every head is put at once and read from its record.
    pending_heads* heads = nullptr;
};

/// Checks `request` (stream name, idempotency, expected version, policy) and, when it passes,
/// writes its events, indexes and stream head. Refusals write nothing. Throws lmdb::error
/// (including map_full) on storage failures, which fail the whole group.
append_result append_one(append_context& context, append_request const& request);

/// Writes the chain head and stream counter to the meta table; once per group, before commit.
void write_tip(lmdb::write_txn& txn, tables const& db, log_tip const& tip);

}  // namespace ledger::store::detail
