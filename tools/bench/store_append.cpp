// bench-store_append: durable append throughput of the event store beside raw LMDB doing the
// same puts on the same disk in the same run, reported as ratios (the machines are shared and
// noisy, so only ratios from one run mean anything).
//
//   bench-store_append [--dir DIR] [--seconds S] [--rounds N] [--only CASE] [--streams N] [--random-streams 1] [--keep 1]
//
// Each appender appends round-robin to --streams streams of its own (default 50), every one of
// which gets its first event before the clock starts (the timed appends go to existing streams).
// Cases: one event per commit (ledger, single appender) vs raw LMDB one put per commit;
// 64 concurrent single-event appenders (group commit: 64 threads; 64 appends in flight
// through append_async, re-submitted from the writer's completion, or `_io` by two other
// threads as the HTTP server's I/O threads do) vs raw LMDB 64 puts per commit;
// batches of 1,000 events per append vs raw LMDB 1,000 puts per commit; `raw_64_six_tables`: raw
// LMDB's 64 puts each also appended to five more tables (~24 pages a commit, as many as a
// ledger's group commit writes), beside raw_64 (~10): what a commit's pages cost on this disk.
// Beside each rate, what one commit wrote: bytes passed to write(2)/pwrite(2) (/proc/self/io
// `wchar`: LMDB's dirty pages and meta page, so it counts on tmpfs too) per durable commit, in
// 4 KiB pages; and for group commit the events per commit and the appenders' p99 latency.
// `group_client_ids` is group commit with client-chosen random ids (the event-id index then
// inserts at random places instead of appending). `group_hot` is group commit with one stream
// per appender (64 streams, each a long one), as run-all's HTTP rows append to 64 campaigns.
// `raw_64_ahead` is raw_64 with LMDB's file kept 1 MiB of written zeros ahead of its last used
// page, as the ledger's writer keeps its own (src/store/detail/data_file_ahead.hpp).
// Output: one tab-separated row per case (bench_report.hpp) on stdout.

#include "bench_report.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/endian/conversion.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace ledger;
using clock_type = std::chrono::steady_clock;

struct settings {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "ledger-bench";
    double seconds = 3.0;
    int rounds = 1;
    std::string only;  // run just this case (for profiling): raw_1, raw_64, raw_64_six_tables, raw_64_ahead, raw_1000, single, group, group_async, group_async_io, group_client_ids, group_hot, batched
    int streams = 50;  // streams per appender, each given its first event before the clock starts
    bool keep = false;  // keep the ledgers in --dir (to inspect their tables)
    // Each append picks one of its appender's streams at random instead of round-robin: the
    // streams of one commit are then scattered over the stream tables (no two neighbours).
    bool random_streams = false;
};

// One run of one case: its rate and what its commits wrote.
struct measurement {
    double rate = 0;               // events/s
    double pages_per_commit = 0;   // bytes written ÷ commits ÷ 4096
    double events_per_commit = 0;
    double p99_ms = 0;             // appenders' latency (threaded cases)
    // The writer's time per durable commit, by phase (writer_stats), in µs: gathering the group,
    // writing it (until mdb_txn_commit), the commit (write and fsync), answering its callers.
    double gathering_us = 0, writing_us = 0, committing_us = 0, answering_us = 0;
};

// The writer's phases between two readings of its statistics, per commit.
void add_phases(measurement& m, store::writer_stats const& before, store::writer_stats const& after) {
    auto const commits = static_cast<double>(after.commits - before.commits);
    if (commits == 0) return;
    auto const per_commit = [&](std::uint64_t a, std::uint64_t b) { return static_cast<double>(b - a) / 1e3 / commits; };
    m.gathering_us = per_commit(before.gathering_ns, after.gathering_ns);
    m.writing_us = per_commit(before.writing_ns, after.writing_ns);
    m.committing_us = per_commit(before.committing_ns, after.committing_ns);
    m.answering_us = per_commit(before.answering_ns, after.answering_ns);
}

