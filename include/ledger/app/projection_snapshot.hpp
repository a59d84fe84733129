#pragma once
// The record a read model's snapshot is stored as in the `projections` table: the code version
// that wrote it, how many log events it covers, a SHA-256 of the state and the state, in one
// value so that one put writes them together.
//
// A record is used only when it decodes, its checksum matches, its code version is the read
// model's and it covers no more than the log holds; anything else is rebuilt from the log
// (projection_runner.hpp), never served.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <span>
#include <vector>

namespace ledger::app::detail {

struct projection_snapshot {
    std::uint32_t code_version = 0;
    std::uint64_t next_position = 0;  // events folded: positions [0, next_position)
    std::string state;                // read_model::save()
};

/// A decoded record whose state points into the bytes it was decoded from (no copy): valid
/// while they are.
struct projection_snapshot_view {
    std::uint32_t code_version = 0;
    std::uint64_t next_position = 0;
    std::string_view state;
};

/// As projection_snapshot_view for a record read in pieces (a chunked checkpoint record's
/// chunks where they lie in the map): the state is the pieces' bytes in order.
struct projection_snapshot_pieces {
    std::uint32_t code_version = 0;
    std::uint64_t next_position = 0;
    std::vector<std::string_view> state;
};

/// The table key of a read model's snapshot: "snapshot/<name>".
std::string snapshot_key(std::string_view name);
/// The key of the application table's snapshot, saved once for the read models sharing it
/// (their own records then hold read_model::save_without_table()): "snapshot-table/applications".
std::string table_snapshot_key();

/// The key of a read model's record when its entities are kept in the table
/// (read_model::save_table_state(): counters, texts, the entity count and epoch; the entities
/// are records of their own): "snapshot-entities/<name>".
std::string entity_snapshot_key(std::string_view name);

/// A checked state record: `tag`, code version, next position, SHA-256(state), state. Snapshots
/// and as-of checkpoints (projection_checkpoint.hpp) share it with their own tags.
std::string encode_state_record(std::uint32_t tag, projection_snapshot const& record);
/// nullopt for bytes that do not carry `tag` or do not decode, or (with `verify`) whose state
/// does not match its checksum; `problem` then says which, naming the record `what`.
std::optional<projection_snapshot> decode_state_record(std::uint32_t tag, std::string_view what,
                                                       std::string_view bytes, std::string* problem,
                                                       bool verify);

/// As decode_state_record, the state viewed in `bytes` rather than copied.
std::optional<projection_snapshot_view> decode_state_record_view(std::uint32_t tag, std::string_view what,
                                                                 std::string_view bytes, std::string* problem,
                                                                 bool verify);

/// The record: a format tag, the fields above and SHA-256(state).
std::string encode_snapshot(projection_snapshot const& snapshot);

/// nullopt for bytes that are not a snapshot record of this format or whose state does not
/// match its checksum; `problem` (when given) then says which.
std::optional<projection_snapshot> decode_snapshot(std::string_view bytes, std::string* problem = nullptr);
/// As decode_snapshot, the state viewed in `bytes` (start-up: no copy of large states).
/// decode_state_record_view (verified) of the record that `pieces` joined would be, without
/// joining them: the header (57 bytes) must lie in the first piece: the smallest chunk holds 64.
std::optional<projection_snapshot_pieces> decode_state_record_pieces(std::uint32_t tag, std::string_view what,
                                                                     std::span<std::string_view const> pieces,
                                                                     std::string* problem);

std::optional<projection_snapshot_view> decode_snapshot_view(std::string_view bytes, std::string* problem = nullptr);

/// The record under entity_snapshot_key: the same fields with its own tag ("RMT1"), so a
/// whole state is never taken for a table-backed one's or the other way round.
std::string encode_entity_snapshot(projection_snapshot const& snapshot);
std::optional<projection_snapshot_view> decode_entity_snapshot_view(std::string_view bytes, std::string* problem = nullptr);

}  // namespace ledger::app::detail
