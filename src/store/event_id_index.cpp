#include "detail/event_id_index.hpp"

#include "detail/canonical_split.hpp"

#include "ledger/envelope_codec.hpp"

#include <boost/endian/conversion.hpp>

#include <algorithm>
#include <stdexcept>

namespace ledger::store::detail {
namespace {

constexpr std::size_t position_bytes = 6;
constexpr std::uint64_t largest_position = (std::uint64_t{1} << (8 * position_bytes)) - 1;
constexpr std::size_t hashed_key_bytes = 4;
constexpr std::size_t v7_key_bytes = 8;

unsigned char const* bytes_of(uuid const& id) noexcept { return reinterpret_cast<unsigned char const*>(id.data); }

bool is_v7(uuid const& id) noexcept {
    auto const* bytes = bytes_of(id);
    return (bytes[6] >> 4) == 7 && (bytes[8] & 0xC0) == 0x80;
}

// MurmurHash3's 64-bit finaliser: every input bit moves every output bit. Part of format 6:
// changing it would lose every non-v7 id of every keyed ledger.
std::uint64_t mix(std::uint64_t k) noexcept {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

std::string_view full_key(uuid const& id) noexcept {
    return {reinterpret_cast<char const*>(id.data), sizeof id.data};
}

// The id of the event at `position` as the log holds it; nullopt when the log has no such
// event (an index entry pointing nowhere: verify reports it).
std::optional<uuid> logged_id(lmdb::txn const& txn, tables const& db, std::uint64_t position, std::string& scratch) {
    auto const value = txn.get(db.log, view(encode_u64(position)));
    if (!value) return std::nullopt;
    uuid id{};
    if (auto const outside = db.log_codec->event_id_outside_frame(*value)) {
        std::copy(outside->begin(), outside->end(), reinterpret_cast<char*>(id.data));
        return id;
    }
    auto const stored = db.log_codec->decode(position, *value, scratch);
    if (auto const parts = split_canonical(canonical_part(stored))) {
        std::copy(parts->fields.id.begin(), parts->fields.id.end(), reinterpret_cast<char*>(id.data));
    } else {
        id = decode_stored(stored).id;  // bytes of another shape: the full decoder knows them
    }
    return id;
}

}  // namespace

event_id_key::event_id_key(uuid const& id, id_index_layout layout) noexcept {
    if (layout == id_index_layout::full) {
        std::copy_n(reinterpret_cast<char const*>(id.data), sizeof id.data, bytes_.data());
        size_ = sizeof id.data;
    } else if (is_v7(id)) {
        std::copy_n(reinterpret_cast<char const*>(id.data), v7_key_bytes, bytes_.data());
        size_ = v7_key_bytes;
    } else {
        auto const high = boost::endian::load_big_u64(bytes_of(id));
        auto const low = boost::endian::load_big_u64(bytes_of(id) + 8);
        auto const hash = mix(high ^ mix(low));
        boost::endian::store_big_u32(reinterpret_cast<unsigned char*>(bytes_.data()),
                                     static_cast<std::uint32_t>(hash >> 32));
        size_ = hashed_key_bytes;
    }
}

event_id_key::event_id_key(std::string_view stored) noexcept : size_(std::min(stored.size(), bytes_.size())) {
    std::copy_n(stored.data(), size_, bytes_.data());
}

id_index_tail read_id_index_tail(lmdb::txn const& txn, tables const& db) {
    id_index_tail tail;
    lmdb::cursor last(txn, db.id_layout == id_index_layout::full ? db.event_ids : db.event_id_keys);
    if (auto const entry = last.last()) {
        tail.any = true;
        tail.largest = event_id_key(entry->first);
    }
    return tail;
}

std::optional<std::uint64_t> find_event_id(lmdb::txn const& txn, tables const& db, uuid const& id) {
    if (db.id_layout == id_index_layout::full) {
        auto const bytes = txn.get(db.event_ids, full_key(id));
        if (!bytes) return std::nullopt;
        return decode_u64(*bytes);
    }
    event_id_key const key(id, db.id_layout);
    if (!txn.get(db.event_id_keys, key.view())) return std::nullopt;  // the usual miss: no cursor
    lmdb::cursor candidates(txn, db.event_id_keys);
    std::string scratch;
    for (auto entry = candidates.seek(key.view()); entry && entry->first == key.view(); entry = candidates.next()) {
        if (entry->second.size() != position_bytes) throw codec_error("malformed event-id index entry");
        auto const position = boost::endian::load_big_u48(reinterpret_cast<unsigned char const*>(entry->second.data()));
        if (logged_id(txn, db, position, scratch) == id) return position;
    }
    return std::nullopt;
}

void put_event_id(lmdb::write_txn& txn, tables const& db, uuid const& id, std::uint64_t position,
                  id_index_tail& tail) {
    event_id_key const key(id, db.id_layout);
    // A key past the largest goes to the end (MDB_APPEND: no search, full pages): generated
    // ids in either layout. A key equal to the largest is one more duplicate (positions grow,
    // so it goes to the end of its set); LMDB's MDB_APPEND would refuse it.
    bool const append = tail.past(key);
    if (db.id_layout == id_index_layout::full) {
        // No overwrite: an id already there is a bug upstream, and failing the group (the
        // exception) is better than repointing the index at another event.
        if (!txn.put_new(db.event_ids, key.view(), view(encode_u64(position)), append)) {
            throw std::logic_error("event id " + to_string(id) + " is already in the id index");
        }
    } else {
        if (position > largest_position) throw std::overflow_error("the event-id index holds positions below 2^48");
        std::array<char, position_bytes> value{};
        boost::endian::store_big_u48(reinterpret_cast<unsigned char*>(value.data()), position);
        txn.put(db.event_id_keys, key.view(), {value.data(), value.size()}, append);
    }
    if (append) {
        tail.any = true;
        tail.largest = key;
    }
}

std::uint64_t count_event_ids(lmdb::txn const& txn, tables const& db) {
    return txn.entries(db.id_layout == id_index_layout::full ? db.event_ids : db.event_id_keys);
}

}  // namespace ledger::store::detail
