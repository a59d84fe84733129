#include "ledger/app/projection_checkpoint.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/detail/binary_archive.hpp"
#include "ledger/sha256.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace ledger::app {
namespace detail {
namespace {

constexpr std::uint32_t checkpoint_tag = 0x31434D52;  // "RMC1": read-model checkpoint, format 1
constexpr std::uint32_t month_tag = 0x314D4D52;       // "RMM1": a month's first position
constexpr std::uint32_t index_tag = 0x31494D52;       // "RMI1": the checkpoint index
constexpr std::uint32_t manifest_tag = 0x314B4D52;    // "RMK1": a checkpoint record in chunks
// "RMK2": the same list, its chunks stored compressed (checkpoint_chunk_codec.hpp) under
// compressed_chunk_prefix. A reader from before this tag finds "not a checkpoint record of this
// format" (unusable: folded from an earlier one and taken again in its own form), never misreads.
constexpr std::uint32_t compressed_manifest_tag = 0x324B4D52;

/// The gear table of the content-defined cut: 256 fixed pseudo-random words (splitmix64). Part
/// of the stored form only through where chunks end; a change here only stops chunks from being
/// shared with those stored before.
constexpr std::array<std::uint64_t, 256> gear_table() {
    std::array<std::uint64_t, 256> table{};
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (auto& word : table) {
        x += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        word = z ^ (z >> 31);
    }
    return table;
}
constexpr auto gear = gear_table();

void put_u32(std::string& out, std::uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 4);
}
void put_u64(std::string& out, std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 8);
}
std::uint64_t get_le(std::string_view bytes, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
    return v;
}

std::chrono::year_month month_of(timestamp t) {
    std::chrono::year_month_day const day{std::chrono::floor<std::chrono::days>(t)};
    return {day.year(), day.month()};
}

}  // namespace

std::string checkpoint_key(std::string_view name, std::uint64_t next_position) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(next_position));
    return "checkpoint/" + std::string(name) + "/" + digits;
}

std::string checkpoint_table_key(std::uint64_t next_position) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(next_position));
    return std::string("checkpoint-table/applications/") + digits;
}

std::string month_key(timestamp t) {
    auto const month = month_of(t);
    char text[32];
    std::snprintf(text, sizeof text, "checkpoint-month/%04d-%02u", static_cast<int>(month.year()),
                  static_cast<unsigned>(month.month()));
    return text;
}

timestamp previous_month_start(timestamp t) {
    auto const before = month_of(t) - std::chrono::months(1);
    return timestamp(std::chrono::sys_days(before / std::chrono::day(1)));
}

bool same_month(timestamp a, timestamp b) { return month_of(a) == month_of(b); }

std::string encode_checkpoint(projection_checkpoint const& checkpoint) {
    return encode_state_record(checkpoint_tag, checkpoint);
}

std::optional<projection_checkpoint> decode_checkpoint(std::string_view bytes, std::string* problem, bool verify) {
    return decode_state_record(checkpoint_tag, "checkpoint", bytes, problem, verify);
}

std::optional<projection_snapshot_view> decode_checkpoint_view(std::string_view bytes, std::string* problem) {
    return decode_state_record_view(checkpoint_tag, "checkpoint", bytes, problem, true);
}

std::optional<projection_snapshot_pieces> decode_checkpoint_pieces(std::span<std::string_view const> pieces,
                                                                   std::string* problem) {
    return decode_state_record_pieces(checkpoint_tag, "checkpoint", pieces, problem);
}

std::string chunk_key(sha256_digest const& digest) { return std::string(chunk_prefix) + to_hex(digest); }

std::string compressed_chunk_key(sha256_digest const& digest) {
    return std::string(compressed_chunk_prefix) + to_hex(digest);
}

bool is_chunk_key(std::string_view key) {
    return key.starts_with(chunk_prefix) || key.starts_with(compressed_chunk_prefix);
}

chunked_checkpoint chunk_checkpoint(std::string_view record, unsigned average_bits, bool compressed) {
    average_bits = std::clamp(average_bits, 8u, 24u);
    std::size_t const min = std::size_t{1} << (average_bits - 2);
    std::size_t const max = std::size_t{1} << (average_bits + 2);
    unsigned const shift = 64 - average_bits;
    chunked_checkpoint out;
    out.manifest.reserve(32 + (record.size() >> average_bits) * 48);
    put_u32(out.manifest, compressed ? compressed_manifest_tag : manifest_tag);
    put_u64(out.manifest, record.size());
    std::vector<std::string_view> pieces;
    auto const* const data = reinterpret_cast<unsigned char const*>(record.data());
    std::size_t start = 0;
    while (start < record.size()) {
        std::size_t const limit = std::min(record.size(), start + max);
        std::size_t end = limit;
        std::uint64_t h = 0;
        for (std::size_t i = std::min(limit, start + min); i < limit; ++i) {
            h = (h << 1) + gear[data[i]];
            if ((h >> shift) == 0) {
                end = i + 1;
                break;
            }
        }
        pieces.push_back(record.substr(start, end - start));
        start = end;
    }
    put_u64(out.manifest, pieces.size());
    sha256_hasher hasher;
    out.chunks.reserve(pieces.size());
    for (auto const piece : pieces) {
        auto const digest = hasher.digest(piece);
        out.manifest.append(reinterpret_cast<char const*>(digest.data()), digest.size());
        put_u32(out.manifest, static_cast<std::uint32_t>(piece.size()));
        out.chunks.push_back({compressed ? compressed_chunk_key(digest) : chunk_key(digest), piece});
    }
    return out;
}

