#pragma once
// zstd contexts that the log's values (src/store/log_values.cpp) and the as-of checkpoints'
// chunks (src/app/checkpoint_chunk_codec.cpp) each keep one of per thread: a context reused
// frame after frame costs less than making one per frame. Both kinds of frames record their
// content size (the decoder sizes or checks its output from it) and carry no checksum and no
// dictionary id (the bytes are covered by the event's hash or the checkpoint state's SHA-256).
// Throws std::bad_alloc when zstd cannot allocate a context.

#include <zstd.h>

#include <memory>
#include <new>

namespace ledger::detail {

struct zstd_compressor_deleter {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct zstd_decompressor_deleter {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};
using zstd_compressor = std::unique_ptr<ZSTD_CCtx, zstd_compressor_deleter>;
using zstd_decompressor = std::unique_ptr<ZSTD_DCtx, zstd_decompressor_deleter>;

/// A compression context set up for frames as above (content size recorded, no checksum, no
/// dictionary id); the level is the caller's to set.
inline zstd_compressor make_frame_compressor() {
    zstd_compressor c(ZSTD_createCCtx());
    if (!c) throw std::bad_alloc();
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_dictIDFlag, 0);
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_contentSizeFlag, 1);
    return c;
}

inline zstd_decompressor make_decompressor() {
    zstd_decompressor d(ZSTD_createDCtx());
    if (!d) throw std::bad_alloc();
    return d;
}

}  // namespace ledger::detail
