// The log's value encoding (detail/log_values.hpp; docs/storage.md "Format 4").

#include "detail/log_values.hpp"

#include "detail/canonical_split.hpp"

// ZSTD_compress_usingCDict_advanced (compress_frame): in zstd's experimental section, exported by
// the shared library and marked deprecated in favour of ZSTD_compress2, which costs more per small
// frame; tests/test_log_frames.cpp pins its frames to ZSTD_compress2's.
#define ZSTD_STATIC_LINKING_ONLY
#define ZSTD_DISABLE_DEPRECATE_WARNINGS
#include <zstd.h>

// After <zstd.h> with ZSTD_STATIC_LINKING_ONLY above: the first inclusion decides what it declares.
#include "ledger/detail/varint.hpp"
#include "ledger/detail/zstd_context.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace ledger::store::detail {
namespace {

constexpr std::size_t hash_size = sizeof(sha256_digest);
// Every zstd frame starts with these four bytes (RFC 8878 §3.1.1, little-endian 0xFD2FB528); the
// log leaves them out and puts them back before decompressing.
constexpr std::array<char, 4> frame_magic{'\x28', '\xB5', '\x2F', '\xFD'};
// A bound on what one value may decompress to, so a damaged size field cannot ask for gigabytes.
constexpr unsigned long long largest_canonical = 64ULL << 20;
constexpr std::string_view dictionary_prefix = "log_dictionary/";

/// This thread's compression context, set up for the log's frames (zstd_context.hpp): no
/// checksum, no dictionary id, the content size recorded (decode sizes its buffer from it).
ZSTD_CCtx* compressor() {
    thread_local ledger::detail::zstd_compressor const context = ledger::detail::make_frame_compressor();
    return context.get();
}

ZSTD_DCtx* decompressor() {
    thread_local ledger::detail::zstd_decompressor const context = ledger::detail::make_decompressor();
    return context.get();
}

std::uint64_t read_varint(std::string_view& in) {
    return ledger::detail::take_varint(in, "log value ends inside a number",
                                       "log value holds a number longer than 64 bits");
}

/// The 16-byte event id at the front of `in` (format 5's writer fields), taken off it.
std::array<char, 16> read_event_id(std::string_view& in) {
    std::array<char, 16> id{};
    if (in.size() < id.size()) throw codec_error("log value too short for its event id");
    std::memcpy(id.data(), in.data(), id.size());
    in.remove_prefix(id.size());
    return id;
}

}  // namespace

/// One dictionary's bytes and its prepared zstd forms, made on first use (a read-only open
/// that only decompresses never builds the compression tables).
struct log_values::dictionary {
    std::string bytes;
    int level = default_level;
    mutable std::once_flag cdict_once, ddict_once;
    mutable ZSTD_CDict* cdict = nullptr;
    mutable ZSTD_DDict* ddict = nullptr;

    dictionary(std::string b, int l) : bytes(std::move(b)), level(l) {}
    dictionary(dictionary const&) = delete;
    dictionary& operator=(dictionary const&) = delete;
    ~dictionary() {
        ZSTD_freeCDict(cdict);
        ZSTD_freeDDict(ddict);
    }

    ZSTD_CDict const* for_compression() const {
        std::call_once(cdict_once, [this] { cdict = ZSTD_createCDict(bytes.data(), bytes.size(), level); });
        if (cdict == nullptr) throw std::bad_alloc();
        return cdict;
    }
    ZSTD_DDict const* for_decompression() const {
        std::call_once(ddict_once, [this] { ddict = ZSTD_createDDict(bytes.data(), bytes.size()); });
        if (ddict == nullptr) throw codec_error("a log dictionary cannot be loaded");
        return ddict;
    }
};

