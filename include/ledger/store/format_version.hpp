#pragma once
// The stored layout's version (SPEC §3 meta "format_version") as the rest of the system may
// report it: the newest version this build writes (new ledgers get it). It also opens, reads,
// verifies and appends to ledgers of older versions (1 to 7) in their own layout, and refuses
// newer ones.

#include <cstdint>

namespace ledger::store {

/// The newest format version this build reads and writes. Thread-safe, never throws.
std::uint32_t stored_format_version() noexcept;

}  // namespace ledger::store
