#pragma once
// A checkpoint record stored in compressed chunks (manifest "RMK2", projection_checkpoint.hpp)
// decompressed one chunk at a time, each into a place of its own, for a load that decodes the
// record from its pieces (memory_input_archive over a list of pieces: rm-asof9's path for plain
// chunks lying in the map). No contiguous copy of the record is made: the chunks are laid
// end to end in blocks of at most `block_bytes`, a chunk that does not fit in what is left of a
// block starting the next one (issue 18, branch served-z).
//
// Why blocks, not one buffer of the record's size: a block is a mapping of its own in huge
// pages (huge_page_bytes.hpp), so the blocks an earlier as-of answer dropped are taken warm by
// the next one whatever the size of its record (the last interval's is the largest), and the
// large mappings kept warm for the scan's ring are never taken for a record and grown.
//
// Nothing is checked here beyond each frame decompressing to its listed length: the record's
// SHA-256 of the state, computed over the pieces, says whether the bytes are the ones captured
// (decode_checkpoint_pieces).
//
// Threading: a pure function of its arguments (`chunk` is called on the calling thread only).
// Errors: std::bad_alloc when no memory can be mapped.

#include "ledger/app/projection_checkpoint.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ledger::app::detail {

/// The plain chunks of a record in order and what keeps their bytes alive.
struct decompressed_pieces {
    std::shared_ptr<void const> owner;
    std::vector<std::string_view> pieces;
};

/// Blocks of this many bytes at most (fewer for a smaller record): 16 MiB, ~10 for the
/// application table's record at 10,000,000 demo events, each wasting < one chunk (≤ 128 KiB).
inline constexpr std::size_t decompressed_block_bytes = std::size_t{16} << 20;

/// The chunks `entries` lists, as stored (`chunk`: nullopt when not stored), each decompressed
/// into its own place. Blocks of `huge_from` bytes or more are huge pages, smaller ones strings
/// (checkpoint_options::huge_page_record_bytes). nullopt when a chunk is not stored or does not
/// decompress to its listed length (the caller's slower path says which).
std::optional<decompressed_pieces> decompress_pieces(
    std::span<manifest_entry const> entries,
    std::function<std::optional<std::string_view>(std::string_view)> const& chunk, std::size_t huge_from,
    std::size_t block_bytes = decompressed_block_bytes);

}  // namespace ledger::app::detail
