#pragma once
// The seam between the store and the privacy layer (SPEC §6, docs/privacy.md): inside the
// writer's transaction, after the append policy admitted a request and before its events are
// encoded and hashed, a personal_data_seal may rewrite each event's `data` (encrypting
// personal fields) and create or destroy subject keys in the `subject_keys` table. Keys and
// events are therefore committed together or not at all, and the hash chain covers the data
// exactly as stored.

#include "ledger/envelope.hpp"
#include "ledger/store/append.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ledger::store {

/// The `subject_keys` table as the writer's transaction sees it. Valid only during a call of
/// personal_data_seal. Throws lmdb::error on storage failures (which fail the whole group).
class subject_key_table {
public:
    virtual ~subject_key_table() = default;
    /// The key stored for `subject`, or nullopt.
    virtual std::optional<std::string> get(std::string_view subject) const = 0;
    /// Stores `key` for `subject`, replacing any earlier one.
    virtual void put(std::string_view subject, std::string_view key) = 0;
    /// Deletes the key of `subject`, if any.
    virtual void remove(std::string_view subject) = 0;
};

class personal_data_seal {
public:
    virtual ~personal_data_seal() = default;

    /// Whether events of `stream` may hold personal data or erase it; the store copies and
    /// seals only those requests, so other appends pay nothing.
    virtual bool applies_to(std::string_view stream) const = 0;

    /// Rewrites `event` (bound for `stream`) into its stored form; may create or destroy keys.
    /// Called on the writer thread for each event of an admitted request, in order.
    /// Must not throw for bad input: an exception fails the whole group as a bug.
    virtual void seal(subject_key_table& keys, std::string_view stream,
                      event_to_append& event) const = 0;

    /// Whether `stored` holds the same data as `incoming` (an unsealed event a client re-sends
    /// for an idempotent retry, or a sealed one from an import). Called on the writer thread.
    virtual bool same_data(subject_key_table const& keys, recorded_event const& stored,
                           event_to_append const& incoming) const = 0;

    /// The data key of `subject` from the form this seal stored in `subject_keys` (the seal
    /// may keep keys wrapped under a key-encryption key), or nullopt when it cannot be opened.
    /// Called from any thread, by event_store::subject_key.
    virtual std::optional<std::string> open_key(std::string_view subject,
                                                std::string_view stored) const = 0;
};

}  // namespace ledger::store
