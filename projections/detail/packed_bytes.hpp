#pragma once
// Zero bytes packed away (issue 18, served-ledger bytes): the form in which an entity record of
// the compact epochs (entity_keys.hpp) stores its entry. An entry is cereal portable binary,
// mostly zeros (sizes are u64, small numbers in wide fields), and an entity record is too small
// for a general compressor to find anything; this is the word packing of Cap'n Proto's
// "packed" encoding, simplified:
//
//   varint(size of the plain bytes), then for each 8-byte word of them (the last one padded
//   with zeros): a tag byte whose bit i says byte i is not zero, followed by those bytes in
//   order; a tag 0 is followed by one byte: how many more all-zero words follow (0-255).
//
// Byte for byte reversible; unpack refuses bytes that are not a packing (throws codec_error),
// so a damaged record is found (its CRC is checked over the plain bytes besides).
// Pure functions; any thread.

#include <string>
#include <string_view>

namespace ledger::projections::detail {

/// Appends the packing of `plain` to `out`.
void pack_zero_bytes(std::string_view plain, std::string& out);

/// The plain bytes of `packed` (all of it: nothing may follow). Throws codec_error.
std::string unpack_zero_bytes(std::string_view packed);

}  // namespace ledger::projections::detail
