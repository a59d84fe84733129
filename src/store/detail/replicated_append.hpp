#pragma once
// A replication follower's writes (docs/replication.md): events that arrive sealed from the
// leader are stored at their own positions with their indexes, in one durable transaction.
//
// Threading: called on the follower's thread; LMDB serialises it with any other write
// transaction of the environment. Errors: a batch whose event does not chain, is out of place
// or does not decode comes back as invalid_event (details `position`, `reason`) with nothing
// stored; lmdb::error other than a full map (which grows the map and retries) is `unavailable`.

#include "detail/append_one.hpp"
#include "detail/tables.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <functional>
#include <span>
#include <vector>

namespace ledger::store::detail {

struct replicated_context {
    lmdb::env& env;
    tables const& db;
    append_policy const& policy;
    std::size_t max_map_size = 0;  // 0: no limit
    std::function<void(lmdb::write_txn&)> before_commit;  // the store's before-commit hook
};

struct replicated_outcome {
    std::vector<recorded_event> written;  // in log order, for the commit observers
    log_tip tip;                          // the committed tip after the batch
};

result<replicated_outcome> append_replicated(replicated_context const& context,
                                             std::span<replicated_event const> events);

}  // namespace ledger::store::detail
