#pragma once
// The stored form of one compressed checkpoint chunk (issue 18, branch bytes-served2): a
// checkpoint record's chunk (projection_checkpoint.hpp, manifest "RMK2") is stored under
// `checkpoint-zchunk/<SHA-256 of its plain bytes>` as one zstd frame that records its content
// size, with no checksum and no dictionary (the record's SHA-256 of the state covers every
// byte after decompression). A served 10,000,000-event demo ledger's chunks compress to
// ~0.16–0.21 of their pages at level 1 (docs/performance.md, bytes-served2).
//
// Pure functions over bytes; each thread keeps one zstd context of each kind (thread_local).
// Throws std::bad_alloc only.

#include <cstddef>
#include <string>
#include <string_view>

namespace ledger::app::detail {

/// `plain` as one zstd frame at `level` (1..19), its content size recorded.
std::string compress_chunk(std::string_view plain, int level);

/// Decompresses `stored` into exactly `size` bytes at `out`. false — and `out` partly written —
/// when `stored` is not one zstd frame whose recorded content size is `size` and that
/// decompresses to that many bytes (a damaged frame, or plain bytes under a compressed key).
bool decompress_chunk(std::string_view stored, char* out, std::size_t size);

}  // namespace ledger::app::detail
