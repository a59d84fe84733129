#pragma once
// The compressed form of a read-model record's state (issue 18, served-ledger bytes): the
// states of snapshots and as-of checkpoints are columns of plain values and pooled texts that
// zstd shrinks 6-8x. projection_snapshot.cpp's encode_state_record/decode_state_record_view
// are the only callers: a record holds its state either as it is (the older form, still read)
// or as one zstd frame of it.
//
// Threading: any thread; each thread keeps its own zstd contexts. Errors: compress_state
// throws std::bad_alloc when zstd cannot allocate; decompress_state throws codec_error for a
// frame that does not decode to exactly `size` bytes.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::app::detail {

/// States smaller than this are stored as they are (a frame would not save a page).
inline constexpr std::size_t compress_states_from = 1024;

/// One zstd frame of `state` (level 1: ~400 MB/s here, the writer thread pays it at each
/// snapshot and checkpoint), or nullopt when `state` is small or the frame saves nothing.
std::optional<std::string> compress_state(std::string_view state);

/// The `size` bytes `frame` decompresses to, in a buffer of their own.
std::shared_ptr<char const[]> decompress_state(std::string_view frame, std::size_t size);

}  // namespace ledger::app::detail