// Bytes this process has passed to write-like system calls so far (/proc/self/io `wchar`).
std::uint64_t written_bytes() {
    std::ifstream io("/proc/self/io");
    std::string field;
    std::uint64_t value = 0;
    while (io >> field >> value) {
        if (field == "wchar:") return value;
    }
    return 0;
}

double pages(std::uint64_t bytes, std::uint64_t commits) {
    return commits == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(commits) / 4096.0;
}

// A well-mixed function of x (splitmix64's finaliser), for a random but repeatable stream choice.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// A random (version 4) id, as a client would choose it.
ledger::uuid random_id(std::mt19937_64& random) {
    ledger::uuid id{};
    for (int half = 0; half < 2; ++half) {
        auto const bits = random();
        for (int i = 0; i < 8; ++i) id.data[half * 8 + i] = static_cast<std::uint8_t>(bits >> (8 * i));
    }
    id.data[6] = static_cast<std::uint8_t>((id.data[6] & 0x0f) | 0x40);
    id.data[8] = static_cast<std::uint8_t>((id.data[8] & 0x3f) | 0x80);
    return id;
}

// A representative event: about the size of a real InterviewBooked envelope.
store::event_to_append sample_event() {
    store::event_to_append e;
    e.type = "InterviewBooked";
    e.occurred_at = *parse_timestamp("2024-03-12T10:00:00Z");
    e.data = std::string(120, 'd');
    return e;
}

// Gives each stream its first event, in large groups (all submitted at once), so the timed part
// appends to streams that exist, as in a ledger that has been running for a while.
void prefill(store::event_store& store, std::vector<std::string> const& streams) {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = streams.size();
    for (auto const& stream : streams) {
        store.append_async({stream, store::expected_version::any(), "bench", {sample_event()}},
                           [&](store::append_result r) {
                               if (!r) throw std::runtime_error(r.error().message);
                               std::lock_guard const lock(mutex);
                               if (--left == 0) done.notify_all();
                           });
    }
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return left == 0; });
}

std::filesystem::path fresh(settings const& s, std::string const& name) {
    auto const path = s.dir / name;
    std::filesystem::remove_all(path);
    return path;
}

// Raw LMDB: `per_commit` puts of a 300-byte value under big-endian keys, committed with fsync.
// `extra_tables` > 0: each put also appends a 16-byte value under the same key to that many more
// tables, so a commit dirties the root-to-leaf path of each of them too, as the ledger's indexes
// do (what those pages cost a commit, beside the same puts without them).
// `ahead` > 0: after each commit the data file is kept that many bytes of written zeros past its
// last used page, as the ledger's writer does (group_writer_options::data_file_ahead).
measurement raw_lmdb_rate(settings const& s, std::size_t per_commit, int extra_tables = 0, std::uint64_t ahead = 0) {
    store::lmdb::env env({.directory = fresh(s, fmt::format("raw-{}-{}-{}", per_commit, extra_tables, ahead)),
                          .map_size = std::size_t{8} << 30});
    store::lmdb::dbi table;
    std::vector<store::lmdb::dbi> extra(static_cast<std::size_t>(extra_tables));
    {
        store::lmdb::write_txn txn(env);
        table = txn.open_database("log");
        for (std::size_t t = 0; t < extra.size(); ++t) extra[t] = txn.open_database(fmt::format("extra{}", t).c_str());
        txn.commit();
    }
    std::string const value(300, 'v');
    std::uint64_t key = 0;
    std::uint64_t commits = 0;
    std::uint64_t file_end = 0;
    auto const written_before = written_bytes();
    auto const start = clock_type::now();
    auto const until = start + std::chrono::duration<double>(s.seconds);
    while (clock_type::now() < until) {
        store::lmdb::write_txn txn(env);
        for (std::size_t i = 0; i < per_commit; ++i, ++key) {
            unsigned char bytes[8];
            boost::endian::store_big_u64(bytes, key);
            txn.put(table, {reinterpret_cast<char*>(bytes), 8}, value, true);
            for (auto const& more : extra) txn.put(more, {reinterpret_cast<char*>(bytes), 8}, std::string_view(value).substr(0, 16), true);
        }
        txn.commit();
        ++commits;
        if (ahead > 0 && file_end < env.used_bytes() + ahead / 2) {
            store::lmdb::write_txn extend(env);
            file_end = extend.extend_data_file(env.used_bytes() + ahead);
        }
    }
    auto const seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    return {.rate = static_cast<double>(key) / seconds,
            .pages_per_commit = pages(written_bytes() - written_before, commits),
            .events_per_commit = static_cast<double>(per_commit)};
}