namespace {

/// `input` compressed with `d` into `out` (replaced): a whole frame, magic included. False when
/// zstd fails (the caller then keeps the bytes uncompressed).
bool compress_frame(log_values::dictionary const& d, std::string_view input, std::string& out) {
    thread_local std::string buffer;
    auto const bound = ZSTD_compressBound(input.size());
    buffer.resize(bound);
    // The same frame as ZSTD_compress2 with the CDict referenced and compressor()'s parameters
    // (content size, no checksum, no dictionary id), without re-applying the parameters to the
    // context for every frame: ~0.2 µs less per event on the appending threads.
    ZSTD_frameParameters const frame{.contentSizeFlag = 1, .checksumFlag = 0, .noDictIDFlag = 1};
    auto const size = ZSTD_compress_usingCDict_advanced(compressor(), buffer.data(), bound, input.data(), input.size(),
                                                        d.for_compression(), frame);
    if (ZSTD_isError(size) || size <= frame_magic.size()) return false;
    out.assign(buffer.data(), size);
    return true;
}

/// Decompresses a frame stored without its magic; returns the content, a view into this
/// thread's buffer valid until the thread's next call. The buffer keeps its size between calls
/// so the common value is decompressed without asking its size first. Throws codec_error.
std::string_view decompress_frame(log_values::dictionary const& d, std::string_view body) {
    thread_local std::string frame;
    thread_local std::string out;
    frame.assign(frame_magic.data(), frame_magic.size());
    frame.append(body);
    // The common case: one frame declaring a size that fits the buffer as it is. Anything else
    // (a larger or damaged frame) takes the checking path below, which gives the same bytes or
    // the same error it always did.
    constexpr std::size_t common_capacity = 16 * 1024;
    if (out.size() < common_capacity) out.resize(common_capacity);
    auto const fast = ZSTD_decompress_usingDDict(decompressor(), out.data(), out.size(), frame.data(), frame.size(),
                                                 d.for_decompression());
    if (!ZSTD_isError(fast) && ZSTD_getFrameContentSize(frame.data(), frame.size()) == fast) return {out.data(), fast};

    auto const size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > largest_canonical) {
        throw codec_error("log value holds no readable zstd frame");
    }
    if (out.size() < size) out.resize(static_cast<std::size_t>(size));
    auto const written = ZSTD_decompress_usingDDict(decompressor(), out.data(), static_cast<std::size_t>(size),
                                                    frame.data(), frame.size(), d.for_decompression());
    if (ZSTD_isError(written) || written != size) {
        throw codec_error(std::string("log value does not decompress: ") +
                          (ZSTD_isError(written) ? ZSTD_getErrorName(written) : "wrong size"));
    }
    return {out.data(), static_cast<std::size_t>(size)};
}

/// The time in a UUIDv7's first 48 bits (milliseconds since the epoch), in microseconds; for
/// another kind of id, some number (the encoder only uses it when the difference is smaller).
std::uint64_t id_time(std::array<char, 16> const& id) {
    std::uint64_t ms = 0;
    for (int i = 0; i < 6; ++i) ms = ms << 8 | static_cast<std::uint8_t>(id[static_cast<std::size_t>(i)]);
    return ms * 1000;
}

std::uint64_t zigzag(std::uint64_t d) { return (d << 1) ^ (~(d >> 63) + 1); }
std::uint64_t unzigzag(std::uint64_t z) { return (z >> 1) ^ (~(z & 1) + 1); }

/// recorded_at as a difference to what decode already knows: the event id's time (a generated
/// UUIDv7 is made a moment after recorded_at is taken: a few bytes) or occurred_at (a client's
/// id, or an import). Low bit: which one; the rest: the zigzag of the difference modulo 2^64.
std::uint64_t recorded_delta(writer_fields const& fields, std::uint64_t occurred_at) {
    auto const from_id = zigzag(fields.recorded_at - id_time(fields.id));
    auto const from_occurred = zigzag(fields.recorded_at - occurred_at);
    // A zigzag needs at most 64 bits; the shift would lose the top one, so such a difference
    // (over 2^62 microseconds) takes the other reference or, failing both, the value is stored whole.
    if (from_id < from_occurred && from_id >> 63 == 0) return from_id << 1 | 1;
    return from_occurred << 1;
}

