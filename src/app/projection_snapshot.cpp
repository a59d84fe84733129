#include "ledger/app/projection_snapshot.hpp"

#include "ledger/detail/binary_archive.hpp"
#include "ledger/detail/sha256_low_level.hpp"
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

}  // namespace

std::string snapshot_key(std::string_view name) { return "snapshot/" + std::string(name); }

std::string table_snapshot_key() { return "snapshot-table/applications"; }

std::string entity_snapshot_key(std::string_view name) { return "snapshot-entities/" + std::string(name); }

std::string encode_entity_snapshot(projection_snapshot const& snapshot) {
    return encode_state_record(entity_format_tag, snapshot);
}

std::optional<projection_snapshot_view> decode_entity_snapshot_view(std::string_view bytes, std::string* problem) {
    return decode_state_record_view(entity_format_tag, "entity table", bytes, problem, true);
}

std::string encode_state_record(std::uint32_t tag, projection_snapshot const& record) {
    std::string out;
    out.reserve(record.state.size() + 64);
    ledger::detail::string_output_archive archive(out);
    archive(tag, record.code_version, record.next_position, sha256(record.state), record.state);
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
        if (stored_tag != tag) return fail("not a " + record_name + " of this format");
        archive(record.code_version, record.next_position, checksum);
        // The state is the last field, a size and its bytes (cereal's string): view them in
        // place rather than copy what may be hundreds of MiB (start-up time).
        cereal::size_type size = 0;
        archive(cereal::make_size_tag(size));
        if (size != archive.remaining()) return fail("the record does not decode");
        record.state = bytes.substr(bytes.size() - static_cast<std::size_t>(size));
    } catch (std::exception const&) {
        return fail("the record does not decode");  // codec_error, or length_error for a corrupt size
    }
    if (verify && sha256(record.state) != checksum) return fail("the state does not match its checksum");
    return record;
}

std::optional<projection_snapshot_pieces> decode_state_record_pieces(std::uint32_t tag, std::string_view what,
                                                                     std::span<std::string_view const> pieces,
                                                                     std::string* problem) {
    auto fail = [&](std::string why) -> std::optional<projection_snapshot_pieces> {
        if (problem != nullptr) *problem = std::move(why);
        return std::nullopt;
    };
    if (pieces.empty()) return fail("the record does not decode");
    std::size_t total = 0;
    for (auto const piece : pieces) total += piece.size();
    // The header (tag, version, position, checksum, the state's size) from the first piece, as
    // decode_state_record_view reads it; the state is every byte after it.
    projection_snapshot_pieces record;
    sha256_digest checksum{};
    auto const first = pieces.front();
    try {
        ledger::detail::memory_input_archive archive(first);
        std::uint32_t stored_tag = 0;
        archive(stored_tag);
        if (stored_tag != tag) return fail("not a " + std::string(what) + " record of this format");
        std::uint64_t size = 0;
        archive(record.code_version, record.next_position, checksum, size);
        auto const header = first.size() - archive.remaining();
        if (size != total - header) return fail("the record does not decode");
        record.state.reserve(pieces.size());
        if (header < first.size()) record.state.push_back(first.substr(header));
    } catch (std::exception const&) {
        return fail("the record does not decode");  // codec_error: the header is not in the first piece
    }
    for (auto const piece : pieces.subspan(1)) record.state.push_back(piece);
    if (ledger::detail::sha256_of_parts(std::span<std::string_view const>(record.state)) != checksum) {
        return fail("the state does not match its checksum");
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

std::string encode_snapshot(projection_snapshot const& snapshot) { return encode_state_record(format_tag, snapshot); }

std::optional<projection_snapshot> decode_snapshot(std::string_view bytes, std::string* problem) {
    return decode_state_record(format_tag, "snapshot", bytes, problem, true);
}

std::optional<projection_snapshot_view> decode_snapshot_view(std::string_view bytes, std::string* problem) {
    return decode_state_record_view(format_tag, "snapshot", bytes, problem, true);
}

}  // namespace ledger::app::detail
