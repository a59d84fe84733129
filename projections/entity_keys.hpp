#pragma once
// The two forms of entity table keys (entity_table.hpp; issue 18, served-ledger bytes):
//   short, epochs >= short_keys_epoch:  e/<code>/<epoch, 8 hex>/{g, i/<id>, n/<n>}
//   older, epochs <  short_keys_epoch:  entity/<model>/<epoch, 8 hex>/{g, i/<id>, n/<n>}
// <code> is one letter per model (a applications, h hires-vs-target, o origin, r outreach,
// v vacancies; another model keeps its name, never one letter): 13 bytes of prefix instead of
// 26-31. The epoch says the form, so a ledger's existing table is read, flushed, rebuilt in
// place (the next epoch: the same form) and erased where it is; a table that starts afresh (a
// new ledger, a record found unusable at start) takes first_epoch_after(every epoch found),
// in the short form, and the older epochs are erased by later flushes as stale ones.
// Pure functions; any thread.

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