std::uint64_t recorded_at_of(std::uint64_t delta, std::array<char, 16> const& id, std::uint64_t occurred_at) {
    return ((delta & 1) != 0 ? id_time(id) : occurred_at) + unzigzag(delta >> 1);
}

/// A split value: tag ‖ LEB128 version ‖ id ‖ LEB128 recorded_delta ‖ frame without its magic ‖
/// hash, into `out` (replaced). False (out unspecified) when recorded_at is too far from both
/// references to encode (the caller stores the value whole).
bool assemble_split(std::uint8_t tag, writer_fields const& fields, std::uint64_t occurred_at, std::string_view frame,
                    std::string_view hash, std::string& out) {
    auto const delta = recorded_delta(fields, occurred_at);
    if ((delta & 1) == 0 && zigzag(fields.recorded_at - occurred_at) >> 63 != 0) return false;
    out.clear();
    out.push_back(static_cast<char>(tag));
    ledger::detail::put_varint(fields.version, out);
    out.append(fields.id.data(), fields.id.size());
    ledger::detail::put_varint(delta, out);
    out.append(frame.substr(frame_magic.size()));
    out.append(hash);
    return true;
}

std::string_view verbatim(std::string_view stored, std::string& out) {
    out.clear();
    out.push_back('\0');
    out.append(stored);
    return out;
}

}  // namespace

std::string log_dictionary_key(std::uint8_t id) { return std::string(dictionary_prefix) + std::to_string(id); }

log_values::log_values(encoding kind, std::map<std::uint8_t, std::shared_ptr<dictionary const>> dictionaries)
    : kind_(kind), dictionaries_(std::move(dictionaries)) {
    if (!dictionaries_.empty()) newest_ = dictionaries_.rbegin()->first;
}

log_values::~log_values() = default;

std::shared_ptr<log_values const> log_values::plain() {
    static auto const shared = std::make_shared<log_values const>(encoding::plain, std::map<std::uint8_t, std::shared_ptr<dictionary const>>{});
    return shared;
}

std::shared_ptr<log_values const> log_values::with_dictionaries(std::map<std::uint8_t, std::string> dictionaries,
                                                                int level, encoding kind) {
    if (kind == encoding::plain) throw std::logic_error("plain log values have no dictionaries");
    std::map<std::uint8_t, std::shared_ptr<dictionary const>> loaded;
    for (auto& [id, bytes] : dictionaries) {
        if (id == 0 || bytes.empty()) throw codec_error("a log dictionary needs an id above 0 and some bytes");
        loaded.emplace(id, std::make_shared<dictionary const>(std::move(bytes), level));
    }
    return std::make_shared<log_values const>(kind, std::move(loaded));
}

std::shared_ptr<log_values const> log_values::load(lmdb::txn const& txn, lmdb::dbi meta, encoding kind) {
    std::map<std::uint8_t, std::string> found;
    lmdb::cursor cursor(txn, meta);
    for (auto entry = cursor.seek(dictionary_prefix); entry && entry->first.starts_with(dictionary_prefix);
         entry = cursor.next()) {
        auto const number = entry->first.substr(dictionary_prefix.size());
        unsigned id = 0;
        bool const digits = !number.empty() && number.size() <= 3 &&
                            std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits) id = static_cast<unsigned>(std::stoul(std::string(number)));
        if (!digits || id == 0 || id > 255 || log_dictionary_key(static_cast<std::uint8_t>(id)) != entry->first) {
            throw codec_error("the ledger's meta holds a malformed dictionary key: " + std::string(entry->first));
        }
        found.emplace(static_cast<std::uint8_t>(id), std::string(entry->second));
    }
    return with_dictionaries(std::move(found), default_level, kind);
}

bool log_values::store_dictionary(lmdb::write_txn& txn, lmdb::dbi meta, std::uint8_t id, std::string_view bytes) {
    if (id == 0 || bytes.empty()) throw std::logic_error("a log dictionary needs an id above 0 and some bytes");
    return txn.put_new(meta, log_dictionary_key(id), bytes);
}

