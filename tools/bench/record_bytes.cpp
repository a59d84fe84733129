// bench-record_bytes: what a served ledger's data.mdb holds, per event (issue 18: on-disk bytes
// of a served ledger, docs/read-models.md "Read-model records on disk").
//
//   bench-record_bytes --data DIR [--record KEY]
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
// record_bytes_entities (bytes per event) and record_count_checkpoints (records);
// record_bytes_checkpoint_chunks_plain / _compressed (the checkpoints' chunks of each form,
// bytes per event of their pages: branch bytes-served2). And what the largest chunked
// checkpoint record (the application table's at the last interval) costs to put together, CPU
// ms best of 5 into memory already touched (the as-of load's warm huge pages): as stored, and
// cut again in the other form in memory (plain chunks copied, or zstd level-1 chunks
// decompressed) — record_load_plain_ms, record_load_compressed_ms; --record KEY: that chunked
// checkpoint record instead of the largest (e.g. checkpoint/origin/<P as 20 digits>).

#include "bench_report.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/projection_checkpoint.hpp"

#include <lmdb.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
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

double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

using chunk_source = std::function<std::optional<std::string_view>(std::string_view)>;

/// CPU ms, best of 5, of putting `manifest`'s record together from `chunk` into `out`.
double assemble_ms(std::string_view manifest, chunk_source const& chunk, std::string& out) {
    double best = 1e300;
    for (int i = 0; i < 5; ++i) {
        std::string problem;
        auto const started = cpu_ms();
        bool const ok = ledger::app::detail::assemble_checkpoint_into(
            manifest, chunk,
            [&](std::size_t size) {
                out.resize(size);
                return out.data();
            },
            &problem);
        best = std::min(best, cpu_ms() - started);
        if (!ok) throw std::runtime_error("the largest checkpoint record does not put together: " + problem);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) try {
    std::string data, chosen;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string_view(argv[i]) == "--data") data = argv[i + 1];
        if (std::string_view(argv[i]) == "--record") chosen = argv[i + 1];
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
    kind_total checkpoints, snapshots, entities, plain_chunks, compressed_chunks;
    std::string largest_key, largest_manifest;
    std::uint64_t largest_size = 0;
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
            std::string_view const v(static_cast<char const*>(value.mv_data), value.mv_size);
            if (ledger::app::detail::is_chunk_key(k)) {
                auto& form = k.starts_with(ledger::app::detail::compressed_chunk_prefix) ? compressed_chunks : plain_chunks;
                ++form.records;
                form.bytes += value.mv_size;
                form.pages += overflow_pages(key.mv_size, value.mv_size, page);
            } else if (ledger::app::detail::is_manifest(v)) {
                std::uint64_t size = 0;
                bool const wanted = chosen.empty() ? true : k == chosen;
                if (wanted && ledger::app::detail::decode_manifest(v, &size) && size > largest_size) {
                    largest_size = size;
                    largest_key = k;
                    largest_manifest = v;
                }
            }
        }
        mdb_cursor_close(cursor);
    }
    double load_plain_ms = 0, load_compressed_ms = 0;
    if (!largest_manifest.empty()) {
        chunk_source const stored = [&](std::string_view k) -> std::optional<std::string_view> {
            MDB_val key{k.size(), const_cast<char*>(k.data())}, value;
            if (mdb_get(txn, projections, &key, &value) != 0) return std::nullopt;
            return std::string_view(static_cast<char const*>(value.mv_data), value.mv_size);
        };
        std::string record;
        double const as_stored = assemble_ms(largest_manifest, stored, record);
        // The same record in the other form, its chunks in memory (as LMDB's map would hold them).
        bool const compressed = ledger::app::detail::is_compressed_manifest(largest_manifest);
        auto const cut = ledger::app::detail::chunk_checkpoint(record, 15, !compressed);
        std::unordered_map<std::string, std::string> other;
        for (auto const& chunk : cut.chunks) {
            other.emplace(chunk.key, compressed ? std::string(chunk.bytes) : ledger::app::detail::compress_chunk(chunk.bytes, 1));
        }
        chunk_source const in_memory = [&](std::string_view k) -> std::optional<std::string_view> {
            auto const found = other.find(std::string(k));
            if (found == other.end()) return std::nullopt;
            return std::string_view(found->second);
        };
        std::string again;
        double const other_form = assemble_ms(cut.manifest, in_memory, again);
        if (again != record) throw std::runtime_error("the largest checkpoint record differs in the other form");
        load_plain_ms = compressed ? other_form : as_stored;
        load_compressed_ms = compressed ? as_stored : other_form;
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
    bench::row("record_bytes_checkpoint_chunks_plain", per_event(static_cast<double>(plain_chunks.pages * page)), "bytes");
    bench::row("record_bytes_checkpoint_chunks_compressed", per_event(static_cast<double>(compressed_chunks.pages * page)),
               "bytes");
    if (largest_size != 0) {
        bench::row("record_load_plain_ms", load_plain_ms, "ms");
        bench::row("record_load_compressed_ms", load_compressed_ms, "ms", "record_load_plain_ms", load_plain_ms);
        bench::note("largest chunked checkpoint record %s: %.1f MB, stored %s; chunks: %llu plain (%.1f MB), %llu "
                    "compressed (%.1f MB)",
                    largest_key.c_str(), static_cast<double>(largest_size) / 1e6,
                    ledger::app::detail::is_compressed_manifest(largest_manifest) ? "compressed" : "plain",
                    static_cast<unsigned long long>(plain_chunks.records), static_cast<double>(plain_chunks.bytes) / 1e6,
                    static_cast<unsigned long long>(compressed_chunks.records),
                    static_cast<double>(compressed_chunks.bytes) / 1e6);
    }
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
