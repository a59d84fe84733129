// SHA-256 with the x86 SHA extensions (include/ledger/detail/sha256_native.hpp). The rounds
// follow FIPS 180-4 as Intel's SHA extensions reference computes them: the state as the pairs
// ABEF and CDGH, four rounds per 16-byte quarter of the message schedule
// (sha256rnds2 twice, the schedule with sha256msg1 / sha256msg2).
//
// Only this file is compiled for the instructions (function attributes, not the target's flags):
// everything else runs on any x86-64, and this code only after the CPU check.

#include "ledger/detail/sha256_native.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LEDGER_SHA256_NATIVE 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace ledger::detail {

#if LEDGER_SHA256_NATIVE
namespace {

#define LEDGER_SHA_TARGET __attribute__((target("sha,ssse3,sse4.1")))
#define LEDGER_SHA_INLINE LEDGER_SHA_TARGET __attribute__((always_inline)) inline

alignas(16) constexpr std::uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/// The working state as the instructions want it: (A, B, E, F) and (C, D, G, H).
struct state {
    __m128i abef;
    __m128i cdgh;
};

/// Rounds 4i…4i+3; quarter m[i % 4] holds schedule words 4i…4i+3 afterwards.
template <int I>
LEDGER_SHA_INLINE void four_rounds(state& s, unsigned char const* block, __m128i (&m)[4]) {
    if constexpr (I < 4) {
        __m128i const big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
        m[I] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<__m128i const*>(block + 16 * I)), big_endian);
    } else {
        // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four at a time.
        __m128i const partial = _mm_add_epi32(_mm_sha256msg1_epu32(m[I % 4], m[(I + 1) % 4]),
                                              _mm_alignr_epi8(m[(I + 3) % 4], m[(I + 2) % 4], 4));
        m[I % 4] = _mm_sha256msg2_epu32(partial, m[(I + 3) % 4]);
    }
    __m128i words = _mm_add_epi32(m[I % 4], _mm_load_si128(reinterpret_cast<__m128i const*>(round_constants + 4 * I)));
    s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, words);
    words = _mm_shuffle_epi32(words, 0x0E);
    s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, words);
}

template <std::size_t... I>
LEDGER_SHA_INLINE void all_rounds(state& s, unsigned char const* block, std::index_sequence<I...>) {
    __m128i m[4];
    (four_rounds<static_cast<int>(I)>(s, block, m), ...);
}

/// Folds `count` consecutive 64-byte blocks into `s`.
LEDGER_SHA_TARGET void compress(state& s, unsigned char const* blocks, std::size_t count) noexcept {
    state working = s;  // a local: the blocks' bytes may not alias it, so it stays in registers
    for (std::size_t b = 0; b < count; ++b) {
        state const before = working;
        all_rounds(working, blocks + 64 * b, std::make_index_sequence<16>{});
        working.abef = _mm_add_epi32(working.abef, before.abef);
        working.cdgh = _mm_add_epi32(working.cdgh, before.cdgh);
    }
    s = working;
}

LEDGER_SHA_TARGET sha256_digest finish(state const& s) noexcept {
    __m128i const feba = _mm_shuffle_epi32(s.abef, 0x1B);
    __m128i const dchg = _mm_shuffle_epi32(s.cdgh, 0xB1);
    __m128i const dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    __m128i const hgfe = _mm_alignr_epi8(dchg, feba, 8);
    // Each 32-bit word of H0…H7 in big-endian byte order.
    __m128i const word_bytes = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    sha256_digest out;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.data()), _mm_shuffle_epi8(dcba, word_bytes));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.data() + 16), _mm_shuffle_epi8(hgfe, word_bytes));
    return out;
}

/// FIPS 180-4's H(0) as ABEF / CDGH.
LEDGER_SHA_INLINE state initial_state() noexcept {
    return {_mm_set_epi32(0x6a09e667, static_cast<int>(0xbb67ae85), 0x510e527f, static_cast<int>(0x9b05688c)),
            _mm_set_epi32(0x3c6ef372, static_cast<int>(0xa54ff53a), 0x1f83d9ab, 0x5be0cd19)};
}

/// The message's bytes as whole blocks: a partial block waits in `pending` for more.
class message_blocks {
public:
    LEDGER_SHA_TARGET message_blocks() : s_(initial_state()) {}

    LEDGER_SHA_TARGET void add(std::string_view bytes) noexcept {
        if (bytes.empty()) return;  // its data() may be null, which memcpy must not see
        auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
        std::size_t n = bytes.size();
        size_ += n;
        if (filled_ != 0) {
            std::size_t const take = std::min(64 - filled_, n);
            std::memcpy(pending_ + filled_, p, take);
            filled_ += take;
            p += take;
            n -= take;
            if (filled_ < 64) return;
            compress(s_, pending_, 1);
            filled_ = 0;
        }
        if (n >= 64) {  // whole blocks straight from the caller's bytes, no copy
            compress(s_, p, n / 64);
            p += n / 64 * 64;
            n %= 64;
        }
        if (n != 0) std::memcpy(pending_, p, n);
        filled_ = n;
    }

