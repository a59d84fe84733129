#pragma once
// The stored layout's version (SPEC §3 meta "format_version") as the rest of the system may
// report it: an open event_store always has exactly this version (others refuse to open).

#include <cstdint>

namespace ledger::store {

/// The format version this build reads and writes. Thread-safe, never throws.
std::uint32_t stored_format_version() noexcept;

}  // namespace ledger::store
