#pragma once
// Turns a ledger written by this build (format 6: split, compressed log values, the keyed
// event-id index) into the format-3 ledger an older build wrote: every log value back to its
// plain stored bytes, no log dictionary in meta, the whole-id index, format_version 3; into the
// format-4 ledger a later build wrote (tagged values, the same dictionaries); into the
// format-5 ledger the build after wrote (only the id index differs); or into the format-6
// ledger the build before this one wrote (only the stream records differ: runs and heads in
// `streams`). Tests of older formats start from them.

#include "detail/event_id_index.hpp"
#include "detail/log_values.hpp"
#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ledger::testing {

/// The ledger's stored format_version (meta), read underneath the store.
inline std::uint64_t format_of(std::filesystem::path const& data) {
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const value = txn.get(txn.open_database("meta"), "format_version");
    REQUIRE(value);
    return boost::endian::load_big_u64(reinterpret_cast<unsigned char const*>(value->data()));
}

/// Rewrites a format-6 ledger's own records as format 5 kept them: the keyed event-id index
/// into `event_ids` (id -> u64 BE position, read from the log; `event_id_keys` left empty) and
/// the packed heads in `streams` as cereal heads.
inline void rewrite_format_6_records_as_5(store::lmdb::write_txn& txn, store::detail::tables const& db) {
    namespace detail = store::detail;
    std::vector<std::pair<std::string, std::string>> ids;
    std::vector<std::string> keys;
    {
        std::string scratch;
        store::lmdb::cursor log(txn, db.log);
        for (auto entry = log.first(); entry; entry = log.next()) {
            auto const position = boost::endian::load_big_u64(reinterpret_cast<unsigned char const*>(entry->first.data()));
            auto const event = decode_stored(db.log_codec->decode(position, entry->second, scratch));
            ids.emplace_back(std::string(reinterpret_cast<char const*>(event.id.data), sizeof event.id.data),
                             std::string(entry->first));
        }
        store::lmdb::cursor keyed(txn, db.event_id_keys);
        for (auto entry = keyed.first(); entry; entry = keyed.next()) keys.emplace_back(entry->first);
    }
    for (auto const& key : keys) txn.remove(db.event_id_keys, key);
    for (auto const& [id, position] : ids) txn.put(db.event_ids, id, position);
    std::vector<std::pair<std::string, std::string>> heads;
    {
        store::lmdb::cursor streams(txn, db.streams);
        for (auto entry = streams.first(); entry; entry = streams.next()) {
            auto const parts = detail::parse_stream_key(entry->first);
            if (parts.what != detail::stream_key_parts::kind::head) continue;
            auto const head = detail::decode_stream_head(entry->second, db.heads, parts.stream_number);
            std::string cereal;
            detail::encode_stream_head(head, detail::head_encoding::cereal, cereal);
            heads.emplace_back(entry->first, std::move(cereal));
        }
    }
    for (auto const& [key, head] : heads) txn.put(db.streams, key, head);
}

inline void set_format_version(store::lmdb::write_txn& txn, store::detail::tables const& db, std::uint64_t format) {
    std::string version(8, '\0');
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(version.data()), format);
    txn.put(db.meta, "format_version", version);
}

/// Rewrites a format-7 ledger's stream records as format 6 kept them: each run of `stream_runs`
/// as `streams`' number ‖ first version -> first position (u64 BE), each head (number -> linked
/// head) as number ‖ 2^64-1 -> packed head; `stream_runs` and `stream_marks` left empty.
inline void rewrite_as_format_6(std::filesystem::path const& data) {
    namespace detail = store::detail;
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    REQUIRE(db.layout == detail::stream_layout::linked);
    REQUIRE_FALSE(txn.get(db.meta, detail::meta_heads_pending_from).has_value());  // closed cleanly
    std::vector<std::pair<std::string, std::string>> records;
    std::vector<std::string> heads, runs, marks;
    {
        store::lmdb::cursor streams(txn, db.streams);
        for (auto entry = streams.first(); entry; entry = streams.next()) {
            auto const number = detail::decode_u64(entry->first);
            auto const head = detail::decode_stream_head(entry->second, db.heads, number);
            std::string packed;
            detail::encode_stream_head(head, detail::head_encoding::packed, packed);
            records.emplace_back(std::string(detail::view(detail::encode_stream_index_key(number, detail::head_key_version))),
                                 std::move(packed));
            heads.emplace_back(entry->first);
        }
        store::lmdb::cursor linked(txn, db.stream_runs);
        for (auto entry = linked.first(); entry; entry = linked.next()) {
            auto const run = detail::decode_run_record(entry->second);
            records.emplace_back(std::string(detail::view(detail::encode_stream_index_key(run.stream_number, run.first_version))),
                                 std::string(entry->first));
            runs.emplace_back(entry->first);
        }
        store::lmdb::cursor marked(txn, db.stream_marks);
        for (auto entry = marked.first(); entry; entry = marked.next()) marks.emplace_back(entry->first);
    }
    for (auto const& key : heads) txn.remove(db.streams, key);
    for (auto const& key : runs) txn.remove(db.stream_runs, key);
    for (auto const& key : marks) txn.remove(db.stream_marks, key);
    for (auto const& [key, value] : records) txn.put(db.streams, key, value);
    set_format_version(txn, db, 6);
    txn.commit();
}

