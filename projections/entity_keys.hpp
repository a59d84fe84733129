#pragma once
// The forms of entity tables (entity_table.hpp; issue 18, served-ledger bytes):
//   ordered, epochs >= ordered_entities_epoch:  E<code><epoch, 4 bytes big-endian>{, <id key>}
//                                               (the first: g), entries packed, numbers varint
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
// The ordered form (branch bytes-served4) is the compact one with keys of a few bytes and in
// the order entities are made: "E", the model's code, the epoch as 4 binary bytes (its first
// byte >= 0xD0, never a letter of a model's name), then nothing (the g record) or the id in
// its key form (detail/id_key.hpp: runs of digits as numbers, so counted-up ids come last and
// their pages fill); the record's number is a varint. Entries are put in key order.
//
// A table keeps the form of its epoch for its whole life: an existing ledger's tables are
// read and flushed in their older form, and move to the ordered form when they are rebuilt
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

/// The first epoch of the ordered form (binary keys in the order entities are made, packed
/// entries, no n/ records).
inline constexpr std::uint32_t ordered_entities_epoch = 0xD0000000u;

/// Whether a table of `epoch` is of the compact form or the ordered one (no n/ records,
/// packed entries).
constexpr bool compact_entities(std::uint32_t epoch) noexcept { return epoch >= compact_entities_epoch; }

/// Whether a table of `epoch` is of the ordered form.
constexpr bool ordered_entities(std::uint32_t epoch) noexcept { return epoch >= ordered_entities_epoch; }

/// The epoch a table that starts afresh takes: past every one of `epochs` (ascending, as
/// entity_epochs gives them) and in the ordered form.
std::uint32_t first_epoch_after(std::vector<std::uint32_t> const& epochs);

}  // namespace ledger::projections
