#include "ledger/app/projection_snapshot.hpp"

#include "ledger/app/record_compression.hpp"
#include "ledger/detail/binary_archive.hpp"
#include "ledger/sha256.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>

namespace ledger::app::detail {
namespace {

// "RMS2": read-model snapshot, record format 2 (format 1, before issue 14, had no tag and no
// checksum; its first field was a small code version, so the two cannot be confused).
constexpr std::uint32_t format_tag = 0x32534D52;
// "RMT1": a table-backed read model's record (its state without its entities).
constexpr std::uint32_t entity_format_tag = 0x31544D52;

/// The tag of `tag`'s compressed form: its last character (the high byte) 'Z'.
constexpr std::uint32_t compressed_tag(std::uint32_t tag) { return (tag & 0x00FFFFFFu) | 0x5A000000u; }

/// The plain form. Snapshots and entity-table records are written plain: a restart loads them
/// on its way to ready, and decompressing the 10M demo ledger's 34 MB application table record
/// cost 113 ms there (docs/read-models.md "Read-model records on disk"); they are 3.4 B of
/// the 226.6 B per event the read models took.
std::string encode_plain(std::uint32_t tag, projection_snapshot const& record) {
    std::string out;
    out.reserve(record.state.size() + 64);
    ledger::detail::string_output_archive archive(out);
    archive(tag, record.code_version, record.next_position, sha256(record.state), record.state);
    return out;
}

}  // namespace

std::string snapshot_key(std::string_view name) { return "snapshot/" + std::string(name); }

std::string table_snapshot_key() { return "snapshot-table/applications"; }

std::string entity_snapshot_key(std::string_view name) { return "snapshot-entities/" + std::string(name); }

std::string encode_entity_snapshot(projection_snapshot const& snapshot) {
    return encode_plain(entity_format_tag, snapshot);
}

std::optional<projection_snapshot_view> decode_entity_snapshot_view(std::string_view bytes, std::string* problem) {
    return decode_state_record_view(entity_format_tag, "entity table", bytes, problem, true);
}

std::string encode_state_record(std::uint32_t tag, projection_snapshot const& record) {
    auto const frame = compress_state(record.state);
    if (!frame) return encode_plain(tag, record);
    std::string out;
    out.reserve(frame->size() + 72);
    ledger::detail::string_output_archive archive(out);
    archive(compressed_tag(tag), record.code_version, record.next_position, sha256(*frame),
            static_cast<std::uint64_t>(record.state.size()), *frame);
    return out;
}

std::optional<projection_snapshot_view> decode_state_record_view(std::uint32_t tag, std::string_view what,
                                                                 std::string_view bytes, std::string* problem,
                                                                 bool verify) {
    auto fail = [&](std::string why) -> std::optional<projection_snapshot_view> {
        if (problem != nullptr) *problem = std::move(why);
        return std::nullopt;
    };
    projection_snapshot_view record;
    sha256_digest checksum{};
    auto const record_name = std::string(what) + " record";
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t stored_tag = 0;
        archive(stored_tag);
        bool const compressed = stored_tag == compressed_tag(tag);
        if (stored_tag != tag && !compressed) return fail("not a " + record_name + " of this format");
        archive(record.code_version, record.next_position, checksum);
        std::uint64_t state_size = 0;
        if (compressed) archive(state_size);
        // The state (or its frame) is the last field, a size and its bytes (cereal's string):
        // view them in place rather than copy what may be hundreds of MiB (start-up time).
        cereal::size_type size = 0;
        archive(cereal::make_size_tag(size));
        if (size != archive.remaining()) return fail("the record does not decode");
        auto const stored = bytes.substr(bytes.size() - static_cast<std::size_t>(size));
        if (verify && sha256(stored) != checksum) return fail("the state does not match its checksum");
        if (!compressed) {
            record.state = stored;
            return record;
        }
        record.decompressed = decompress_state(stored, static_cast<std::size_t>(state_size));
        record.state = std::string_view(record.decompressed.get(), static_cast<std::size_t>(state_size));
    } catch (std::exception const&) {
        // codec_error, length_error for a corrupt size, bad_alloc for a size beyond memory
        return fail("the record does not decode");
    }
    return record;
}

std::optional<projection_snapshot> decode_state_record(std::uint32_t tag, std::string_view what,
                                                       std::string_view bytes, std::string* problem,
                                                       bool verify) {
    auto const view = decode_state_record_view(tag, what, bytes, problem, verify);
    if (!view) return std::nullopt;
    return projection_snapshot{view->code_version, view->next_position, std::string(view->state)};
}

std::string encode_snapshot(projection_snapshot const& snapshot) { return encode_plain(format_tag, snapshot); }

std::optional<projection_snapshot> decode_snapshot(std::string_view bytes, std::string* problem) {
    return decode_state_record(format_tag, "snapshot", bytes, problem, true);
}

std::optional<projection_snapshot_view> decode_snapshot_view(std::string_view bytes, std::string* problem) {
    return decode_state_record_view(format_tag, "snapshot", bytes, problem, true);
}

}  // namespace ledger::app::detail
