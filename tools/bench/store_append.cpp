// bench-store_append: durable append throughput of the event store beside raw LMDB doing the
// same puts on the same disk in the same run, reported as ratios (the machines are shared and
// noisy, so only ratios from one run mean anything).
//
//   bench-store_append [--dir DIR] [--seconds S] [--rounds N] [--only CASE]
//
// Cases: one event per commit (ledger, single appender) vs raw LMDB one put per commit;
// 64 concurrent single-event appenders (group commit: 64 threads, and 64 appends in flight
// through append_async) vs raw LMDB 64 puts per commit;
// batches of 1,000 events per append vs raw LMDB 1,000 puts per commit.
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
#include <functional>
#include <mutex>
#include <chrono>
#include <filesystem>
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
    std::string only;  // run just this case (for profiling): raw_1, raw_64, raw_1000, single, group, batched
};

// A representative event: about the size of a real InterviewBooked envelope.
store::event_to_append sample_event() {
    store::event_to_append e;
    e.type = "InterviewBooked";
    e.occurred_at = *parse_timestamp("2024-03-12T10:00:00Z");
    e.data = std::string(120, 'd');
    return e;
}

std::filesystem::path fresh(settings const& s, std::string const& name) {
    auto const path = s.dir / name;
    std::filesystem::remove_all(path);
    return path;
}

// Raw LMDB: `per_commit` puts of a 300-byte value under big-endian keys, committed with fsync.
double raw_lmdb_rate(settings const& s, std::size_t per_commit) {
    store::lmdb::env env({.directory = fresh(s, "raw-" + std::to_string(per_commit)),
                          .map_size = std::size_t{8} << 30});
    store::lmdb::dbi table;
    {
        store::lmdb::write_txn txn(env);
        table = txn.open_database("log");
        txn.commit();
    }
    std::string const value(300, 'v');
    std::uint64_t key = 0;
    auto const start = clock_type::now();
    auto const until = start + std::chrono::duration<double>(s.seconds);
    while (clock_type::now() < until) {
        store::lmdb::write_txn txn(env);
        for (std::size_t i = 0; i < per_commit; ++i, ++key) {
            unsigned char bytes[8];
            boost::endian::store_big_u64(bytes, key);
            txn.put(table, {reinterpret_cast<char*>(bytes), 8}, value, true);
        }
        txn.commit();
    }
    return static_cast<double>(key) / std::chrono::duration<double>(clock_type::now() - start).count();
}

// The ledger with `appenders` threads, each appending batches of `batch` events to its own streams.
double ledger_rate(settings const& s, int appenders, std::size_t batch) {
    store::event_store store({.directory = fresh(s, fmt::format("ledger-{}x{}", appenders, batch)),
                              .initial_map_size = std::size_t{1} << 30});
    std::atomic<std::uint64_t> appended{0};
    auto const start = clock_type::now();
    auto const until = start + std::chrono::duration<double>(s.seconds);
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < appenders; ++t) {
            threads.emplace_back([&, t] {
                std::vector<store::event_to_append> events(batch, sample_event());
                for (int i = 0; clock_type::now() < until; ++i) {
                    auto const stream = fmt::format("candidate-b{}-{}", t, i % 50);
                    auto const r = store.append({stream, store::expected_version::any(), "bench", events});
                    if (!r) throw std::runtime_error(r.error().message);
                    appended += batch;
                }
            });
        }
    }
    return static_cast<double>(appended) / std::chrono::duration<double>(clock_type::now() - start).count();
}

