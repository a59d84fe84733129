#include "detail/stream_table.hpp"

#include <stdexcept>

namespace ledger::store::detail {

stream_key_parts parse_stream_key(std::string_view key) noexcept {
    if (key.size() != sizeof(stream_index_key)) return {};
    auto const number = decode_u64(key.substr(0, 8));
    auto const version = decode_u64(key.substr(8));
    if (version == head_key_version) return {.what = stream_key_parts::kind::head, .stream_number = number};
    return {.what = stream_key_parts::kind::run, .stream_number = number, .first_version = version};
}

std::optional<stream_head> read_stream_head(lmdb::txn const& txn, tables const& db, std::string_view stream) {
    std::optional<std::string_view> bytes;
    std::uint64_t stream_number = 0;  // the key's (combined layout)
    if (db.layout == stream_layout::separate) {
        bytes = txn.get(db.stream_heads, stream);
    } else if (auto const number = txn.get(db.stream_names, stream)) {
        stream_number = decode_u64(*number);
        bytes = txn.get(db.streams, view(encode_stream_index_key(stream_number, head_key_version)));
        if (!bytes) throw codec_error("the stream " + std::string(stream) + " has a number but no head");
    }
    if (!bytes) return std::nullopt;
    return decode_stream_head(*bytes, db.heads, stream_number);
}

void put_stream_head(lmdb::write_txn& txn, tables const& db, std::string_view stream,
                     stream_head const& head, bool created, std::string& scratch) {
    scratch.clear();
    encode_stream_head(head, db.heads, scratch);
    if (db.layout == stream_layout::separate) {
        txn.put(db.stream_heads, stream, scratch);
        return;
    }
    // A created stream has the largest number: its head goes after its first run, which
    // put_run_start has just appended at the table's end.
    txn.put(db.streams, view(encode_stream_index_key(head.stream_number, head_key_version)), scratch, created);
    if (created && !txn.put_new(db.stream_names, stream, view(encode_u64(head.stream_number)))) {
        throw std::logic_error("the stream name " + std::string(stream) + " already has a number");
    }
}

stream_index_tail read_stream_index_tail(lmdb::txn const& txn, tables const& db) {
    stream_index_tail tail;
    lmdb::cursor last_stream(txn, db.layout == stream_layout::separate ? db.stream_index : db.streams);
    if (auto const key = last_stream.last(); key && key->first.size() == sizeof(stream_index_key)) {
        tail.any_stream = true;
        tail.newest_stream = decode_u64(key->first.substr(0, 8));
    }
    return tail;
}

void put_run_start(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
                   std::string_view position_key, stream_index_tail& tail) {
    // A stream's runs (number ‖ version) are the index's largest keys when it is the newest
    // stream (versions only grow within a stream): then MDB_APPEND. In the combined layout the
    // newest stream's head follows its runs, so only a stream newer than every other appends.
    bool const combined = db.layout == stream_layout::combined;
    bool const at_end = !tail.any_stream || stream_number > tail.newest_stream ||
                        (!combined && stream_number == tail.newest_stream);
    txn.put(combined ? db.streams : db.stream_index, view(encode_stream_index_key(stream_number, version)),
            position_key, at_end);
    if (at_end) {
        tail.any_stream = true;
        tail.newest_stream = stream_number;
    }
}

std::optional<version_location> locate_version(lmdb::txn const& txn, tables const& db,
                                               std::uint64_t stream_number, std::uint64_t version) {
    auto const key = encode_stream_index_key(stream_number, version);
    lmdb::cursor cursor(txn, db.layout == stream_layout::separate ? db.stream_index : db.streams);
    auto entry = cursor.seek(view(key));
    if (entry && entry->first == view(key)) return version_location{decode_u64(entry->second), true};
    // The largest key below: a run of this stream, or another stream's (or its head).
    entry = entry ? cursor.prev() : cursor.last();
    if (!entry || entry->first.size() != key.size() || decode_u64(entry->first.substr(0, 8)) != stream_number) {
        return std::nullopt;
    }
    auto const first_version = decode_u64(entry->first.substr(8));
    return version_location{decode_u64(entry->second) + (version - first_version), false};
}

stream_census count_stream_records(lmdb::txn const& txn, tables const& db) {
    stream_census census;
    if (db.layout == stream_layout::separate) {
        lmdb::cursor heads(txn, db.stream_heads);
        for (auto entry = heads.first(); entry; entry = heads.next()) {
            ++census.heads;
            census.versions += decode_stream_head(entry->second, db.heads, 0).last_version + 1;
        }
        census.runs = txn.entries(db.stream_index);
        return census;
    }
    lmdb::cursor records(txn, db.streams);
    for (auto entry = records.first(); entry; entry = records.next()) {
        auto const parts = parse_stream_key(entry->first);
        if (parts.what == stream_key_parts::kind::head) {
            auto const head = decode_stream_head(entry->second, db.heads, parts.stream_number);
            if (head.stream_number != parts.stream_number) {
                ++census.malformed;
                continue;
            }
            ++census.heads;
            census.versions += head.last_version + 1;
        } else if (parts.what == stream_key_parts::kind::run && entry->second.size() == 8) {
            ++census.runs;
        } else {
            ++census.malformed;
        }
    }
    // Every name leads to a head, and only names do.
    lmdb::cursor names(txn, db.stream_names);
    std::uint64_t named = 0;
    for (auto entry = names.first(); entry; entry = names.next()) {
        bool const has_head = entry->second.size() == 8 &&
                              txn.get(db.streams, view(encode_stream_index_key(decode_u64(entry->second),
                                                                                head_key_version)));
        if (has_head) {
            ++named;
        } else {
            ++census.malformed;
        }
    }
    if (named != census.heads) ++census.malformed;
    return census;
}

std::uint64_t stream_count(lmdb::txn const& txn, tables const& db) {
    return txn.entries(db.layout == stream_layout::separate ? db.stream_heads : db.stream_names);
}

}  // namespace ledger::store::detail
