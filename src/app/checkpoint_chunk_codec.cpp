#include "ledger/app/checkpoint_chunk_codec.hpp"

#include "ledger/detail/zstd_context.hpp"

#include <zstd.h>

#include <new>

namespace ledger::app::detail {
namespace {

/// This thread's compression context: content size recorded (decompress_chunk checks it before
/// writing), no checksum (the state's SHA-256 is checked after), no dictionary id.
ZSTD_CCtx* compressor() {
    thread_local ledger::detail::zstd_compressor const context = ledger::detail::make_frame_compressor();
    return context.get();
}

ZSTD_DCtx* decompressor() {
    thread_local ledger::detail::zstd_decompressor const context = ledger::detail::make_decompressor();
    return context.get();
}

}  // namespace

std::string compress_chunk(std::string_view plain, int level) {
    auto* const context = compressor();
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level);
    std::string frame(ZSTD_compressBound(plain.size()), '\0');
    auto const size = ZSTD_compress2(context, frame.data(), frame.size(), plain.data(), plain.size());
    // Only an allocation inside zstd can fail here (the bound fits any input).
    if (ZSTD_isError(size) != 0) throw std::bad_alloc();
    frame.resize(size);
    return frame;
}

bool decompress_chunk(std::string_view stored, char* out, std::size_t size) {
    // The frame's own header must say this size: a frame of another chunk, a damaged header or
    // plain bytes (no frame magic) are refused before anything is written.
    if (ZSTD_getFrameContentSize(stored.data(), stored.size()) != size) return false;
    if (ZSTD_findFrameCompressedSize(stored.data(), stored.size()) != stored.size()) return false;
    auto const written = ZSTD_decompressDCtx(decompressor(), out, size, stored.data(), stored.size());
    return ZSTD_isError(written) == 0 && written == size;
}

}  // namespace ledger::app::detail