// The ledger with `in_flight` appends always queued through append_async, each re-submitted
// from its completion (on the writer thread) to the next of its streams: how the HTTP server
// uses the store (two I/O threads, many requests in flight), without a thread per appender.
double ledger_async_rate(settings const& s, int in_flight) {
    store::event_store store({.directory = fresh(s, fmt::format("ledger-async-{}", in_flight)),
                              .initial_map_size = std::size_t{1} << 30});
    std::atomic<std::uint64_t> appended{0};
    std::atomic<int> running{in_flight};
    auto const start = clock_type::now();
    auto const until = start + std::chrono::duration<double>(s.seconds);
    std::mutex done_mutex;
    std::condition_variable all_done;
    std::vector<std::string> streams;
    for (int t = 0; t < in_flight * 50; ++t) streams.push_back(fmt::format("candidate-a{}-{}", t % in_flight, t / in_flight));
    std::function<void(int, int)> submit = [&](int appender, int i) {
        store.append_async({streams[static_cast<std::size_t>(appender + in_flight * (i % 50))],
                            store::expected_version::any(), "bench", {sample_event()}},
                           [&, appender, i](store::append_result r) {
                               if (!r) throw std::runtime_error(r.error().message);
                               ++appended;
                               if (clock_type::now() < until) return submit(appender, i + 1);
                               if (--running == 0) {
                                   std::lock_guard const lock(done_mutex);
                                   all_done.notify_all();
                               }
                           });
    };
    for (int a = 0; a < in_flight; ++a) submit(a, 0);
    {
        std::unique_lock lock(done_mutex);
        all_done.wait(lock, [&] { return running.load() == 0; });
    }
    return static_cast<double>(appended) / std::chrono::duration<double>(clock_type::now() - start).count();
}

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        if (flag == "--dir") s.dir = argv[i + 1];
        else if (flag == "--seconds") s.seconds = std::stod(argv[i + 1]);
        else if (flag == "--only") s.only = argv[i + 1];
        else if (flag == "--rounds") s.rounds = std::max(1, std::stoi(argv[i + 1]));
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
        std::function<double()> run;
        std::vector<double> rates;
    };
    std::vector<bench_case> cases{
        {"raw_1", [&] { return raw_lmdb_rate(s, 1); }, {}},
        {"raw_64", [&] { return raw_lmdb_rate(s, 64); }, {}},
        {"raw_1000", [&] { return raw_lmdb_rate(s, 1000); }, {}},
        {"single", [&] { return ledger_rate(s, 1, 1); }, {}},
        {"group", [&] { return ledger_rate(s, 64, 1); }, {}},
        {"group_async", [&] { return ledger_async_rate(s, 64); }, {}},
        {"batched", [&] { return ledger_rate(s, 4, 1000); }, {}},
    };
    for (int round = 0; round < s.rounds; ++round) {
        for (auto& c : cases) {
            if (s.only.empty() || s.only == c.name) c.rates.push_back(c.run());
        }
    }
    std::filesystem::remove_all(s.dir);
    auto median = [&](std::string const& name) {
        for (auto& c : cases) {
            if (c.name != name) continue;
            if (c.rates.empty()) return 0.0;
            std::sort(c.rates.begin(), c.rates.end());
            return c.rates[c.rates.size() / 2];
        }
        return 0.0;
    };
    if (!s.only.empty()) {  // profiling one case: no baselines, no rows
        bench::note("%s: %.0f events/s", s.only.c_str(), median(s.only));
        return 0;
    }
    double const raw_1 = median("raw_1");
    double const raw_64 = median("raw_64");
    double const raw_1000 = median("raw_1000");

    bench::note("bench-store_append: durable (fsync on every commit), %.1f s per case, median of %d "
                "interleaved rounds, load average %.2f",
                s.seconds, s.rounds, bench::load_average());
    bench::row("store_raw_1_per_commit", raw_1, "events/s");
    bench::row("store_raw_64_per_commit", raw_64, "events/s", "store_raw_1_per_commit", raw_1);
    bench::row("store_raw_1000_per_commit", raw_1000, "events/s", "store_raw_1_per_commit", raw_1);
    bench::row("store_single_appender", median("single"), "events/s", "store_raw_1_per_commit", raw_1);
    bench::row("store_group_commit_64", median("group"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_group_commit_64_async", median("group_async"), "events/s", "store_raw_64_per_commit", raw_64);
    bench::row("store_batched_1000", median("batched"), "events/s", "store_raw_1000_per_commit", raw_1000);
    return 0;
} catch (std::exception const& e) {
    spdlog::error("bench-store_append: {}", e.what());
    return 1;
}
