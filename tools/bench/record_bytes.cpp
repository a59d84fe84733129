// bench-record_bytes: what a served ledger's data.mdb holds, per event (issue 18: on-disk bytes
// of a served ledger, docs/read-models.md "Read-model records on disk").
//
//   bench-record_bytes --data DIR
//
// Opens DIR's LMDB environment read-only without its lock file (MDB_RDONLY | MDB_NOLOCK: it
// writes nothing, not even a reader slot, so it may look at a ledger it must not change; run it
// while no writer is active there). Counts the events (entries of the `log` table) and prints,
// divided by them: the pages of the events' tables, the `projections` table's pages, the free
// pages, and the `projections` table's records by kind — as-of checkpoints (their values'
// overflow pages), snapshots (the same), entity tables (bytes of keys + values, which share
// leaf pages with the small records) — with how many records of each kind there are.
// Output rows (bench_report.hpp): record_bytes_events_tables, record_bytes_projections_pages,
// record_bytes_free_pages, record_bytes_checkpoints, record_bytes_snapshots,
// record_bytes_entities (bytes per event) and record_count_checkpoints (records).

#include "bench_report.hpp"

#include <lmdb.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(char const* what, int rc) {
    if (rc != 0) throw std::runtime_error(std::string(what) + ": " + mdb_strerror(rc));
}

std::uint64_t pages_of(MDB_stat const& s) { return s.ms_branch_pages + s.ms_leaf_pages + s.ms_overflow_pages; }

/// Pages a value of `size` bytes takes when LMDB puts it on overflow pages (values past about
/// a quarter of a page), else 0: it sits in a leaf page with others.
std::uint64_t overflow_pages(std::size_t key, std::size_t size, unsigned page) {
    if (key + size + 8 <= (page - 16) / 2) return 0;
    return (size + 16 + page - 1) / page;
}

struct kind_total {
    std::uint64_t records = 0, bytes = 0, pages = 0;
};

}  // namespace

int main(int argc, char** argv) try {
    std::string data;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string_view(argv[i]) == "--data") data = argv[i + 1];
    }
    if (data.empty()) throw std::runtime_error("usage: bench-record_bytes --data DIR");
    MDB_env* env = nullptr;
    check("mdb_env_create", mdb_env_create(&env));
    check("mdb_env_set_maxdbs", mdb_env_set_maxdbs(env, 64));
    check("mdb_env_open", mdb_env_open(env, data.c_str(), MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0));
    MDB_stat environment{};
    check("mdb_env_stat", mdb_env_stat(env, &environment));
    unsigned const page = environment.ms_psize;
    MDB_txn* txn = nullptr;
    check("mdb_txn_begin", mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn));

    std::uint64_t free_pages = 0;
    {
        MDB_cursor* cursor = nullptr;
        check("free list", mdb_cursor_open(txn, 0, &cursor));
        MDB_val key, value;
        while (mdb_cursor_get(cursor, &key, &value, MDB_NEXT) == 0) free_pages += *static_cast<std::size_t const*>(value.mv_data);
        mdb_cursor_close(cursor);
    }
    std::vector<std::string> names;
    {
        MDB_dbi main_dbi = 0;
        check("main table", mdb_dbi_open(txn, nullptr, 0, &main_dbi));
        MDB_cursor* cursor = nullptr;
        check("main table", mdb_cursor_open(txn, main_dbi, &cursor));
        MDB_val key, value;
        while (mdb_cursor_get(cursor, &key, &value, MDB_NEXT) == 0) names.emplace_back(static_cast<char const*>(key.mv_data), key.mv_size);
        mdb_cursor_close(cursor);
    }
    std::uint64_t events = 0, event_pages = 0, projection_pages = 0;
    MDB_dbi projections = 0;
    bool has_projections = false;
    for (auto const& name : names) {
        MDB_dbi dbi = 0;
        if (mdb_dbi_open(txn, name.c_str(), 0, &dbi) != 0) continue;
        MDB_stat s{};
        check("mdb_stat", mdb_stat(txn, dbi, &s));
        if (name == "log") events = s.ms_entries;
        if (name == "projections") {
            projection_pages = pages_of(s);
            projections = dbi;
            has_projections = true;
        } else {
            event_pages += pages_of(s);
        }
    }
    if (events == 0) throw std::runtime_error(data + " holds no events");
    kind_total checkpoints, snapshots, entities;
    if (has_projections) {
        MDB_cursor* cursor = nullptr;
        check("projections", mdb_cursor_open(txn, projections, &cursor));
        MDB_val key, value;
        while (mdb_cursor_get(cursor, &key, &value, MDB_NEXT) == 0) {
            std::string_view const k(static_cast<char const*>(key.mv_data), key.mv_size);
            auto& kind = k.starts_with("checkpoint") ? checkpoints
                         : k.starts_with("snapshot") ? snapshots
                         : entities;
            ++kind.records;
            kind.bytes += key.mv_size + value.mv_size;
            kind.pages += overflow_pages(key.mv_size, value.mv_size, page);
        }
        mdb_cursor_close(cursor);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);

    auto const per_event = [&](double bytes) { return bytes / static_cast<double>(events); };
    bench::row("record_bytes_events_tables", per_event(static_cast<double>(event_pages * page)), "bytes");
    bench::row("record_bytes_projections_pages", per_event(static_cast<double>(projection_pages * page)), "bytes");
    bench::row("record_bytes_free_pages", per_event(static_cast<double>(free_pages * page)), "bytes");
    bench::row("record_bytes_checkpoints", per_event(static_cast<double>(checkpoints.pages * page)), "bytes");
    bench::row("record_bytes_snapshots", per_event(static_cast<double>(snapshots.pages * page)), "bytes");
    bench::row("record_bytes_entities", per_event(static_cast<double>(entities.bytes)), "bytes");
    bench::row("record_count_checkpoints", static_cast<double>(checkpoints.records), "records");
    bench::note("%llu events; checkpoints %llu records %.1f MB stored; snapshots %llu records %.1f MB; entity "
                "tables %llu records %.1f MB of keys and values; free pages %.1f MB; load average %.2f",
                static_cast<unsigned long long>(events), static_cast<unsigned long long>(checkpoints.records),
                static_cast<double>(checkpoints.bytes) / 1e6, static_cast<unsigned long long>(snapshots.records),
                static_cast<double>(snapshots.bytes) / 1e6, static_cast<unsigned long long>(entities.records),
                static_cast<double>(entities.bytes) / 1e6, static_cast<double>(free_pages * page) / 1e6,
                bench::load_average());
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "bench-record_bytes: %s\n", e.what());
    return 1;
}