std::string_view log_values::encode(std::uint64_t position, std::string_view stored, std::string& out) const {
    if (kind_ == encoding::plain) return stored;
    if (kind_ == encoding::split) return encode_split(position, stored, out);
    auto const canonical = canonical_part(stored);
    auto const hash = stored.substr(canonical.size());
    if (newest_ != 0) {
        auto const bound = ZSTD_compressBound(canonical.size());
        out.resize(bound + hash.size());
        auto* const context = compressor();
        ZSTD_CCtx_refCDict(context, dictionaries_.at(newest_)->for_compression());
        auto const size = ZSTD_compress2(context, out.data(), bound, canonical.data(), canonical.size());
        // The frame replaces the canonical bytes only when it is smaller, tag included.
        if (!ZSTD_isError(size) && size > frame_magic.size() && size - frame_magic.size() < canonical.size()) {
            out.resize(size);
            out.append(hash);
            // The tag takes the last byte of the magic, which decode puts back.
            out[frame_magic.size() - 1] = static_cast<char>(newest_);
            return std::string_view(out).substr(frame_magic.size() - 1);
        }
    }
    out.clear();
    out.push_back('\0');
    out.append(stored);
    return out;
}

log_values::dictionary const& log_values::dictionary_named(std::uint8_t id) const {
    auto const found = dictionaries_.find(id);
    if (found == dictionaries_.end()) {
        throw codec_error("log value compressed with dictionary " + std::to_string(id) + ", which the ledger lacks");
    }
    return *found->second;
}

std::string_view log_values::decode(std::uint64_t position, std::string_view value, std::string& scratch) const {
    if (kind_ == encoding::plain) return value;
    if (kind_ == encoding::split) return decode_split(position, value, scratch);
    if (value.size() < 1 + hash_size) throw codec_error("log value too short");
    auto const id = static_cast<std::uint8_t>(value.front());
    if (id == 0) return value.substr(1);
    auto const& dictionary = dictionary_named(id);
    auto const body = value.substr(1, value.size() - 1 - hash_size);
    scratch.assign(decompress_frame(dictionary, body));
    scratch.append(value.substr(value.size() - hash_size));
    return scratch;
}

// Format 5 (split values).

std::string_view log_values::encode_split(std::uint64_t position, std::string_view stored, std::string& out) const {
    auto const canonical = canonical_part(stored);
    auto const parts = split_canonical(canonical);
    if (newest_ != 0 && parts && parts->fields.position == position) {
        thread_local std::string templ, frame;
        templ.clear();
        templ.append(parts->head).append(parts->middle).append(parts->tail);
        if (compress_frame(newest(), templ, frame)) {
            if (assemble_split(newest_, parts->fields, parts->occurred_at, frame, stored.substr(canonical.size()), out) &&
                out.size() < 1 + stored.size()) {
                return out;
            }
        }
    }
    return verbatim(stored, out);
}

void log_values::prepare(recorded_event const& event, std::string& out) const {
    if (kind_ != encoding::split) throw std::logic_error("only split log values are prepared");
    thread_local std::string canonical, templ, frame;
    canonical.clear();
    encode_canonical_into(event, canonical);
    auto const parts = split_canonical(canonical);
    if (!parts) throw std::logic_error("the canonical encoding has an unexpected shape");
    templ.clear();
    templ.append(parts->head).append(parts->middle).append(parts->tail);
    // tag ‖ template size (u32) ‖ template ‖ frame: the writer compares the template with the
    // event it seals before it uses the frame.
    if (templ.size() > UINT32_MAX) throw std::length_error("an event too large to prepare");
    auto const size = static_cast<std::uint32_t>(templ.size());
    bool const compressed = newest_ != 0 && compress_frame(newest(), templ, frame);
    out.push_back(static_cast<char>(compressed ? newest_ : 0));
    out.append(reinterpret_cast<char const*>(&size), sizeof size);
    out.append(templ);
    if (compressed) out.append(frame);
}

