#pragma once
// Growing the LMDB map after MDB_MAP_FULL: the group writer, a follower's batches and a
// writer's open (format 8's pending heads) retry their transaction in a doubled map.

#include "ledger/store/lmdb.hpp"

#include <cstddef>

namespace ledger::store::detail {

/// Doubles `env`'s map, up to `max_map_size` (0: no limit but the disk's); false, with a
/// warning, when it is already at that limit. No transaction of the calling thread may be open
/// (other threads' transactions are waited for: lmdb.hpp).
bool grow_map(lmdb::env& env, std::size_t max_map_size);

}  // namespace ledger::store::detail
