// bench-projection_replay: replay of the log through all seven read models beside a raw cursor
// scan + decode of the same log, in the same run (SPEC §9).
//
//   bench-projection_replay [--events N] [--seed S]
//
// Builds a ledger of N generated, rule-abiding events (default 1,000,000) in a temporary
// directory, then measures, each after one warm-up scan:
//   scan+envelope   store.scan decoding every envelope (the baseline of SPEC §9)
//   scan+data       the same, also decoding every event's data
//   replay          replay_log into all seven read models (data decoded only where read)
// and prints events/s and the replay's ratio to both baselines.

#include "../../tests/support/recruitment_generator.hpp"

#include "events/recruitment_event.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/store/event_store.hpp"

#include <sys/resource.h>

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
};

bench_options parse(int argc, char** argv) {
    bench_options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view const flag = argv[i];
        auto const value = std::strtoull(argv[i + 1], nullptr, 10);
        if (flag == "--events") o.events = value;
        else if (flag == "--seed") o.seed = value;
    }
    return o;
}

/// Appends N generated events; one event per request, submitted asynchronously so the
/// writer groups them (positions follow submission order, which the generator assumes).
void build_ledger(store::event_store& store, bench_options const& o) {
    testing::recruitment_generator generator(o.seed);
    constexpr std::uint64_t window = 20'000;
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

template <class Body>
double events_per_second(std::uint64_t events, Body&& body) {
    auto const start = bench_clock::now();
    body();
    std::chrono::duration<double> const took = bench_clock::now() - start;
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
    double const replay_rate = events_per_second(n, [&] { app::replay_log(store, pointers, {}); });
    std::printf("%-34s %12.0f events/s\n", "scan + envelope decode", envelope_rate);
    std::printf("%-34s %12.0f events/s\n", "scan + envelope + data decode", data_rate);
    std::printf("%-34s %12.0f events/s\n", "replay through all 7 read models", replay_rate);
    std::printf("replay / scan+envelope = %.0f %%   replay / scan+data = %.0f %%  (checksum %llu)\n",
                100.0 * replay_rate / envelope_rate, 100.0 * replay_rate / data_rate,
                static_cast<unsigned long long>(sink % 1000));
    // Machine-readable lines for tools/bench/run-all.sh: name, value, unit, baseline, ratio.
    std::printf("replay_scan_data_decode\t%.0f\tevents/s\t-\t-\n", data_rate);
    std::printf("replay_all_projections\t%.0f\tevents/s\treplay_scan_data_decode\t%.2f\n", replay_rate,
                replay_rate / data_rate);

    auto const render_start = bench_clock::now();
    std::size_t rows = 0;
    for (auto const* m : pointers) rows += m->rows().size();
    std::chrono::duration<double> const render = bench_clock::now() - render_start;
    std::printf("rendering all 7 tables: %zu rows in %.1f ms\n", rows, render.count() * 1000.0);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // the seven states are alive here
    std::printf("peak resident memory so far: %ld MiB\n", usage.ru_maxrss / 1024);
}

/// The folds alone: every event read and decoded up front, then folded from memory.
void measure_folds(store::event_store const& store, std::uint64_t n) {
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());
    std::vector<recorded_event> log;
    std::vector<std::optional<events::recruitment_event>> data;
    app::fold_decoder decoder(pointers);
    store.scan(0, [&](recorded_event const& e) {
        log.push_back(e);
        data.push_back(decoder.decode(e));
        return true;
    });
    double const rate = events_per_second(n, [&] {
        for (std::size_t i = 0; i < log.size(); ++i) {
            auto const view = app::fold_decoder::view(log[i], data[i]);
            for (auto* m : pointers) m->apply(view);
        }
    });
    std::printf("%-34s %12.0f events/s\n", "folds only (decoded, in memory)", rate);
}

/// Each read model replayed alone, to see which ones cost most.
void measure_each(store::event_store const& store, std::uint64_t n) {
    for (auto const name : projections::read_model_names()) {
        auto model = projections::make_read_model(name);
        projections::read_model* const single = model.get();
        double const rate = events_per_second(n, [&] { app::replay_log(store, std::span(&single, 1), {}); });
        std::printf("  replay into %-22s %12.0f events/s\n", std::string(name).c_str(), rate);
    }
}

}  // namespace

int main(int argc, char** argv) {
    auto const o = parse(argc, argv);
    auto const dir = std::filesystem::temp_directory_path() /
                     ("bench-projection-replay-" + std::to_string(std::random_device{}()));
    {
        store::event_store store(store::store_options{.directory = dir});
        auto const built = bench_clock::now();
        build_ledger(store, o);
        std::chrono::duration<double> const build_time = bench_clock::now() - built;
        auto const n = store.head().events;
        std::printf("ledger: %llu events built in %.1f s\n", static_cast<unsigned long long>(n),
                    build_time.count());
        measure_replay(store, n);
        measure_folds(store, n);
        measure_each(store, n);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