std::string_view log_values::encode_prepared(std::uint64_t position, std::string_view stored, std::string_view prepared,
                                             std::string& out, bool& spliced) const {
    spliced = false;
    if (kind_ != encoding::split || prepared.size() < 5) return encode(position, stored, out);
    auto const tag = static_cast<std::uint8_t>(prepared.front());
    std::uint32_t size = 0;
    std::memcpy(&size, prepared.data() + 1, sizeof size);
    if (prepared.size() - 5 < size) return encode(position, stored, out);
    auto const templ = prepared.substr(5, size);
    auto const frame = prepared.substr(5 + size);
    auto const canonical = canonical_part(stored);
    auto const parts = split_canonical(canonical);
    // Only a template made from exactly this event (bar the writer's fields) is used.
    bool const same = parts && parts->fields.position == position && parts->template_size() == size &&
                      templ.substr(0, parts->head.size()) == parts->head &&
                      templ.substr(parts->head.size(), parts->middle.size()) == parts->middle &&
                      templ.substr(parts->head.size() + parts->middle.size()) == parts->tail;
    if (!same || (tag != 0 && !dictionaries_.contains(tag))) return encode(position, stored, out);
    spliced = true;  // nothing compressed here: the frame (or the verdict "keep it whole") is the template's
    return splice(tag, parts->fields, parts->occurred_at, frame, stored, out);
}

std::optional<log_values::opened_template> log_values::open_prepared(std::string_view prepared) const noexcept {
    if (kind_ != encoding::split || prepared.size() < 5) return std::nullopt;
    opened_template t;
    t.tag = static_cast<std::uint8_t>(prepared.front());
    std::uint32_t size = 0;
    std::memcpy(&size, prepared.data() + 1, sizeof size);
    if (prepared.size() - 5 < size || (t.tag != 0 && !dictionaries_.contains(t.tag))) return std::nullopt;
    t.templ = prepared.substr(5, size);
    t.frame = prepared.substr(5 + size);
    try {
        t.layout = parse_template(t.templ);
    } catch (codec_error const&) {
        return std::nullopt;
    }
    return t;
}

std::string_view log_values::encode_opened(opened_template const& t, writer_fields const& fields,
                                           std::string_view stored, std::string& out) const {
    return splice(t.tag, fields, t.layout.occurred_at, t.frame, stored, out);
}

std::string_view log_values::splice(std::uint8_t tag, writer_fields const& fields, std::uint64_t occurred_at,
                                    std::string_view frame, std::string_view stored, std::string& out) {
    if (tag != 0 && assemble_split(tag, fields, occurred_at, frame, stored.substr(stored.size() - hash_size), out) &&
        out.size() < 1 + stored.size()) {
        return out;
    }
    return verbatim(stored, out);
}

std::optional<std::array<char, 16>> log_values::event_id_outside_frame(std::string_view value) const {
    if (kind_ != encoding::split || value.size() < 1 + hash_size || value.front() == 0) return std::nullopt;
    auto rest = value.substr(1, value.size() - 1 - hash_size);
    static_cast<void>(read_varint(rest));  // the version
    return read_event_id(rest);
}

std::string_view log_values::decode_split(std::uint64_t position, std::string_view value, std::string& scratch) const {
    if (value.size() < 1 + hash_size) throw codec_error("log value too short");
    auto const id = static_cast<std::uint8_t>(value.front());
    if (id == 0) return value.substr(1);
    auto const& dictionary = dictionary_named(id);
    auto rest = value.substr(1, value.size() - 1 - hash_size);
    writer_fields fields;
    fields.position = position;
    fields.version = read_varint(rest);
    fields.id = read_event_id(rest);
    auto const delta = read_varint(rest);
    auto const templ = decompress_frame(dictionary, rest);
    auto const layout = parse_template(templ);
    fields.recorded_at = recorded_at_of(delta, fields.id, layout.occurred_at);
    scratch.clear();
    join_canonical(templ, layout, fields, scratch);
    scratch.append(value.substr(value.size() - hash_size));
    return scratch;
}

}  // namespace ledger::store::detail
