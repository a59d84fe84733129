#pragma once
// Reads a read model's record out of the store's `projections` table in one go.
//
// A record of tens of MiB (the application table's at 10,000,000 events: 33 MiB) lies in
// contiguous overflow pages of the map. Copied with a cold page cache, every page fault waits
// for one read-around window of the disk, one after the other; asking the kernel for the whole
// range first (madvise MADV_WILLNEED) has it read all of it at once while the copy proceeds.
//
// Errors: as event_store::read_projections (lmdb errors as exceptions); a failed madvise is
// ignored (the copy then faults the pages in as before). Threading: any thread.

#include "ledger/store/event_store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ledger::app::detail {

/// The record under `key` in the `projections` table (copied out of the map), or nullopt.
std::optional<std::string> read_record_ahead(store::event_store const& store, std::string_view key);

}  // namespace ledger::app::detail