    /// FIPS 180-4 §5.1.1 padding (0x80, zeros, the length in bits) and the digest.
    LEDGER_SHA_TARGET sha256_digest finish_digest() noexcept {
        std::size_t const blocks = filled_ < 56 ? 1 : 2;
        std::memset(pending_ + filled_, 0, 64 * blocks - filled_);
        pending_[filled_] = 0x80;
        std::uint64_t const bits = static_cast<std::uint64_t>(size_) * 8;
        for (std::size_t i = 0; i < 8; ++i) pending_[64 * blocks - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
        compress(s_, pending_, blocks);
        return finish(s_);
    }

private:
    state s_;
    alignas(16) unsigned char pending_[128];
    std::size_t filled_ = 0;
    std::size_t size_ = 0;
};

/// head ‖ body with its padding, as numbered 64-byte blocks: a block wholly inside the body is
/// read where it lies; the others (the head's, the padding's) are put together in a scratch block.
class padded_message {
public:
    padded_message(std::string_view head, std::string_view body) noexcept
        : head_(head), body_(body), size_(head.size() + body.size()), count_((size_ + 9 + 63) / 64) {}

    std::size_t count() const noexcept { return count_; }

    unsigned char const* block(std::size_t k, unsigned char* scratch) const noexcept {
        std::size_t const begin = 64 * k;
        std::size_t const h = head_.size();
        if (begin >= h && begin + 64 <= size_) return reinterpret_cast<unsigned char const*>(body_.data() + (begin - h));
        std::memset(scratch, 0, 64);
        std::size_t const end = std::min(begin + 64, size_);
        std::size_t at = begin;
        if (at < h && at < end) {
            std::size_t const n = std::min(h, end) - at;
            std::memcpy(scratch, head_.data() + at, n);
            at += n;
        }
        if (at < end) std::memcpy(scratch + (at - begin), body_.data() + (at - h), end - at);
        if (size_ >= begin && size_ < begin + 64) scratch[size_ - begin] = 0x80;
        if (k + 1 == count_) {
            std::uint64_t const bits = static_cast<std::uint64_t>(size_) * 8;
            for (std::size_t i = 0; i < 8; ++i) scratch[63 - i] = static_cast<unsigned char>(bits >> (8 * i));
        }
        return scratch;
    }

private:
    std::string_view head_, body_;
    std::size_t size_, count_;
};

/// Two messages block by block in turn: each compress depends only on its own message's last
/// one, so the CPU overlaps the two chains of sha256rnds2 (their latency, not the unit's
/// throughput, bounds one message; measured ~18 % less time for a chain link and a leaf).
LEDGER_SHA_TARGET void native_pair(std::string_view head_a, std::string_view body_a, std::string_view head_b,
                                   std::string_view body_b, sha256_digest& out_a, sha256_digest& out_b) noexcept {
    padded_message const a(head_a, body_a), b(head_b, body_b);
    state sa = initial_state(), sb = initial_state();
    alignas(16) unsigned char scratch_a[64], scratch_b[64];
    std::size_t const blocks = std::max(a.count(), b.count());
    for (std::size_t k = 0; k < blocks; ++k) {
        if (k < a.count()) compress(sa, a.block(k, scratch_a), 1);
        if (k < b.count()) compress(sb, b.block(k, scratch_b), 1);
    }
    out_a = finish(sa);
    out_b = finish(sb);
}

LEDGER_SHA_TARGET sha256_digest native_digest(std::string_view head, std::string_view body) noexcept {
    message_blocks message;
    message.add(head);
    message.add(body);
    return message.finish_digest();
}

bool cpu_has_sha_extensions() noexcept {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
    bool const ssse3 = (c & bit_SSSE3) != 0;
    bool const sse41 = (c & bit_SSE4_1) != 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
    bool const sha = (b & (1U << 29)) != 0;  // CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29]
    return ssse3 && sse41 && sha;
}

}  // namespace

bool sha256_native_available() noexcept {
    static bool const available = cpu_has_sha_extensions();
    return available;
}

sha256_digest sha256_native(std::string_view head, std::string_view body) noexcept { return native_digest(head, body); }

void sha256_native_pair(std::string_view head_a, std::string_view body_a, std::string_view head_b,
                        std::string_view body_b, sha256_digest& a, sha256_digest& b) noexcept {
    native_pair(head_a, body_a, head_b, body_b, a, b);
}

#else

bool sha256_native_available() noexcept { return false; }
sha256_digest sha256_native(std::string_view, std::string_view) noexcept { return {}; }
void sha256_native_pair(std::string_view, std::string_view, std::string_view, std::string_view, sha256_digest&,
                        sha256_digest&) noexcept {}

#endif

namespace {

EVP_MD const* evp_sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::runtime_error("OpenSSL has no SHA256");
    return md;
}

void check(int ok, char const* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL ") + what + " failed");
}

}  // namespace

sha256_digest sha256_openssl(std::string_view head, std::string_view body) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> const ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx) throw std::bad_alloc();
    check(EVP_DigestInit_ex2(ctx.get(), evp_sha256(), nullptr), "DigestInit");
    check(EVP_DigestUpdate(ctx.get(), head.data(), head.size()), "DigestUpdate");
    check(EVP_DigestUpdate(ctx.get(), body.data(), body.size()), "DigestUpdate");
    sha256_digest out{};
    unsigned int length = 0;
    check(EVP_DigestFinal_ex(ctx.get(), out.data(), &length), "DigestFinal");
    return out;
}

}  // namespace ledger::detail