bool is_manifest(std::string_view bytes) {
    if (bytes.size() < 4) return false;
    auto const tag = get_le(bytes, 0, 4);
    return tag == manifest_tag || tag == compressed_manifest_tag;
}

bool is_compressed_manifest(std::string_view bytes) {
    return bytes.size() >= 4 && get_le(bytes, 0, 4) == compressed_manifest_tag;
}

std::optional<std::vector<manifest_entry>> decode_manifest(std::string_view bytes, std::uint64_t* total) {
    if (bytes.size() < 20 || !is_manifest(bytes)) return std::nullopt;
    auto const size = get_le(bytes, 4, 8);
    auto const count = get_le(bytes, 12, 8);
    if (count > (bytes.size() - 20) / 36 || bytes.size() != 20 + count * 36) return std::nullopt;
    bool const compressed = is_compressed_manifest(bytes);
    std::vector<manifest_entry> entries;
    entries.reserve(count);
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        auto const at = 20 + i * 36;
        sha256_digest digest{};
        std::memcpy(digest.data(), bytes.data() + at, digest.size());
        auto const length = static_cast<std::uint32_t>(get_le(bytes, at + 32, 4));
        sum += length;
        entries.push_back({compressed ? compressed_chunk_key(digest) : chunk_key(digest), length});
    }
    if (sum != size) return std::nullopt;
    if (total != nullptr) *total = size;
    return entries;
}

bool assemble_checkpoint_into(std::string_view manifest,
                              std::function<std::optional<std::string_view>(std::string_view)> const& chunk,
                              std::function<char*(std::size_t)> const& allocate, std::string* problem) {
    auto fail = [&](std::string why) {
        if (problem != nullptr) *problem = std::move(why);
        return false;
    };
    std::uint64_t total = 0;
    auto const entries = decode_manifest(manifest, &total);
    if (!entries) return fail("its chunk list does not decode");
    // decode_manifest checked that the lengths add up to `total`, and each chunk is checked
    // against its length before it is copied (or decompressed to exactly that many bytes): the
    // copies stay within the bytes allocated.
    bool const compressed = is_compressed_manifest(manifest);
    char* out = allocate(static_cast<std::size_t>(total));
    for (auto const& entry : *entries) {
        auto const bytes = chunk(entry.key);
        if (!bytes) return fail("its chunk " + entry.key + " is not stored");
        if (compressed) {
            if (!decompress_chunk(*bytes, out, entry.size)) {
                return fail("its chunk " + entry.key + " does not decompress to its length");
            }
        } else {
            if (bytes->size() != entry.size) return fail("its chunk " + entry.key + " is not of its length");
            if (!bytes->empty()) std::memcpy(out, bytes->data(), bytes->size());
        }
        out += entry.size;
    }
    return true;
}

std::optional<std::string> assemble_checkpoint(
    std::string_view manifest, std::function<std::optional<std::string_view>(std::string_view)> const& chunk,
    std::string* problem) {
    std::string record;
    bool const assembled = assemble_checkpoint_into(
        manifest, chunk,
        [&](std::size_t size) {
            record.resize(size);
            return record.data();
        },
        problem);
    if (!assembled) return std::nullopt;
    return record;
}

std::optional<std::string> read_checkpoint_record(store::event_store const& store, std::string_view key) {
    auto const reader = store.read_projections();
    auto const stored = reader->get(key);
    if (!stored) return std::nullopt;
    if (!is_manifest(*stored)) return std::string(*stored);
    return assemble_checkpoint(*stored, [&](std::string_view k) { return reader->get(k); });
}

std::string encode_index(std::map<std::string, std::uint32_t> const& index) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(index_tag, index);
    return out;
}

std::map<std::string, std::uint32_t> decode_index(std::string_view bytes) {
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t tag = 0;
        std::map<std::string, std::uint32_t> index;
        archive(tag);
        if (tag != index_tag) return {};
        archive(index);
        ledger::detail::expect_consumed(archive, "checkpoint index");
        return index;
    } catch (std::exception const&) {
        return {};
    }
}

std::string encode_month(std::uint64_t first_position) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(month_tag, first_position);
    return out;
}

std::optional<std::uint64_t> decode_month(std::string_view bytes) {
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t tag = 0;
        std::uint64_t position = 0;
        archive(tag, position);
        ledger::detail::expect_consumed(archive, "checkpoint month record");
        if (tag != month_tag) return std::nullopt;
        return position;
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

}  // namespace detail

checkpoint_boundary checkpoint_boundaries::at(recorded_event const& event) {
    checkpoint_boundary boundary;
    if (event.position == 0) {
        last_position_ = 0;
        last_recorded_ = event.recorded_at;
        return boundary;
    }
    boundary.interval = options_.every != 0 && event.position % options_.every == 0;
    if (options_.month_starts) {
        if (last_position_ != event.position - 1) {
            auto const before = store_.read_event(event.position - 1);
            if (before) last_recorded_ = before->recorded_at;
        }
        boundary.month_start = !detail::same_month(last_recorded_, event.recorded_at);
    }
    last_position_ = event.position;
    last_recorded_ = event.recorded_at;
    return boundary;
}

}  // namespace ledger::app
