#pragma once
// Reads a read model's record out of the store's `projections` table in one go.
//
// A record of tens of MiB (the application table's at 10,000,000 events: 33 MiB) lies in
// contiguous overflow pages of the map. Copied with a cold page cache, every page fault waits
// for one read-around window of the disk, one after the other; asking the kernel for the whole
// range first (madvise MADV_WILLNEED) has it read all of it at once while the copy proceeds.
//
// view_record_ahead does not copy: the record is decoded where it lies, inside a read
// transaction the view holds, its pages mapped into the process in one call first
// (MADV_POPULATE_READ: at 10,000,000 events the 33 MiB copy and its fresh memory were ~15 % of
// the start's CPU, and faulting the map's pages one by one ~10× dearer per page than populating
// them; docs/performance.md, rm-asof8).
//
// Errors: as event_store::read_projections (lmdb errors as exceptions); a failed madvise is
// ignored (the copy or the decode then faults the pages in as before). Threading: any thread.

#include "ledger/store/event_store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::app::detail {

/// The record under `key` in the `projections` table (copied out of the map), or nullopt.
std::optional<std::string> read_record_ahead(store::event_store const& store, std::string_view key);

/// A record viewed in the map: `bytes` stay valid while `reader` (its read transaction) lives.
/// Hold it no longer than the decode takes: a map growth of the writer waits for it.
struct record_in_place {
    std::unique_ptr<store::projection_reader> reader;
    std::string_view bytes;
};

/// The record under `key` viewed in place, its pages populated, or nullopt. What is decoded
/// from it must not keep views into `bytes` once the view is gone.
std::optional<record_in_place> view_record_ahead(store::event_store const& store, std::string_view key);

}  // namespace ledger::app::detail
