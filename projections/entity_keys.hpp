#pragma once
// The forms of entity tables (entity_table.hpp; issue 18, served-ledger bytes):
//   compact, epochs >= compact_entities_epoch:  e/<code>/<epoch, 8 hex>/{g, i/<id>}, entries packed
//   short, epochs >= short_keys_epoch:          e/<code>/<epoch, 8 hex>/{g, i/<id>, n/<n>}
//   older, epochs <  short_keys_epoch:          entity/<model>/<epoch, 8 hex>/{g, i/<id>, n/<n>}
// <code> is one letter per model (a applications, h hires-vs-target, o origin, r outreach,
// v vacancies; another model keeps its name, never one letter): 13 bytes of prefix instead of
// 26-31. The epoch says the form, so a ledger's existing table is read, flushed, rebuilt in
// place (the next epoch: the same form) and erased where it is; a table that starts afresh (a
// new ledger, a record found unusable at start) takes first_epoch_after(every epoch found),
// in the newest form, and the older epochs are erased by later flushes as stale ones.
//
// The compact form (branch bytes-served3) has no n/ records — each i/ record carries its
// entity's number already, so save() finds the number order by one scan of them — and its
// records hold the entry's bytes with their zero bytes packed away (detail/packed_bytes.hpp).
// A table keeps the form of its epoch for its whole life: an existing ledger's tables are
// read and flushed in their older form, and move to the compact form when they are rebuilt
// (entities::next_epoch) or start afresh.
// Pure functions; any thread.

#include <cstdint>
#include <vector>

namespace ledger::projections {

/// The first epoch of the short key form "e/<code>/<epoch>/…"; the epochs before it have the
/// older keys "entity/<model>/<epoch>/…".
inline constexpr std::uint32_t short_keys_epoch = 0x80000000u;

/// The first epoch of the compact form (short keys, no n/ records, packed entries).
inline constexpr std::uint32_t compact_entities_epoch = 0xC0000000u;

/// Whether a table of `epoch` is of the compact form.
constexpr bool compact_entities(std::uint32_t epoch) noexcept { return epoch >= compact_entities_epoch; }

/// The epoch a table that starts afresh takes: past every one of `epochs` (ascending, as
/// entity_epochs gives them) and in the compact form.
std::uint32_t first_epoch_after(std::vector<std::uint32_t> const& epochs);

}  // namespace ledger::projections
