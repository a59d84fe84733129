#pragma once
// The record a read model's snapshot is stored as in the `projections` table: the code version
// that wrote it, how many log events it covers and the state, in one value so that one put
// writes them together.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::app::detail {

struct projection_snapshot {
    std::uint32_t code_version = 0;
    std::uint64_t next_position = 0;  // events folded: positions [0, next_position)
    std::string state;                // read_model::save()
};

/// The table key of a read model's snapshot: "snapshot/<name>".
std::string snapshot_key(std::string_view name);

std::string encode_snapshot(projection_snapshot const& snapshot);

/// nullopt for bytes that are not a snapshot record.
std::optional<projection_snapshot> decode_snapshot(std::string_view bytes);

}  // namespace ledger::app::detail
