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

std::string encode_snapshot(projection_snapshot const& snapshot) {
    std::string out;
    out.reserve(snapshot.state.size() + 64);
    ledger::detail::string_output_archive archive(out);
    archive(format_tag, snapshot.code_version, snapshot.next_position, sha256(snapshot.state),
            snapshot.state);
    return out;
}

std::optional<projection_snapshot> decode_snapshot(std::string_view bytes, std::string* problem) {
    auto fail = [&](char const* why) -> std::optional<projection_snapshot> {
        if (problem != nullptr) *problem = why;
        return std::nullopt;
    };
    projection_snapshot snapshot;
    sha256_digest checksum{};
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t tag = 0;
        archive(tag);
        if (tag != format_tag) return fail("not a snapshot record of this format");
        archive(snapshot.code_version, snapshot.next_position, checksum, snapshot.state);
        ledger::detail::expect_consumed(archive, "snapshot record");
    } catch (std::exception const&) {
        return fail("the record does not decode");  // codec_error, or length_error for a corrupt size
    }
    if (sha256(snapshot.state) != checksum) return fail("the state does not match its checksum");
    return snapshot;
}

}  // namespace ledger::app::detail
