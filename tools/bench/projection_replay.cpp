// bench-projection_replay: replay of the log through all seven read models beside a raw cursor
// scan + decode of the same log, in the same run (SPEC §9).
//
//   bench-projection_replay [--events N] [--seed S] [--dir DIR] [--only replay|sequential|folds]
//
// --dir DIR keeps the generated ledger there and reuses it when it already holds N events (for
// profiling: the build takes a minute); --only runs just that replay (or the folds alone), for
// `perf record`.
//
// Builds a ledger of N generated, rule-abiding events (default 1,000,000) in a temporary
// directory, then measures, each after one warm-up scan:
//   scan+envelope   store.scan decoding every envelope (the baseline of SPEC §9)
//   scan+data       the same, also decoding every event's data
//   replay          replay_log into all seven read models (data decoded once, only where
//                   read; folded on two lanes beside the scanning thread, parallel_fold.hpp)
//   sequential      the same replay on one thread (replay_threads::sequential)
// and prints events/s and the replay's ratio to both baselines, then the folds alone (decoded
// up front, in memory, one thread) and each read model replayed alone (scan + one lane).
// The *_cpu rows are events per second of the process's CPU time (every thread's), so a
// parallel replay that only moves work between cores does not look cheaper there. Output: one tab-separated row per
// measurement (bench_report.hpp) on stdout; the baseline of SPEC §9's "≥ 40 %" is
// replay_scan_data_decode (scan + envelope + data decode of every event).

#include "../../tests/support/recruitment_generator.hpp"

#include "bench_report.hpp"
#include "events/recruitment_event.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/store/event_store.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <string_view>

namespace {

using namespace ledger;
using bench_clock = std::chrono::steady_clock;

struct bench_options {
    std::uint64_t events = 1'000'000;
    std::uint64_t seed = 42;
    std::string dir;   // empty: a temporary directory, removed at the end
    std::string only;  // "replay", "sequential" or "folds": just that measurement
};

bench_options parse(int argc, char** argv) {
    bench_options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view const flag = argv[i];
        auto const value = std::strtoull(argv[i + 1], nullptr, 10);
        if (flag == "--events") o.events = value;
        else if (flag == "--seed") o.seed = value;
        else if (flag == "--dir") o.dir = argv[i + 1];
        else if (flag == "--only") o.only = argv[i + 1];
    }
    return o;
}

/// Appends N generated events; one event per request, submitted asynchronously so the
/// writer groups them (positions follow submission order, which the generator assumes).
void build_ledger(store::event_store& store, bench_options const& o) {
    testing::recruitment_generator generator(o.seed);
    constexpr std::uint64_t window = 5'000;  // under the store's queue bound (max_queued_appends)
    for (std::uint64_t done = 0; done < o.events;) {
        auto const batch = std::min(window, o.events - done);
        std::promise<void> finished;
        std::atomic<std::uint64_t> left{batch};
        std::atomic<bool> failed{false};
        for (std::uint64_t i = 0; i < batch; ++i) {
            store.append_async(generator.next().request(), [&](store::append_result r) {
                if (!r) failed = true;
                if (--left == 0) finished.set_value();
            });
        }
        finished.get_future().wait();
        if (failed) throw std::runtime_error("an append failed while building the ledger");
        done += batch;
    }
}

/// CPU time of every thread of the process (the replay's lanes included).
double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

/// Events per second of the process's CPU time in the last events_per_second() call: on a
/// machine shared with other work the wall-clock rates fall with the load, these do not.
double last_cpu_rate = 0;

template <class Body>
double events_per_second(std::uint64_t events, Body&& body) {
    auto const start = bench_clock::now();
    auto const cpu_start = process_cpu_seconds();
    body();
    std::chrono::duration<double> const took = bench_clock::now() - start;
    last_cpu_rate = static_cast<double>(events) / (process_cpu_seconds() - cpu_start);
    return static_cast<double>(events) / took.count();
}

