#pragma once
// The two forms of entity table keys (entity_table.hpp; issue 18, served-ledger bytes): the
// epoch says which one a table uses, so a ledger's existing table is read where it is and
// every table that starts afresh takes the short form. Pure functions; any thread.

#include <cstdint>
#include <vector>

namespace ledger::projections {

/// The first epoch of the short key form "e/<code>/<epoch>/…"; the epochs before it have the
/// older keys "entity/<model>/<epoch>/…".
inline constexpr std::uint32_t short_keys_epoch = 0x80000000u;

/// The epoch a table that starts afresh takes: past every one of `epochs` (ascending, as
/// entity_epochs gives them) and in the short key form.
std::uint32_t first_epoch_after(std::vector<std::uint32_t> const& epochs);

}  // namespace ledger::projections
