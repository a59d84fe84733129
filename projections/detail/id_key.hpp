#pragma once
// An entity's id as the key of its record in the ordered entity form (entity_keys.hpp; issue
// 18, served-ledger bytes). Ids are mostly counters written out in decimal ("c-000003",
// "c-1180322", "dalarna-2019-002515"), so their text order is not the order they were made
// in ("c-1000000" sorts between "c-100000" and "c-100001"): new entities' records landed in
// the middle of full pages, and every such page split in half (the tables' pages were 53-66 %
// full). Here each run of decimal digits is written as its digit count and its value in as
// few big-endian bytes as that count needs, so ids counted up sort in the order they were
// made and a new record goes last on its page, where LMDB's split keeps the page full:
//
//   a run of n digits (1 <= n <= 19; a longer run is cut into runs of 19):  byte n, then the
//       value in digit_run_bytes(n) bytes, big-endian ("000003" -> 06 00 00 03);
//   a byte below 0x20 (never in ids seen, but allowed):  0x00, then the byte;
//   any other byte:  itself.
//
// Byte for byte reversible; decode refuses what encode never writes (throws codec_error), so
// a damaged key is found. Pure functions; any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace ledger::projections::detail {

/// Bytes the value of a run of `digits` decimal digits (1-19) takes.
std::size_t digit_run_bytes(std::size_t digits) noexcept;

/// Appends the key form of `id` to `out`.
void encode_id_key(std::string_view id, std::string& out);

/// The id whose key form is `key` (all of it). Throws codec_error.
std::string decode_id_key(std::string_view key);

}  // namespace ledger::projections::detail
