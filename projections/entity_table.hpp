#pragma once
// Where a read model keeps its entities when they live in a table rather than in private
// memory (docs/read-models.md, "Entities in the store"): the runner hands the model a reader of
// the store's `projections` table and, when it flushes, a writer into the group transaction.
// The folds stay pure: they never open, commit or wait for anything; they read through the
// reader and write only when the runner asks them to flush.
//
// Keys of one read model's entities (an epoch is one life of the table: a rebuild starts a new
// one and erases the old ones little by little):
//   e/<code>/<epoch, 8 hex>/g   the generation of the last flush (u64); <code>: a letter per model
//   e/<code>/<epoch>/i/<id>     number (u32) ‖ CRC-32 of the entry ‖ the entry (the stream's id)
//   e/<code>/<epoch>/n/<n>      the stream id of number n (8 hex: the entities in number order)
// In a compact epoch (entity_keys.hpp) there are no n/ records and the entry is packed; an
// ordered epoch's keys are E<code><epoch, 4 bytes> (g) and that ‖ the id's key form (i).
//
// Threading: a reader and a writer are used by one thread at a time (the one folding or
// flushing the read model, which holds its lock).

#include "ledger/envelope_codec.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::projections {

/// An entity record that does not decode or does not match its checksum, or entities that do
/// not add up (a number missing): the read model cannot be trusted and must be rebuilt from
/// the log. Thrown by folds and saves of a table-backed read model.
class damaged_entity : public codec_error {
public:
    using codec_error::codec_error;
};

/// Reads the table; what it sees is at least as new as the last flush the read model knows
/// was committed.
class entity_reader {
public:
    virtual ~entity_reader() = default;
    /// The record under `key`, or nullopt. The view is valid until release() or the next call.
    virtual std::optional<std::string_view> get(std::string_view key) = 0;
    /// Calls visit(key, value) for each record whose key starts with `prefix`, from the first
    /// key >= `from`, in key order, until it returns false.
    virtual void scan(std::string_view from, std::string_view prefix,
                      std::function<bool(std::string_view, std::string_view)> const& visit) = 0;
    /// Ends the read transaction a reader may keep between calls (the next call starts a new
    /// one, which sees every commit made meanwhile).
    virtual void release() = 0;
};

/// Writes into the group transaction the runner flushes in (store::projection_records).
class entity_writer {
public:
    virtual ~entity_writer() = default;
    virtual void put(std::string_view key, std::string_view value) = 0;
    /// Deletes up to `limit` records under `prefix`; returns how many it deleted.
    virtual std::size_t erase_prefix(std::string_view prefix, std::size_t limit) = 0;
};

/// "e/<code>/" (the short and compact forms) and "E<code>" (the ordered form).
std::string entity_model_prefix(std::string_view model);
std::string ordered_entity_model_prefix(std::string_view model);
/// "e/<code>/<epoch>/" (epochs before short_keys_epoch: "entity/<model>/…"; from
/// ordered_entities_epoch on: "E<code><epoch, 4 bytes big-endian>").
std::string entity_epoch_prefix(std::string_view model, std::uint32_t epoch);
/// The epoch of a key of `model`'s entities (any key form: entity_keys.hpp), or nullopt.
std::optional<std::uint32_t> entity_epoch_of(std::string_view model, std::string_view key);
/// The epochs under which the table holds entities of `model` (every form), in ascending
/// order (one seek per epoch).
std::vector<std::uint32_t> entity_epochs(entity_reader& reader, std::string_view model);

}  // namespace ledger::projections
