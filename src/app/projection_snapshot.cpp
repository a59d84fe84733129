#include "ledger/app/projection_snapshot.hpp"

#include "ledger/detail/binary_archive.hpp"

#include <cereal/types/string.hpp>


namespace ledger::app::detail {

std::string snapshot_key(std::string_view name) { return "snapshot/" + std::string(name); }

std::string encode_snapshot(projection_snapshot const& snapshot) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(snapshot.code_version, snapshot.next_position, snapshot.state);
    return out;
}

std::optional<projection_snapshot> decode_snapshot(std::string_view bytes) {
    projection_snapshot snapshot;
    try {
        ledger::detail::memory_input_archive archive(bytes);
        archive(snapshot.code_version, snapshot.next_position, snapshot.state);
    } catch (std::exception const&) {
        return std::nullopt;  // cereal::Exception, or length_error for a corrupt size
    }
    return snapshot;
}

}  // namespace ledger::app::detail
