#pragma once
// Turns a ledger written by this build (format 5: split, compressed log values) into the
// format-3 ledger an older build wrote: every log value back to its plain stored bytes, no log
// dictionary in meta, format_version 3; or into the format-4 ledger the build before wrote
// (tagged values, the same dictionaries). Tests of older formats start from them.

#include "detail/log_values.hpp"
#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ledger::testing {

inline void rewrite_as_format_3(std::filesystem::path const& data) {
    namespace detail = store::detail;
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    REQUIRE(db.log_codec->kind() != detail::log_values::encoding::plain);
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
    store::lmdb::env env({.directory = data});
    store::lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    REQUIRE(db.log_codec->kind() == detail::log_values::encoding::split);
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
