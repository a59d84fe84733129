#include "ledger/app/projection_snapshot.hpp"

#include "ledger/detail/binary_archive.hpp"
#include "ledger/sha256.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>

namespace ledger::app::detail {
namespace {

// "RMS2": read-model snapshot, record format 2 (format 1, before issue 14, had no tag and no
// checksum; its first field was a small code version, so the two cannot be confused).
constexpr std::uint32_t format_tag = 0x32534D52;

}  // namespace

std::string snapshot_key(std::string_view name) { return "snapshot/" + std::string(name); }

std::string table_snapshot_key() { return "snapshot-table/applications"; }

std::string encode_state_record(std::uint32_t tag, projection_snapshot const& record) {
    std::string out;
    out.reserve(record.state.size() + 64);
    ledger::detail::string_output_archive archive(out);
    archive(tag, record.code_version, record.next_position, sha256(record.state), record.state);
    return out;
}

std::optional<projection_snapshot> decode_state_record(std::uint32_t tag, std::string_view what,
                                                       std::string_view bytes, std::string* problem,
                                                       bool verify) {
    auto fail = [&](std::string why) -> std::optional<projection_snapshot> {
        if (problem != nullptr) *problem = std::move(why);
        return std::nullopt;
    };
    projection_snapshot record;
    sha256_digest checksum{};
    auto const record_name = std::string(what) + " record";
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t stored_tag = 0;
        archive(stored_tag);
        if (stored_tag != tag) return fail("not a " + record_name + " of this format");
        archive(record.code_version, record.next_position, checksum, record.state);
        ledger::detail::expect_consumed(archive, record_name);
    } catch (std::exception const&) {
        return fail("the record does not decode");  // codec_error, or length_error for a corrupt size
    }
    if (verify && sha256(record.state) != checksum) return fail("the state does not match its checksum");
    return record;
}

std::string encode_snapshot(projection_snapshot const& snapshot) { return encode_state_record(format_tag, snapshot); }

std::optional<projection_snapshot> decode_snapshot(std::string_view bytes, std::string* problem) {
    return decode_state_record(format_tag, "snapshot", bytes, problem, true);
}

}  // namespace ledger::app::detail
