#include "ledger/uuid.hpp"

#include "ledger/time.hpp"

#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <mutex>

#include <pthread.h>
#include <stdexcept>

namespace ledger {

namespace {

/// Random bits from OpenSSL's CSPRNG, drawn 4 KiB at a time per thread: one RAND_bytes call
/// per id (a DRBG generate, a cipher init and a fork check) was 30 % of the writer's time
/// (perf, 2026-11-30). Ids stay unpredictable from earlier ones (each id's bits are fresh CSPRNG
/// output, never reused). A forked child discards the buffer it inherited (pthread_atfork), so
/// parent and child never hand out the same bits.
struct random_pool {
    std::array<unsigned char, 4096> bytes{};
    std::size_t used = bytes.size();  // empty: fill on first use
};
thread_local random_pool pool;

void discard_pool_in_child() { pool.used = pool.bytes.size(); }

std::uint64_t random_u64() {
    static std::once_flag registered;
    std::call_once(registered, [] { ::pthread_atfork(nullptr, nullptr, discard_pool_in_child); });
    if (pool.used + sizeof(std::uint64_t) > pool.bytes.size()) {
        if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) {
            throw std::runtime_error("RAND_bytes failed: no random bits for an event id");
        }
        pool.used = 0;
    }
    std::uint64_t value = 0;
    std::memcpy(&value, pool.bytes.data() + pool.used, sizeof value);
    pool.used += sizeof value;
    return value;
}

}  // namespace

uuid make_uuid_v7() {
    // RFC 9562 §6.2 method 1: the 12 bits after the version count up within a millisecond
    // (from a random start in the lower half), so one thread's ids strictly increase and the
    // writer can append them at the end of the event-id index. A full counter borrows the
    // next millisecond, as the RFC allows.
    thread_local std::uint64_t last_millis = 0;
    thread_local std::uint16_t counter = 0;
    auto const millis = static_cast<std::uint64_t>(to_micros(now()) / 1000);
    if (millis > last_millis) {
        last_millis = millis;
        counter = static_cast<std::uint16_t>(random_u64() & 0x7FF);
    } else if (++counter > 0xFFF) {
        ++last_millis;
        counter = 0;
    }
    std::uint64_t const low = random_u64();

    uuid id{};
    for (int i = 0; i < 6; ++i) {
        id.data[i] = static_cast<std::uint8_t>(last_millis >> (8 * (5 - i)));
    }
    id.data[6] = static_cast<std::uint8_t>(counter >> 8);
    id.data[7] = static_cast<std::uint8_t>(counter & 0xFF);
    for (int i = 8; i < 16; ++i) {
        id.data[i] = static_cast<std::uint8_t>(low >> (8 * (i - 8)));
    }
    id.data[6] = static_cast<std::uint8_t>((id.data[6] & 0x0F) | 0x70);  // version 7
    id.data[8] = static_cast<std::uint8_t>((id.data[8] & 0x3F) | 0x80);  // RFC 9562 variant
    return id;
}

std::optional<uuid> parse_uuid(std::string_view text) {
    // string_generator also accepts braces and missing hyphens; the API takes only the
    // canonical form, so check its shape first.
    if (text.size() != 36) return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool const hyphen_place = i == 8 || i == 13 || i == 18 || i == 23;
        char const c = text[i];
        bool const hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (hyphen_place ? c != '-' : !hex) return std::nullopt;
    }
    return boost::uuids::string_generator{}(text.begin(), text.end());
}

std::string to_string(uuid const& id) { return boost::uuids::to_string(id); }

}  // namespace ledger