/// Scan baselines and the replay through all seven, printed with their ratios.
void measure_replay(store::event_store const& store, std::uint64_t n) {
    std::uint64_t sink = 0;
    auto scan_envelopes = [&] {
        store.scan(0, [&](recorded_event const& e) { sink += e.data.size(); return true; });
    };
    auto scan_with_data = [&] {
        store.scan(0, [&](recorded_event const& e) {
            sink += events::decode_event(e.type, e.schema_version, e.data).index();
            return true;
        });
    };
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());

    scan_envelopes();  // warm the page cache
    double const envelope_rate = events_per_second(n, scan_envelopes);
    double const data_rate = events_per_second(n, scan_with_data);
    double const data_cpu_rate = last_cpu_rate;
    double const replay_rate = events_per_second(n, [&] { app::replay_log(store, pointers, {}); });
    double const replay_cpu_rate = last_cpu_rate;
    double const sequential_rate = [&] {
        auto sequential_models = projections::make_all_read_models();
        std::vector<projections::read_model*> sequential;
        for (auto& m : sequential_models) sequential.push_back(m.get());
        return events_per_second(n, [&] { app::replay_log(store, sequential, {}, app::replay_threads::sequential); });
    }();
    double const sequential_cpu_rate = last_cpu_rate;
    bench::row("replay_scan_envelope_decode", envelope_rate, "events/s");
    bench::row("replay_scan_data_decode", data_rate, "events/s",
               "replay_scan_envelope_decode", envelope_rate);
    bench::row("replay_all_projections", replay_rate, "events/s",
               "replay_scan_data_decode", data_rate);
    bench::row("replay_all_projections_vs_envelope", replay_rate, "events/s",
               "replay_scan_envelope_decode", envelope_rate);
    bench::row("replay_all_projections_sequential", sequential_rate, "events/s",
               "replay_scan_data_decode", data_rate);
    // The same two per second of the process's CPU time (not of the wall clock).
    bench::row("replay_scan_data_decode_cpu", data_cpu_rate, "events/cpu-s");
    bench::row("replay_all_projections_cpu", replay_cpu_rate, "events/cpu-s",
               "replay_scan_data_decode_cpu", data_cpu_rate);
    bench::row("replay_all_projections_sequential_cpu", sequential_cpu_rate, "events/cpu-s",
               "replay_scan_data_decode_cpu", data_cpu_rate);

    auto const render_start = bench_clock::now();
    std::size_t rows = 0;
    for (auto const* m : pointers) rows += m->rows().size();
    std::chrono::duration<double> const render = bench_clock::now() - render_start;
    bench::row("replay_render_all_tables", render.count() * 1000.0, "ms");
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // the seven states are alive here
    bench::row("replay_peak_rss", static_cast<double>(usage.ru_maxrss) / 1024.0, "MiB");
    bench::note("checksum %llu, %zu rows rendered", static_cast<unsigned long long>(sink % 1000), rows);
}

/// The folds alone: every event read and decoded up front, then folded from memory.
void measure_folds(store::event_store const& store, std::uint64_t n) {
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());
    std::vector<recorded_event> log;
    std::vector<std::optional<events::recruitment_event>> data;
    std::vector<std::unique_ptr<app::retracted_input>> retracted;
    app::fold_decoder decoder(pointers);
    store.scan(0, [&](recorded_event const& e) {
        log.push_back(e);
        data.push_back(decoder.decode(e));
        retracted.push_back(app::read_retracted(store, decoder, e, data.back()));
        return true;
    });
    double const rate = events_per_second(n, [&] {
        for (std::size_t i = 0; i < log.size(); ++i) {
            auto view = app::fold_decoder::view(log[i], data[i]);
            if (retracted[i]) view.retracted = &retracted[i]->view;
            for (auto* m : pointers) m->apply(view);
        }
    });
    bench::row("replay_folds_only", rate, "events/s");
    bench::row("replay_folds_only_cpu", last_cpu_rate, "events/cpu-s");
}

/// Each read model replayed alone, to see which ones cost most.
void measure_each(store::event_store const& store, std::uint64_t n) {
    for (auto const name : projections::read_model_names()) {
        auto model = projections::make_read_model(name);
        projections::read_model* const single = model.get();
        double const rate = events_per_second(n, [&] { app::replay_log(store, std::span(&single, 1), {}); });
        std::string row = "replay_only_" + std::string(name);
        std::replace(row.begin(), row.end(), '-', '_');
        bench::row(row, rate, "events/s");
    }
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);  // stdout carries only the rows
    auto const o = parse(argc, argv);
    std::filesystem::path const dir = !o.dir.empty() ? std::filesystem::path(o.dir)
                                                     : std::filesystem::temp_directory_path() /
                                                           ("bench-projection-replay-" + std::to_string(std::random_device{}()));
    {
        store::event_store store(store::store_options{.directory = dir});
        auto const built = bench_clock::now();
        if (store.head().events != o.events) build_ledger(store, o);
        std::chrono::duration<double> const build_time = bench_clock::now() - built;
        auto const n = store.head().events;
        bench::note("bench-projection_replay: %llu events built in %.1f s, load average %.2f",
                    static_cast<unsigned long long>(n), build_time.count(), bench::load_average());
        if (o.only == "folds") {
            measure_folds(store, n);
            return 0;
        }
        if (!o.only.empty()) {
            auto models = projections::make_all_read_models();
            std::vector<projections::read_model*> pointers;
            for (auto& m : models) pointers.push_back(m.get());
            auto const threads = o.only == "sequential" ? app::replay_threads::sequential : app::replay_threads::parallel;
            double const rate = events_per_second(n, [&] { app::replay_log(store, pointers, {}, threads); });
            bench::row("replay_only", rate, "events/s");
            bench::row("replay_only_cpu", last_cpu_rate, "events/cpu-s");
            return 0;
        }
        measure_replay(store, n);
        measure_folds(store, n);
        measure_each(store, n);
    }
    if (o.dir.empty()) std::filesystem::remove_all(dir);
    return 0;
}