/// A format-7 or -8 ledger (a new one) as format 6 first; others as they are.
inline void rewrite_linked_as_format_6(std::filesystem::path const& data) {
    if (format_of(data) >= 7) rewrite_as_format_6(data);
}

/// A format-8 ledger closed cleanly (no heads pending: meta has no heads_pending_from) as
/// format 7, whose tables and records are the same; from then on its writer puts heads at once.
inline void rewrite_as_format_7(std::filesystem::path const& data) {
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = store::detail::tables::open(txn);
    REQUIRE(db.lazy_heads);
    REQUIRE_FALSE(txn.get(db.meta, store::detail::meta_heads_pending_from).has_value());
    set_format_version(txn, db, 7);
    txn.commit();
}

inline void rewrite_as_format_5(std::filesystem::path const& data) {
    rewrite_linked_as_format_6(data);
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = store::detail::tables::open(txn);
    REQUIRE(db.id_layout == store::detail::id_index_layout::keyed);
    rewrite_format_6_records_as_5(txn, db);
    set_format_version(txn, db, 5);
    txn.commit();
}

inline void rewrite_as_format_3(std::filesystem::path const& data) {
    namespace detail = store::detail;
    rewrite_linked_as_format_6(data);
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    REQUIRE(db.log_codec->kind() != detail::log_values::encoding::plain);
    if (db.id_layout == detail::id_index_layout::keyed) rewrite_format_6_records_as_5(txn, db);
    std::vector<std::pair<std::string, std::string>> plain;
    std::vector<std::string> dictionaries;
    {
        std::string scratch;
        store::lmdb::cursor log(txn, db.log);
        for (auto entry = log.first(); entry; entry = log.next()) {
            auto const position = boost::endian::load_big_u64(reinterpret_cast<unsigned char const*>(entry->first.data()));
            plain.emplace_back(entry->first, db.log_codec->decode(position, entry->second, scratch));
        }
        store::lmdb::cursor meta(txn, db.meta);
        for (auto entry = meta.seek("log_dictionary/"); entry && entry->first.starts_with("log_dictionary/");
             entry = meta.next()) {
            dictionaries.emplace_back(entry->first);
        }
    }
    for (auto const& [key, stored] : plain) txn.put(db.log, key, stored);
    for (auto const& key : dictionaries) txn.remove(db.meta, key);
    std::string version(8, '\0');
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(version.data()), 3);
    txn.put(db.meta, "format_version", version);
    txn.commit();
}

inline void rewrite_as_format_4(std::filesystem::path const& data) {
    namespace detail = store::detail;
    rewrite_linked_as_format_6(data);
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    REQUIRE(db.log_codec->kind() == detail::log_values::encoding::split);
    if (db.id_layout == detail::id_index_layout::keyed) rewrite_format_6_records_as_5(txn, db);
    // A format-4 build seeded its ledgers with dictionary 1 only.
    auto const tagged = detail::log_values::with_dictionaries({{detail::builtin_dictionary_id, std::string(detail::builtin_log_dictionary())}},
                                                              detail::log_values::default_level,
                                                              detail::log_values::encoding::tagged);
    std::vector<std::pair<std::string, std::string>> values;
    std::vector<std::string> dictionaries;
    {
        std::string scratch, value;
        store::lmdb::cursor log(txn, db.log);
        for (auto entry = log.first(); entry; entry = log.next()) {
            auto const position = boost::endian::load_big_u64(reinterpret_cast<unsigned char const*>(entry->first.data()));
            auto const stored = db.log_codec->decode(position, entry->second, scratch);
            values.emplace_back(entry->first, std::string(tagged->encode(position, stored, value)));
        }
        store::lmdb::cursor meta(txn, db.meta);
        for (auto entry = meta.seek("log_dictionary/"); entry && entry->first.starts_with("log_dictionary/");
             entry = meta.next()) {
            dictionaries.emplace_back(entry->first);
        }
    }
    for (auto const& [key, value] : values) txn.put(db.log, key, value);
    for (auto const& key : dictionaries) txn.remove(db.meta, key);
    txn.put(db.meta, detail::log_dictionary_key(detail::builtin_dictionary_id), detail::builtin_log_dictionary());
    std::string version(8, '\0');
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(version.data()), 4);
    txn.put(db.meta, "format_version", version);
    txn.commit();
}

}  // namespace ledger::testing
