#pragma once
// Putting one event that is already sealed (stored bytes = canonical bytes ‖ 32-byte chain hash)
// and its index entries inside a write transaction: the one place the log's layout is written.
// The group writer uses it for the events it seals; a replication follower uses it for events
// that arrive sealed (same bytes, same position), so both leave identical tables.
//
// Also `group_events`: what one group commit wrote, in log order, in buffers reused from group
// to group (no allocation per event once warm).
//
// Threading: whoever owns the write transaction (the writer thread). Errors: lmdb::error (and
// map_full) from LMDB; std::logic_error when the event id is already indexed (a bug upstream:
// idempotency and fresh ids are checked before anything is put; formats 1-5 only, format 6's
// index cannot tell without reading the log, detail/event_id_index.hpp).

#include "detail/canonical_split.hpp"
#include "detail/event_id_index.hpp"
#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/append.hpp"
#include "ledger/store/lmdb.hpp"
#include "ledger/uuid.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::store::detail {

/// Where one stored event goes: its position, its stream's number and its version there.
struct event_placement {
    std::uint64_t position = 0;
    std::uint64_t stream_number = 0;
    std::uint64_t version = 0;
    uuid id{};
    // Linked layout (format 7): the stream head's last_run, read for the back link and set when
    // this event starts a run (the caller then writes the head). Unused in formats 1-6.
    std::uint64_t* last_run = nullptr;
};

/// What the index puts may assume about the tables' ends, so they append (MDB_APPEND: no
/// search, full pages) instead of inserting. Advanced by put_stored_event.
struct index_tails {
    id_index_tail ids;          // the event-id index (event_id_index.hpp)
    stream_index_tail streams;  // the separate layout's stream index (stream_table.hpp)
    // The run the last put event belongs to (tables.hpp): an event that continues it (same
    // stream, next version, next position) needs no stream-index entry of its own.
    bool run_open = false;
    std::uint64_t run_stream = 0;
    std::uint64_t run_next_version = 0;
    std::uint64_t run_next_position = 0;
};

/// The tails as the committed tables show them (the open run is not known: the next event
/// starts a run of its own, which is always correct).
index_tails read_index_tails(lmdb::txn const& txn, tables const& db);

/// Puts `stored` (canonical ‖ hash) at `where.position` in the log (as db.log_codec encodes
/// it: compressed in formats 4 and 5, detail/log_values.hpp), its event-id entry, and a
/// stream-index entry when it starts a run (in the ledger's layout; format 7 also a mark for
/// every mark_interval-th version, and `where.last_run` must be set). The position must be the
/// log's next one. `prepared`: the event's template made before the writer
/// (log_values::prepare, format 5), so nothing is compressed here; empty: encoded here.
/// Returns whether the value was spliced from `prepared` (false: encoded here).
bool put_stored_event(lmdb::write_txn& txn, tables const& db, event_placement const& where,
                      std::string_view stored, index_tails& tails, std::string_view prepared = {});

/// Puts an event whose log value is already encoded (`value`, db.log_codec's form of its
/// stored bytes) and its index entries, as put_stored_event does after encoding.
void put_encoded_event(lmdb::write_txn& txn, tables const& db, event_placement const& where, std::string_view value,
                       index_tails& tails);

/// The templates of one request's events (log_values::prepare, format 5), made on the appending
/// thread before the request is queued for the writer, back to back. Empty: none were made
/// (another format, sealed personal data, or preparing failed): the writer compresses.
class prepared_templates {
public:
    /// Prepares every event of `request` with `codec`; leaves this empty when `codec` is not
    /// split or anything fails (the writer then encodes as before). Never throws.
    void prepare(log_values const& codec, append_request const& request) noexcept;
    std::size_t size() const noexcept { return ends_.size(); }
    std::string_view at(std::size_t i) const noexcept {
        std::size_t const begin = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(bytes_).substr(begin, ends_[i] - begin);
    }

private:
    std::string bytes_;
    std::vector<std::size_t> ends_;
};

// read_stream_head and put_stream_head (a stream's head record): detail/stream_table.hpp.

/// The events one group commit wrote so far, in log order, and their stored bytes.
class group_events {
public:
    void clear() noexcept {
        count_ = 0;
        bytes_.clear();
        ends_.clear();
        leaves_.clear();
    }
    bool empty() const noexcept { return count_ == 0; }
    std::size_t size() const noexcept { return count_; }

    /// The slot of the next event: a reused object whose strings keep their memory. Fill it,
    /// then encode it with `encode_stored`.
    recorded_event& next_slot();

    /// Encodes the last slot's canonical bytes, chains its hash (sets slot.hash) and keeps the
    /// stored bytes; returns them (valid until the next call).
    template <class Chain>
    std::string_view seal_last(Chain&& chain);

    /// As seal_last, but the canonical bytes are joined from `templ` (the event's template,
    /// log_values::prepare) and `fields` (the slot's writer fields, fields_of) instead of
    /// encoded from the slot: the slot must hold the event the template was made from.
    template <class Chain>
    std::string_view seal_last_joined(std::string_view templ, template_layout const& layout,
                                      writer_fields const& fields, Chain&& chain);

    std::span<recorded_event const> events() const noexcept { return {events_.data(), count_}; }

    /// The Merkle leaf of the event just sealed (RFC 9162: SHA-256(0x00 ‖ canonical)), hashed with
    /// its chain link (hash_link_and_leaf), for merkle_append. Kept only when every
    /// event of the group has one (leaves().size() == size()); otherwise the leaves are hashed
    /// from stored(i).
    void keep_leaf(sha256_digest const& leaf) { leaves_.push_back(leaf); }
    std::span<sha256_digest const> leaves() const noexcept { return leaves_; }
    /// The stored bytes (canonical ‖ hash) of the i-th event of the group.
    std::string_view stored(std::size_t i) const noexcept {
        std::size_t const begin = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(bytes_).substr(begin, ends_[i] - begin);
    }

private:
    std::vector<recorded_event> events_;
    std::size_t count_ = 0;
    std::string bytes_;              // every stored value of the group, back to back
    std::vector<std::size_t> ends_;  // where each one ends in bytes_
    std::vector<sha256_digest> leaves_;
};

}  // namespace ledger::store::detail

#include "ledger/envelope_codec.hpp"

namespace ledger::store::detail {

template <class Chain>
std::string_view group_events::seal_last(Chain&& chain) {
    auto& event = events_[count_ - 1];
    std::size_t const begin = bytes_.size();
    encode_canonical_into(event, bytes_);
    event.hash = chain(std::string_view(bytes_).substr(begin));
    bytes_.append(reinterpret_cast<char const*>(event.hash.data()), event.hash.size());
    ends_.push_back(bytes_.size());
    return std::string_view(bytes_).substr(begin);
}

template <class Chain>
std::string_view group_events::seal_last_joined(std::string_view templ, template_layout const& layout,
                                                writer_fields const& fields, Chain&& chain) {
    auto& event = events_[count_ - 1];
    std::size_t const begin = bytes_.size();
    join_canonical(templ, layout, fields, bytes_);
    event.hash = chain(std::string_view(bytes_).substr(begin));
    bytes_.append(reinterpret_cast<char const*>(event.hash.data()), event.hash.size());
    ends_.push_back(bytes_.size());
    return std::string_view(bytes_).substr(begin);
}

}  // namespace ledger::store::detail
