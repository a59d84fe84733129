#pragma once
// Turns a ledger written by this build (format 4: tagged, compressed log values) into the
// format-3 ledger an older build wrote: every log value back to its plain stored bytes, no log
// dictionary in meta, format_version 3. Tests of older formats start from it.

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
    REQUIRE(db.log_codec->kind() == detail::log_values::encoding::tagged);
    std::vector<std::pair<std::string, std::string>> plain;
    std::vector<std::string> dictionaries;
    {
        std::string scratch;
        store::lmdb::cursor log(txn, db.log);
        for (auto entry = log.first(); entry; entry = log.next()) {
            plain.emplace_back(entry->first, db.log_codec->decode(entry->second, scratch));
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

}  // namespace ledger::testing
