#include "detail/put_event.hpp"

#include <algorithm>
#include <stdexcept>

namespace ledger::store::detail {

index_tails read_index_tails(lmdb::txn const& txn, tables const& db) {
    index_tails tails;
    tails.ids = read_id_index_tail(txn, db);
    tails.streams = read_stream_index_tail(txn, db);
    return tails;
}

bool put_stored_event(lmdb::write_txn& txn, tables const& db, event_placement const& where,
                      std::string_view stored, index_tails& tails, std::string_view prepared) {
    thread_local std::string value;  // the encoded value (formats 4 and 5), its memory reused
    bool spliced = false;
    auto const encoded = prepared.empty() ? db.log_codec->encode(where.position, stored, value)
                                          : db.log_codec->encode_prepared(where.position, stored, prepared, value, spliced);
    put_encoded_event(txn, db, where, encoded, tails);
    return spliced;
}

void put_encoded_event(lmdb::write_txn& txn, tables const& db, event_placement const& where, std::string_view value,
                       index_tails& tails) {
    auto const position_key = encode_u64(where.position);
    txn.put(db.log, view(position_key), value, /*append=*/true);
    // The stream index holds runs: an event right after its stream's previous event in the log
    // (a batch, or one stream's appends in a row) is found through the run's first entry.
    bool const continues_run = tails.run_open && tails.run_stream == where.stream_number &&
                               tails.run_next_version == where.version &&
                               tails.run_next_position == where.position;
    if (db.layout == stream_layout::linked) {
        if (where.last_run == nullptr) throw std::logic_error("a linked stream index needs the stream's last run");
        if (!continues_run) put_linked_run(txn, db, where.stream_number, where.version, where.position, *where.last_run);
        if (where.version > 0 && where.version % mark_interval == 0) {
            put_mark(txn, db, where.stream_number, where.version, *where.last_run);
        }
    } else if (!continues_run) {
        put_run_start(txn, db, where.stream_number, where.version, view(position_key), tails.streams);
    }
    tails.run_open = true;
    tails.run_stream = where.stream_number;
    tails.run_next_version = where.version + 1;
    tails.run_next_position = where.position + 1;
    // Generated ids increase, so they usually belong at the end of the index, where MDB_APPEND
    // skips the search and fills pages completely (event_id_index.cpp).
    put_event_id(txn, db, where.id, where.position, tails.ids);
}

void prepared_templates::prepare(log_values const& codec, append_request const& request) noexcept {
    bytes_.clear();
    ends_.clear();
    if (codec.kind() != log_values::encoding::split) return;
    try {
        // The writer's fields (position, version, id, recorded_at) are left out of the template,
        // so whatever this slot holds there does not matter.
        thread_local recorded_event slot;
        slot.stream = request.stream;
        slot.actor = request.actor;
        ends_.reserve(request.events.size());
        for (auto const& event : request.events) {
            slot.type = event.type;
            slot.schema_version = event.schema_version;
            slot.occurred_at = event.occurred_at;
            slot.correlation_id = event.correlation_id;
            slot.causation_id = event.causation_id;
            slot.data = event.data;
            slot.metadata = event.metadata;
            codec.prepare(slot, bytes_);
            ends_.push_back(bytes_.size());
        }
    } catch (std::exception const&) {
        bytes_.clear();
        ends_.clear();
    }
}

recorded_event& group_events::next_slot() {
    if (count_ == events_.size()) events_.emplace_back();
    return events_[count_++];
}

}  // namespace ledger::store::detail
