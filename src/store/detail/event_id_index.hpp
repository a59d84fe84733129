#pragma once
// The event-id index (an event's id -> its position), in either layout: the one place that
// knows them. It makes an idempotent retry, `position_of` and the fresh-id check one lookup.
//
// Formats 1-5 ("full"): `event_ids`, id (16 bytes) -> position (u64 BE), one entry per id.
// Format 6 ("keyed", docs/storage.md "Format 6"): `event_id_keys`, MDB_DUPSORT|MDB_DUPFIXED,
//   a short key made from the id -> the positions (u48 BE each, sorted) of the events whose ids
//   have that key. A lookup reads each candidate's id back from the log (without
//   decompressing anything in format 5's values: the id is outside the frame) and keeps the
//   one that matches, so the key need not be unique, only short and well spread:
//     a UUIDv7 id (version 7, RFC 9562 variant): its first 8 bytes (48-bit milliseconds,
//       version, 12 bits), so generated ids arrive in key order and append (MDB_APPEND);
//     any other id: 4 bytes, the high half of a fixed 64-bit mix of its 16 bytes.
//   An entry is 20 bytes in a leaf page (LMDB's node header, a 4-byte key, a 6-byte position,
//   the page's index slot) where format 5's is 34; an 8-byte key costs 24.
//
// Threading: whoever owns the transaction. Errors: lmdb::error from LMDB; codec_error when a
// candidate's log value does not decode; std::logic_error (full layout) when an id is already
// indexed, and std::overflow_error (keyed) for a position past 2^48 - 1.

#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"
#include "ledger/uuid.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store::detail {

/// The key under which `id` is indexed in a ledger of `layout`.
class event_id_key {
public:
    event_id_key(uuid const& id, id_index_layout layout) noexcept;
    /// A key as the table holds it (at most 16 bytes; read_id_index_tail).
    explicit event_id_key(std::string_view stored) noexcept;
    event_id_key() = default;

    std::string_view view() const noexcept { return {bytes_.data(), size_}; }
    /// LMDB's order (memcmp, then the shorter first).
    friend bool operator<(event_id_key const& a, event_id_key const& b) noexcept { return a.view() < b.view(); }

private:
    std::array<char, 16> bytes_{};
    std::size_t size_ = 0;
};

/// The largest key of the index, so that a key past it is known not to be there (no lookup)
/// and goes in with MDB_APPEND.
struct id_index_tail {
    bool any = false;
    event_id_key largest;
    bool past(event_id_key const& key) const noexcept { return !any || largest < key; }
};
id_index_tail read_id_index_tail(lmdb::txn const& txn, tables const& db);

/// The position of the event with this id, as `txn` sees the index; nullopt when none.
std::optional<std::uint64_t> find_event_id(lmdb::txn const& txn, tables const& db, uuid const& id);

/// Indexes `id` at `position` (the log already holds the event, in the same transaction). The
/// caller has made sure the id is not indexed yet (the keyed layout cannot tell without reading
/// the log; the full layout throws std::logic_error).
void put_event_id(lmdb::write_txn& txn, tables const& db, uuid const& id, std::uint64_t position,
                  id_index_tail& tail);

/// How many ids the index holds (verify: one per event).
std::uint64_t count_event_ids(lmdb::txn const& txn, tables const& db);

}  // namespace ledger::store::detail