// The ledger with `appenders` threads, each appending batches of `batch` events to its own
// streams (50 each), with generated ids or, `client_ids`, random ones of their own.
measurement ledger_rate(settings const& s, int appenders, std::size_t batch, bool client_ids = false) {
    store::event_store store({.directory = fresh(s, fmt::format("ledger-{}x{}", appenders, batch)),
                              .initial_map_size = std::size_t{1} << 30,
                              .max_queued_appends = 0});
    std::vector<std::string> streams;  // appender t's stream k at t + appenders * k
    for (int k = 0; k < s.streams; ++k) {
        for (int t = 0; t < appenders; ++t) streams.push_back(fmt::format("candidate-b{}-{}", t, k));
    }
    prefill(store, streams);
    std::atomic<std::uint64_t> appended{0};
    std::mutex latency_mutex;
    std::vector<double> latencies_ms;
    auto const written_before = written_bytes();
    auto const stats_before = store.writer_statistics();
    auto const commits_before = stats_before.commits;
    auto const start = clock_type::now();
    auto const until = start + std::chrono::duration<double>(s.seconds);
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < appenders; ++t) {
            threads.emplace_back([&, t] {
                std::vector<store::event_to_append> events(batch, sample_event());
                std::mt19937_64 random(static_cast<std::uint64_t>(t) + 1);
                std::vector<double> mine;
                for (int i = 0; clock_type::now() < until; ++i) {
                    if (client_ids) {
                        for (auto& e : events) e.id = random_id(random);
                    }
                    auto const k = s.random_streams ? static_cast<int>(random() % static_cast<std::uint64_t>(s.streams))
                                                    : i % s.streams;
                    auto const& stream = streams[static_cast<std::size_t>(t + appenders * k)];
                    auto const sent = clock_type::now();
                    auto const r = store.append({stream, store::expected_version::any(), "bench", events});
                    if (!r) throw std::runtime_error(r.error().message);
                    mine.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - sent).count());
                    appended += batch;
                }
                std::lock_guard const lock(latency_mutex);
                latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
            });
        }
    }
    auto const seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    auto const stats_after = store.writer_statistics();
    auto const commits = stats_after.commits - commits_before;
    measurement m{.rate = static_cast<double>(appended) / seconds,
                  .pages_per_commit = pages(written_bytes() - written_before, commits),
                  .events_per_commit = commits == 0 ? 0 : static_cast<double>(appended) / static_cast<double>(commits)};
    add_phases(m, stats_before, stats_after);
    if (!latencies_ms.empty()) {
        auto const at = latencies_ms.begin() + static_cast<std::ptrdiff_t>(latencies_ms.size() * 99 / 100);
        std::nth_element(latencies_ms.begin(), at, latencies_ms.end());
        m.p99_ms = *at;
    }
    return m;
}

