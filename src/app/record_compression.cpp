// The compressed form of a read-model record's state (record_compression.hpp).

#include "ledger/app/record_compression.hpp"

#include "ledger/envelope_codec.hpp"

#include <zstd.h>

#include <new>

namespace ledger::app::detail {
namespace {

// Level 1 compresses the 10M demo ledger's application table 6.3x (level 3: 6.0x) at about
// four times the speed; decompression speed does not depend on the level.
constexpr int compression_level = 1;

struct cctx_deleter {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct dctx_deleter {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* compressor() {
    thread_local std::unique_ptr<ZSTD_CCtx, cctx_deleter> const context = [] {
        std::unique_ptr<ZSTD_CCtx, cctx_deleter> c(ZSTD_createCCtx());
        if (!c) throw std::bad_alloc();
        ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, compression_level);
        ZSTD_CCtx_setParameter(c.get(), ZSTD_c_contentSizeFlag, 1);
        return c;
    }();
    return context.get();
}

ZSTD_DCtx* decompressor() {
    thread_local std::unique_ptr<ZSTD_DCtx, dctx_deleter> const context = [] {
        std::unique_ptr<ZSTD_DCtx, dctx_deleter> d(ZSTD_createDCtx());
        if (!d) throw std::bad_alloc();
        return d;
    }();
    return context.get();
}

}  // namespace

std::optional<std::string> compress_state(std::string_view state) {
    if (state.size() < compress_states_from) return std::nullopt;
    // Not zero-filled: of the bound's pages only those written are ever touched.
    auto const bound = ZSTD_compressBound(state.size());
    std::unique_ptr<char[]> const frame(new char[bound]);
    auto const written = ZSTD_compress2(compressor(), frame.get(), bound, state.data(), state.size());
    if (ZSTD_isError(written)) throw std::bad_alloc();  // the bound fits: only allocation fails
    if (written >= state.size()) return std::nullopt;
    return std::string(frame.get(), written);
}

std::shared_ptr<char const[]> decompress_state(std::string_view frame, std::size_t size) {
    // The frame records its content size: a damaged one cannot make us allocate what it claims.
    if (ZSTD_getFrameContentSize(frame.data(), frame.size()) != size) {
        throw codec_error("the compressed state does not declare its size");
    }
    std::shared_ptr<char[]> state(new char[size == 0 ? 1 : size]);
    auto const read = ZSTD_decompressDCtx(decompressor(), state.get(), size, frame.data(), frame.size());
    if (ZSTD_isError(read) || read != size) throw codec_error("the compressed state does not decode");
    return state;
}

}  // namespace ledger::app::detail