// The ledger with `in_flight` appends always queued through append_async, each re-submitted
// from its completion (on the writer thread) to the next of its streams: how the HTTP server
// uses the store (two I/O threads, many requests in flight), without a thread per appender.
// `io_threads` > 0: the completion hands the re-submission to that many threads instead, as the
// server's I/O threads submit the next request (and do the work before the writer on their own
// threads: parsing, and since format 5 the compression of the log values).
measurement ledger_async_rate(settings const& s, int in_flight, int io_threads = 0) {
    store::event_store store({.directory = fresh(s, fmt::format("ledger-async-{}", in_flight)),
                              .initial_map_size = std::size_t{1} << 30,
                              .max_queued_appends = 0});
    std::atomic<std::uint64_t> appended{0};
    std::atomic<int> running{in_flight};
    auto const start = clock_type::now();
    auto const until = start + std::chrono::duration<double>(s.seconds);
    std::mutex done_mutex;
    std::condition_variable all_done;
    std::vector<std::string> streams;
    for (int t = 0; t < in_flight * s.streams; ++t) streams.push_back(fmt::format("candidate-a{}-{}", t % in_flight, t / in_flight));
    prefill(store, streams);
    std::mutex io_mutex;
    std::condition_variable io_ready;
    std::deque<std::pair<int, int>> io_queue;  // (appender, its next append) to submit
    bool io_stop = false;
    std::function<void(int, int)> submit;
    auto const resubmit = [&](int appender, int i) {
        if (io_threads == 0) return submit(appender, i);
        {
            std::lock_guard const lock(io_mutex);
            io_queue.emplace_back(appender, i);
        }
        io_ready.notify_one();
    };
    std::vector<std::jthread> io;
    for (int t = 0; t < io_threads; ++t) {
        io.emplace_back([&] {
            for (;;) {
                std::unique_lock lock(io_mutex);
                io_ready.wait(lock, [&] { return io_stop || !io_queue.empty(); });
                if (io_queue.empty()) return;
                auto const [appender, i] = io_queue.front();
                io_queue.pop_front();
                lock.unlock();
                submit(appender, i);
            }
        });
    }
    submit = [&](int appender, int i) {
        auto const k = s.random_streams ? static_cast<int>(mix(static_cast<std::uint64_t>(appender) << 32 | static_cast<std::uint32_t>(i)) %
                                                            static_cast<std::uint64_t>(s.streams))
                                        : i % s.streams;
        store.append_async({streams[static_cast<std::size_t>(appender + in_flight * k)],
                            store::expected_version::any(), "bench", {sample_event()}},
                           [&, appender, i](store::append_result r) {
                               if (!r) throw std::runtime_error(r.error().message);
                               ++appended;
                               if (clock_type::now() < until) return resubmit(appender, i + 1);
                               if (--running == 0) {
                                   std::lock_guard const lock(done_mutex);
                                   all_done.notify_all();
                               }
                           });
    };
    auto const written_before = written_bytes();
    auto const stats_before = store.writer_statistics();
    auto const commits_before = stats_before.commits;
    for (int a = 0; a < in_flight; ++a) submit(a, 0);
    {
        std::unique_lock lock(done_mutex);
        all_done.wait(lock, [&] { return running.load() == 0; });
    }
    auto const seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    {
        std::lock_guard const lock(io_mutex);
        io_stop = true;
    }
    io_ready.notify_all();
    io.clear();  // joined
    auto const stats_after = store.writer_statistics();
    auto const commits = stats_after.commits - commits_before;
    measurement m{.rate = static_cast<double>(appended) / seconds,
                  .pages_per_commit = pages(written_bytes() - written_before, commits),
                  .events_per_commit = commits == 0 ? 0 : static_cast<double>(appended) / static_cast<double>(commits)};
    add_phases(m, stats_before, stats_after);
    return m;
}

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        if (flag == "--dir") s.dir = argv[i + 1];
        else if (flag == "--seconds") s.seconds = std::stod(argv[i + 1]);
        else if (flag == "--only") s.only = argv[i + 1];
        else if (flag == "--rounds") s.rounds = std::max(1, std::stoi(argv[i + 1]));
        else if (flag == "--streams") s.streams = std::max(1, std::stoi(argv[i + 1]));
        else if (flag == "--keep") s.keep = std::string(argv[i + 1]) == "1";
        else if (flag == "--random-streams") s.random_streams = std::string(argv[i + 1]) == "1";
        else throw std::invalid_argument("unknown flag " + flag);
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    spdlog::set_level(spdlog::level::warn);
    auto const s = parse(argc, argv);
    std::filesystem::create_directories(s.dir);

    // Every case runs `rounds` times, interleaved (raw, ledger, raw, ledger, ...), and reports
    // its median: the shared disk's fsync time drifts by 10x within minutes, so a baseline and
    // the case it divides must be measured in the same minutes.
    struct bench_case {
        std::string name;
        std::function<measurement()> run;
        std::vector<measurement> runs;
    };
    std::vector<bench_case> cases{
        {"raw_1", [&] { return raw_lmdb_rate(s, 1); }, {}},
        {"raw_64", [&] { return raw_lmdb_rate(s, 64); }, {}},
        {"raw_64_six_tables", [&] { return raw_lmdb_rate(s, 64, 5); }, {}},
        {"raw_64_ahead", [&] { return raw_lmdb_rate(s, 64, 0, std::uint64_t{1} << 20); }, {}},
        {"raw_1000", [&] { return raw_lmdb_rate(s, 1000); }, {}},
        {"single", [&] { return ledger_rate(s, 1, 1); }, {}},
        {"group", [&] { return ledger_rate(s, 64, 1); }, {}},
        {"group_async", [&] { return ledger_async_rate(s, 64); }, {}},
        {"group_async_io", [&] { return ledger_async_rate(s, 64, 2); }, {}},
        {"group_client_ids", [&] { return ledger_rate(s, 64, 1, true); }, {}},
        {"group_hot", [&] {
             auto hot = s;
             hot.streams = 1;
             return ledger_rate(hot, 64, 1);
         }, {}},
        {"batched", [&] { return ledger_rate(s, 4, 1000); }, {}},
    };
    for (int round = 0; round < s.rounds; ++round) {
        for (auto& c : cases) {
            if (s.only.empty() || s.only == c.name) c.runs.push_back(c.run());
        }
    }
    if (!s.keep) std::filesystem::remove_all(s.dir);
    // The median of one field over a case's rounds.
    auto median = [&](std::string const& name, double measurement::*field = &measurement::rate) {
        for (auto& c : cases) {
            if (c.name != name) continue;
            if (c.runs.empty()) return 0.0;
            std::vector<double> values;
            for (auto const& m : c.runs) values.push_back(m.*field);
            std::sort(values.begin(), values.end());
            return values[values.size() / 2];
        }
        return 0.0;
    };
    if (!s.only.empty()) {  // profiling one case: no baselines, no rows
        bench::note("%s: %.0f events/s, %.1f pages and %.1f events per commit; writer µs per commit: gathering "
                    "%.0f, writing %.0f, committing %.0f, answering %.0f",
                    s.only.c_str(), median(s.only), median(s.only, &measurement::pages_per_commit),
                    median(s.only, &measurement::events_per_commit), median(s.only, &measurement::gathering_us),
                    median(s.only, &measurement::writing_us), median(s.only, &measurement::committing_us),
                    median(s.only, &measurement::answering_us));
        return 0;
    }
    double const raw_1 = median("raw_1");
    double const raw_64 = median("raw_64");
    double const raw_1000 = median("raw_1000");
    auto const pages_of = [&](std::string const& name) { return median(name, &measurement::pages_per_commit); };

    bench::note("bench-store_append: durable (fsync on every commit), %.1f s per case, median of %d "
                "interleaved rounds, load average %.2f",
                s.seconds, s.rounds, bench::load_average());
    bench::row("store_raw_1_per_commit", raw_1, "events/s");
    bench::row("store_raw_64_per_commit", raw_64, "events/s", "store_raw_1_per_commit", raw_1);
    // The same 64 puts, each also appended to five more tables (six B-trees, as a ledger commit
    // touches log, event-id index, runs, heads, Merkle nodes and meta): what the pages cost.
    bench::row("store_raw_64_six_tables_per_commit", median("raw_64_six_tables"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_raw_64_ahead_per_commit", median("raw_64_ahead"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_raw_1000_per_commit", raw_1000, "events/s", "store_raw_1_per_commit", raw_1);
    bench::row("store_single_appender", median("single"), "events/s", "store_raw_1_per_commit", raw_1);
    bench::row("store_group_commit_64", median("group"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_group_commit_64_async", median("group_async"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_group_commit_64_async_io", median("group_async_io"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_group_commit_64_client_ids", median("group_client_ids"), "events/s",
               "store_raw_64_per_commit", raw_64);
    bench::row("store_group_commit_64_hot_streams", median("group_hot"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_batched_1000", median("batched"), "events/s", "store_raw_1000_per_commit", raw_1000);
    // What a commit writes (pages of 4 KiB passed to pwrite), beside raw LMDB's.
    bench::row("store_raw_64_pages_per_commit", pages_of("raw_64"), "pages");
    bench::row("store_raw_64_six_tables_pages_per_commit", pages_of("raw_64_six_tables"), "pages",
               "store_raw_64_pages_per_commit", pages_of("raw_64"));
    bench::row("store_raw_1000_pages_per_commit", pages_of("raw_1000"), "pages");
    bench::row("store_group_commit_64_pages_per_commit", pages_of("group"), "pages",
               "store_raw_64_pages_per_commit", pages_of("raw_64"));
    bench::row("store_group_commit_64_async_pages_per_commit", pages_of("group_async"), "pages",
               "store_raw_64_pages_per_commit", pages_of("raw_64"));
    bench::row("store_group_commit_64_client_ids_pages_per_commit", pages_of("group_client_ids"), "pages",
               "store_raw_64_pages_per_commit", pages_of("raw_64"));
    bench::row("store_group_commit_64_hot_streams_pages_per_commit", pages_of("group_hot"), "pages",
               "store_raw_64_pages_per_commit", pages_of("raw_64"));
    bench::row("store_batched_1000_pages_per_commit", pages_of("batched"), "pages",
               "store_raw_1000_pages_per_commit", pages_of("raw_1000"));
    // Group formation: events per commit (of 64 appenders) and what an appender waits.
    bench::row("store_group_commit_64_events_per_commit", median("group", &measurement::events_per_commit), "events");
    bench::row("store_group_commit_64_async_events_per_commit",
               median("group_async", &measurement::events_per_commit), "events");
    bench::row("store_group_commit_64_p99_ms", median("group", &measurement::p99_ms), "ms");
    // Where the writer's time per commit went (group_writer's phases), for both group cases.
    for (auto const& [name, row] : {std::pair{"group", "store_group_commit_64"}, std::pair{"group_async", "store_group_commit_64_async"},
                                    std::pair{"group_async_io", "store_group_commit_64_async_io"}}) {
        bench::row(fmt::format("{}_gathering_us_per_commit", row).c_str(), median(name, &measurement::gathering_us), "us");
        bench::row(fmt::format("{}_writing_us_per_commit", row).c_str(), median(name, &measurement::writing_us), "us");
        bench::row(fmt::format("{}_committing_us_per_commit", row).c_str(), median(name, &measurement::committing_us), "us");
        bench::row(fmt::format("{}_answering_us_per_commit", row).c_str(), median(name, &measurement::answering_us), "us");
    }
    return 0;
} catch (std::exception const& e) {
    spdlog::error("bench-store_append: {}", e.what());
    return 1;
}
