// bench-projection_queries: what a read model query costs at a ledger's size (issue 14), in
// process (the projection runner as recruit-ledgerd holds it, no HTTP):
//   bench-projection_queries --data DIR [--organiser NAME] [--repeat R]
//
// DIR is a ledger's data directory (e.g. the one `bench-startup_memory --events N --keep 1
// --dir D` keeps in D/data). Rows:
//   projection_ready_ms           runner start → every model loaded and within app::ready_lag
//                                 of the head (what /readyz waits for)
//   projection_as_of_scratch_ms   recruits-per-campaign as of the middle position folded from
//                                 position 0 (app::replay_log, as before checkpoints): baseline
//   projection_as_of_mid_ms       the same answer through the runner (from a checkpoint)
//   projection_as_of_worst_ms     as of the position just before an interval checkpoint: a
//                                 whole interval folded (or the head, whichever is less)
//   projection_as_of_worst_page_ms the same as of position with limit=10 (renders 10 rows)
//   projection_as_of_last_interval_ms the whole answer as of the last interval's worst
//                                 position (9,999,998 at 10,000,000 events: the 9,000,000
//                                 checkpoint, the largest, + 999,999 events folded)
//   projection_as_of_last_interval_cpu_ms the CPU time of the whole process during that answer
//                                 (every thread: the work, whatever the machine's load)
//   projection_as_of_last_interval_retention_ms retention's whole answer at the same position
//   projection_as_of_time_ms      as of the recorded time of the middle event
//   projection_filtered_first_ms  recruits-per-campaign?organiser=NAME, the first read at this
//                                 position (renders the rows, builds the organiser index)
//   projection_filtered_p50_ms    the same read again, median of R
//   projection_page_10000_first_ms funnel?limit=10000 first read of a re-rendered model
//                                 (the cache dropped by reopening the runner): rows rendered
//                                 from state, then the page written
// Notes (stderr): the load average, the rows answered, checkpoint statistics.
// --last-only R: only the last interval's whole answer, R times, after where its load and render
// go (thread CPU time; --breakdown 0: without that, only the answers, e.g. under perf stat);
// --page-only R: only the first reads of 10,000-row pages (funnel's row, recruits-per-campaign's
// and retention's notes with the reading thread's CPU time), in R runners opened one after
// another; --debug 1: the as-of debug lines (checkpoint load, fold, rows); --populate-map 1
// (with --last-only): data.mdb's mapping put into the page tables first (MADV_POPULATE_READ),
// so the answers pay no first touch of the map (what those touches cost, rm-asof6);
// --populate-checkpoint 1 (with --last-only): only the last interval checkpoint's records (the
// model's and the application table's chunks) populated first (what their first touch costs,
// rm-asof7). The last interval's answer notes its window in CLOCK_MONOTONIC seconds, so that
// `perf record -k CLOCK_MONOTONIC` then `perf report --time FROM,TO` profiles that answer alone.
// --checkpoint-every N / --checkpoint-chunk-bits B: the server's flags of the same names, for a
// ledger served with them (the checkpoints looked for, and the form new ones are taken in).

#include "bench_report.hpp"

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/read_model_readiness.hpp"
#include "ledger/json_text.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "projections/detail/applications.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstring>
#include <sys/mman.h>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace ledger;
using bench_clock = std::chrono::steady_clock;

namespace {

struct bench_options {
    std::filesystem::path data;
    std::string organiser = "region-kalmar";
    int repeat = 50;
    int last_only = 0;  // --last-only R: only the last interval's whole answer, R times (profiling)
    int page_only = 0;  // --page-only R: only the 10,000-row page's first read, R runners (profiling)
    bool debug = false; // --debug 1: the as-of debug lines (checkpoint load, fold, render) on stderr
    bool populate_map = false;  // --populate-map 1: data.mdb's mapping populated before the answers (diagnostic)
    bool populate_checkpoint = false;  // --populate-checkpoint 1: only the last checkpoint's chunks (diagnostic)
    bool breakdown = true;  // --breakdown 0: with --last-only, only the answers (for perf record/stat)
    std::uint64_t checkpoint_every = 0;  // --checkpoint-every N: the server's --checkpoint-every (0: its default)
    int chunk_bits = -1;                 // --checkpoint-chunk-bits B: the server's (-1: its default)
};

bench_options parse(int argc, char** argv) {
    bench_options o;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        if (i + 1 == argc) throw std::invalid_argument(flag + " needs a value");
        std::string const value = argv[++i];
        if (flag == "--data") o.data = value;
        else if (flag == "--organiser") o.organiser = value;
        else if (flag == "--repeat") o.repeat = std::stoi(value);
        else if (flag == "--last-only") o.last_only = std::stoi(value);
        else if (flag == "--page-only") o.page_only = std::stoi(value);
        else if (flag == "--debug") o.debug = value != "0";
        else if (flag == "--breakdown") o.breakdown = value != "0";
        else if (flag == "--populate-map") o.populate_map = value != "0";
        else if (flag == "--populate-checkpoint") o.populate_checkpoint = value != "0";
        else if (flag == "--checkpoint-every") o.checkpoint_every = std::stoull(value);
        else if (flag == "--checkpoint-chunk-bits") o.chunk_bits = std::stoi(value);
        else throw std::invalid_argument("unknown flag " + flag);
    }
    if (o.data.empty()) throw std::invalid_argument("--data DIR is required");
    return o;
}

/// CPU time of the calling thread so far.
double thread_cpu_milliseconds();

/// The calling thread's CPU time that `run` takes (a loaded machine's wall time is mostly
/// waiting for a core).
template <class F>
double cpu_milliseconds(F&& run) {
    auto const start = thread_cpu_milliseconds();
    run();
    return thread_cpu_milliseconds() - start;
}

template <class F>
double milliseconds(F&& run) {
    auto const start = bench_clock::now();
    run();
    return std::chrono::duration<double, std::milli>(bench_clock::now() - start).count();
}

/// CPU time of the calling thread so far.
double thread_cpu_milliseconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

/// CPU time of every thread of this process so far (user and system).
double process_cpu_milliseconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

/// CLOCK_MONOTONIC in seconds (perf record -k CLOCK_MONOTONIC stamps its samples with it).
double monotonic_seconds() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

/// The rows of a JSON answer (parsed outside the timings).
std::size_t answered(std::string const& json) {
    return boost::json::parse(json).at("rows").as_array().size();
}

/// A page of 10,000 rows, the first read of rows rendered afresh (a runner opened on the ledger,
/// caught up, nothing read yet): the row for funnel (its wall time, and the reading thread's CPU
/// time in a note), then notes for the two other models whose rows the application table keeps.
void first_page_reads(store::event_store& store, app::projection_runner_options const& runner_options) {
    app::projection_runner runner(store, runner_options);
    runner.wait_until_caught_up(std::chrono::minutes(10));
    for (auto const name : {"funnel", "recruits-per-campaign", "retention"}) {
        app::projection_query page{.name = name};
        page.selection.limit = 10'000;
        std::string answer;
        auto const cpu_before = thread_cpu_milliseconds();
        auto const first = milliseconds([&] { answer = runner.query_page_json(page).value().json; });
        auto const cpu = thread_cpu_milliseconds() - cpu_before;
        auto const again = milliseconds([&] { answer = runner.query_page_json(page).value().json; });
        if (std::string_view(name) == "funnel") bench::row("projection_page_10000_first_ms", first, "ms");
        bench::note("%s?limit=10000: %zu rows, %zu bytes; first %.1f ms (CPU %.1f ms), again %.2f ms; load %.2f", name,
                    answered(answer), answer.size(), first, cpu, again, bench::load_average());
    }
}

}  // namespace

int main(int argc, char** argv) try {
    auto const o = parse(argc, argv);
    if (o.debug) spdlog::set_level(spdlog::level::debug);
    store::store_options options{.directory = o.data};
    options.policy = std::make_shared<app::domain_policy>();
    store::event_store store(options);
    auto const events = store.head().events;
    if (events < 2) throw std::runtime_error(o.data.string() + " holds no ledger");
    bench::note("load average %.2f; %llu events in %s", bench::load_average(),
                static_cast<unsigned long long>(events), o.data.c_str());

    std::uint64_t const middle = events / 2;
    app::projection_runner_options runner_options;
    if (o.checkpoint_every > 0) runner_options.checkpoints.every = o.checkpoint_every;
    if (o.chunk_bits >= 0) runner_options.checkpoints.chunk_bits = static_cast<unsigned>(o.chunk_bits);
    auto const every = runner_options.checkpoints.every;
    if (o.page_only == 0) {
        std::optional<app::projection_runner> runner;
        auto const ready = milliseconds([&] {
            runner.emplace(store, runner_options);
            while (!runner->loaded() || app::read_models_not_ready(*runner)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        bench::row("projection_ready_ms", ready, "ms");
        runner->wait_until_caught_up(std::chrono::minutes(10));
        if (o.last_only > 0) {
            // Only the whole answer at the last interval's worst position, R times (each with the
            // load average of the minute it ran in).
            auto const head_interval = (events - 1) / every * every;
            app::projection_query last{.name = "recruits-per-campaign",
                                       .as_of_position = std::min(events - 1, head_interval + every - 2)};
            if (o.breakdown) {
                // Where the application table's load goes (the checkpoint of the last interval).
                auto const table_key = app::detail::checkpoint_table_key(head_interval);
                auto const record = app::detail::read_checkpoint_record(store, table_key);
                for (int k = 0; k < 3 && record; ++k) {
                    // Reading the record out of the map: one copy of a whole record, or the
                    // chunks a manifest lists put together (projection_checkpoint.hpp).
                    auto const stored = store.read_projection_record(table_key);
                    double read_ms = 0;
                    std::size_t read_size = 0;
                    read_ms = cpu_milliseconds([&] { read_size = app::detail::read_checkpoint_record(store, table_key)->size(); });
                    bench::note("table record read in %.1f ms CPU (%s, %zu bytes)", read_ms,
                                stored && app::detail::is_manifest(*stored) ? "put together from its chunks" : "whole",
                                read_size);
                    double t[8] = {};
                    std::optional<app::detail::projection_snapshot_view> view;
                    t[0] = cpu_milliseconds([&] { view = app::detail::decode_checkpoint_view(*record); });
                    auto table = std::make_shared<projections::detail::application_table>();
                    ledger::detail::memory_input_archive archive(view->state);
                    t[1] = cpu_milliseconds([&] { archive(table->with_costs, table->next, table->texts); });
                    t[2] = cpu_milliseconds([&] { archive(table->campaigns); });
                    t[3] = cpu_milliseconds([&] { archive(table->candidates); });
                    t[4] = cpu_milliseconds([&] { table->cells.load(archive); });
                    auto const candidates = table->candidates.size();
                    t[5] = cpu_milliseconds([&] { table.reset(); });
                    auto const kept = std::make_shared<std::string const>(*record);
                    t[6] = cpu_milliseconds([&] { table = projections::load_table_lazily(kept, view->state); });
                    t[7] = cpu_milliseconds([&] { table.reset(); });
                    bench::note("table record %zu bytes, CPU ms: view+sha %.1f, texts %.1f, campaigns %.1f, candidates (%zu) %.1f, "
                                "cells %.1f, free %.1f ms; all lazily %.1f, free %.1f ms; load %.2f",
                                record->size(), t[0], t[1], t[2], candidates, t[3], t[4], t[5], t[6], t[7],
                                bench::load_average());
                }
            }
            if (o.breakdown) {
                // Rendering the whole answer from the last interval's checkpoint: rows as objects
                // then text (before), rows written as text, in one part and in two at once.
                app::checkpoint_keeper keeper(store, runner_options.checkpoints);
                auto const prototype = projections::make_read_model("recruits-per-campaign");
                auto const model = keeper.load(*prototype, head_interval);
                struct text_sink final : projections::row_sink {
                    std::string out;
                    bool as_text = false;
                    bool takes_every_row() const noexcept override { return true; }
                    verdict consider(boost::json::object const&) override { return verdict::take; }
                    void take(boost::json::object row) override {
                        append_json_text(out, boost::json::value(std::move(row)));
                        out.push_back(',');
                    }
                    std::string* text() noexcept override { return as_text ? &out : nullptr; }
                };
                for (int k = 0; k < 3 && model; ++k) {
                    text_sink objects;
                    text_sink text;
                    text.as_text = true;
                    text_sink halves[2];
                    for (auto& h : halves) h.as_text = true;
                    double cpu[4] = {thread_cpu_milliseconds()};
                    auto const a = milliseconds([&] { model->render(objects); });
                    cpu[1] = thread_cpu_milliseconds();
                    auto const b = milliseconds([&] { model->render(text); });
                    cpu[2] = thread_cpu_milliseconds();
                    auto const c = milliseconds([&] {
                        std::thread second([&] { model->render_part(halves[1], 1, 2); });
                        model->render_part(halves[0], 0, 2);
                        second.join();
                    });
                    cpu[3] = thread_cpu_milliseconds();
                    bench::note("render %zu bytes: objects %.1f ms (CPU %.1f), text %.1f ms (CPU %.1f), two parts %.1f ms "
                                "(this thread's CPU %.1f); same bytes %d; load %.2f",
                                objects.out.size(), a, cpu[1] - cpu[0], b, cpu[2] - cpu[1], c, cpu[3] - cpu[2],
                                objects.out == text.out && text.out == halves[0].out + halves[1].out ? 1 : 0,
                                bench::load_average());
                }
            }
            if (o.populate_map) {
                // Diagnostic: every page of data.mdb's mapping in this process's page tables
                // first, so the answers below pay no first touch of the map.
                std::FILE* maps = std::fopen("/proc/self/maps", "r");
                char line[4096];
                double populated_ms = 0;
                while (maps != nullptr && std::fgets(line, sizeof line, maps) != nullptr) {
                    if (std::strstr(line, "data.mdb") == nullptr) continue;
                    unsigned long from = 0, to = 0;
                    if (std::sscanf(line, "%lx-%lx", &from, &to) != 2) continue;
                    populated_ms += cpu_milliseconds([&] {
                        ::madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_READ);
                    });
                }
                if (maps != nullptr) std::fclose(maps);
                bench::note("data.mdb's mapping populated in %.1f ms CPU", populated_ms);
            }
            if (o.populate_checkpoint) {
                // Diagnostic: the pages of the last interval's checkpoint records (the model's and
                // the application table's chunks) put into this process's page tables first.
                std::size_t bytes = 0;
                double const populated_ms = cpu_milliseconds([&] {
                    auto const reader = store.read_projections();
                    auto populate = [&](std::string_view value) {
                        auto const page = std::uintptr_t{4096};
                        auto const from = reinterpret_cast<std::uintptr_t>(value.data()) / page * page;
                        auto const to = reinterpret_cast<std::uintptr_t>(value.data() + value.size());
                        ::madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_READ);
                        bytes += value.size();
                    };
                    for (auto const& key : {app::detail::checkpoint_table_key(head_interval),
                                            app::detail::checkpoint_key(last.name, head_interval)}) {
                        auto const stored = reader->get(key);
                        if (!stored) continue;
                        if (!app::detail::is_manifest(*stored)) {
                            populate(*stored);
                            continue;
                        }
                        for (auto const& entry : app::detail::decode_manifest(*stored).value_or(std::vector<app::detail::manifest_entry>{})) {
                            if (auto const chunk = reader->get(entry.key)) populate(*chunk);
                        }
                    }
                });
                bench::note("the last checkpoint's %zu bytes populated in %.1f ms CPU", bytes, populated_ms);
            }
            for (int i = 0; i < o.last_only; ++i) {
                std::string answer;
                auto const cpu_before = process_cpu_milliseconds();
                auto const from = monotonic_seconds();
                auto const took = milliseconds([&] { answer = runner->query_json(last).value(); });
                auto const to = monotonic_seconds();
                auto const cpu = process_cpu_milliseconds() - cpu_before;
                bench::row("projection_as_of_last_interval_ms", took, "ms");
                // The window in CLOCK_MONOTONIC seconds: `perf record -k CLOCK_MONOTONIC` then
                // `perf report --time FROM,TO` profiles the answer alone.
                bench::note("  as of %llu: %zu bytes, CPU of the process %.0f ms, load average %.2f; "
                            "monotonic %.6f,%.6f",
                            static_cast<unsigned long long>(*last.as_of_position), answer.size(), cpu,
                            bench::load_average(), from, to);
            }
            return 0;
        }

        // As of: from scratch (the baseline), then through the checkpoints.
        std::string scratch_rows;
        auto const scratch = milliseconds([&] {
            auto const model = projections::make_read_model("recruits-per-campaign");
            projections::read_model* const models[] = {model.get()};
            app::replay_log(store, models, {.to_position = middle});
            scratch_rows = to_json_text(boost::json::value(model->rows()));
        });
        bench::row("projection_as_of_scratch_ms", scratch, "ms");
        app::projection_query as_of{.name = "recruits-per-campaign", .as_of_position = middle};
        std::string answer;
        auto const mid = milliseconds([&] { answer = runner->query_json(as_of).value(); });
        bench::row("projection_as_of_mid_ms", mid, "ms", "projection_as_of_scratch_ms", scratch);
        bench::note("as of %llu: %zu rows", static_cast<unsigned long long>(middle), answered(answer));
        {
            // Where the time of an as-of answer goes: the checkpoint's load, rows(), the text.
            app::checkpoint_keeper keeper(store, runner_options.checkpoints);
            auto const prototype = projections::make_read_model("recruits-per-campaign");
            std::pair<std::unique_ptr<projections::read_model>, std::uint64_t> loaded;
            double cpu[4] = {thread_cpu_milliseconds()};
            auto const load = milliseconds([&] { loaded = keeper.nearest(*prototype, middle + 1); });
            cpu[1] = thread_cpu_milliseconds();
            boost::json::array rows;
            auto const render = milliseconds([&] { rows = loaded.first->rows(); });
            cpu[2] = thread_cpu_milliseconds();
            auto const text = milliseconds([&] { answer = to_json_text(rows); });
            cpu[3] = thread_cpu_milliseconds();
            bench::note("  from the checkpoint at %llu: load %.0f ms, rows() %.0f ms, JSON text %.0f ms "
                        "(CPU %.0f, %.0f, %.0f ms)",
                        static_cast<unsigned long long>(loaded.second), load, render, text, cpu[1] - cpu[0],
                        cpu[2] - cpu[1], cpu[3] - cpu[2]);
            for (auto const name : {"recruits-per-campaign", "funnel", "retention"}) {
                // rows() alone, wall and this thread's CPU time (the machine may be loaded).
                auto const other = projections::make_read_model(name);
                auto const at = keeper.nearest(*other, middle + 1);
                boost::json::array its_rows;
                auto const cpu_before = thread_cpu_milliseconds();
                auto const wall = milliseconds([&] { its_rows = at.first->rows(); });
                bench::note("  %s from the same checkpoint: rows() %.1f ms (CPU %.1f ms), %zu rows", name, wall,
                            thread_cpu_milliseconds() - cpu_before, its_rows.size());
            }
        }
        as_of.as_of_position = std::min(events - 1, (middle / every + 1) * every - 2);
        auto const worst = milliseconds([&] { answer = runner->query_json(as_of).value(); });
        bench::row("projection_as_of_worst_ms", worst, "ms", "projection_as_of_scratch_ms", scratch);
        bench::note("as of %llu (a whole interval folded): %zu rows",
                    static_cast<unsigned long long>(*as_of.as_of_position), answered(answer));
        {
            // The same position, one page of 10 rows: only the page's rows are rendered.
            auto page = as_of;
            page.selection.limit = 10;
            auto const paged = milliseconds([&] { answer = runner->query_page_json(page).value().json; });
            bench::row("projection_as_of_worst_page_ms", paged, "ms", "projection_as_of_worst_ms", worst);
        }
        {
            // The whole answer at the heaviest N: the last whole interval before the head
            // (9,999,998 at 10,000,000 events: the largest checkpoint and state, the most rows).
            auto last = as_of;
            auto const head_interval = (events - 1) / every * every;
            last.as_of_position = std::min(events - 1, head_interval + every - 2);
            auto const cpu_before = process_cpu_milliseconds();
            auto const from = monotonic_seconds();
            auto const at_head = milliseconds([&] { answer = runner->query_json(last).value(); });
            auto const to = monotonic_seconds();
            auto const cpu = process_cpu_milliseconds() - cpu_before;
            bench::row("projection_as_of_last_interval_ms", at_head, "ms", "projection_as_of_worst_ms", worst);
            // The work it took, whatever the load: CPU time of every thread of the process
            // (the scanners and the render's second part included).
            bench::row("projection_as_of_last_interval_cpu_ms", cpu, "ms", "projection_as_of_last_interval_ms", at_head);
            bench::note("as of %llu (the last whole interval, whole answer): %zu rows, %zu bytes; load average %.2f; "
                        "monotonic %.6f,%.6f",
                        static_cast<unsigned long long>(*last.as_of_position), answered(answer), answer.size(),
                        bench::load_average(), from, to);
            // The other read model with a row per campaign, at the same N.
            auto retention = last;
            retention.name = "retention";
            auto const retention_ms = milliseconds([&] { answer = runner->query_json(retention).value(); });
            bench::row("projection_as_of_last_interval_retention_ms", retention_ms, "ms");
            bench::note("retention as of %llu: %zu rows, %zu bytes", static_cast<unsigned long long>(*last.as_of_position),
                        answered(answer), answer.size());
        }
        as_of.as_of_position.reset();
        as_of.as_of = store.read_event(middle)->recorded_at;
        auto const by_time = milliseconds([&] { answer = runner->query_json(as_of).value(); });
        bench::row("projection_as_of_time_ms", by_time, "ms", "projection_as_of_scratch_ms", scratch);

        // One organiser's campaigns.
        app::projection_query filtered{.name = "recruits-per-campaign"};
        filtered.selection.filters.push_back({"organiser", o.organiser});
        auto const first = milliseconds([&] { answer = runner->query_page_json(filtered).value().json; });
        bench::row("projection_filtered_first_ms", first, "ms");
        std::vector<double> times;
        for (int i = 0; i < o.repeat; ++i) {
            times.push_back(milliseconds([&] { answer = runner->query_page_json(filtered).value().json; }));
        }
        std::sort(times.begin(), times.end());
        bench::row("projection_filtered_p50_ms", times[times.size() / 2], "ms");
        bench::note("organiser=%s: %zu rows, %zu bytes; p99 %.2f ms", o.organiser.c_str(), answered(answer),
                    answer.size(), times[times.size() * 99 / 100]);
        // What the checkpoints take: the records of the first interval checkpoint.
        std::size_t checkpoint_bytes = 0;
        for (auto const name : projections::read_model_names()) {
            auto const record = app::detail::read_checkpoint_record(store, app::detail::checkpoint_key(name, every));
            checkpoint_bytes += record ? record->size() : 0;
        }
        bench::note("checkpoint at %llu: %.1f MiB for the seven read models",
                    static_cast<unsigned long long>(every), static_cast<double>(checkpoint_bytes) / 1048576.0);
        auto const stats = runner->stats().checkpoints;
        bench::note("checkpoints: %llu captured, %llu written, %llu used, %llu unusable",
                    static_cast<unsigned long long>(stats.captured), static_cast<unsigned long long>(stats.written),
                    static_cast<unsigned long long>(stats.used), static_cast<unsigned long long>(stats.unusable));
    }
    for (int round = 0; round < std::max(1, o.page_only); ++round) first_page_reads(store, runner_options);
    if (o.page_only > 0) {
        // The three application models' rows from the last interval's checkpoint, R times each:
        // the render alone (this thread's CPU), what a first read costs beyond the page.
        app::checkpoint_keeper keeper(store, runner_options.checkpoints);
        auto const head_interval = (events - 1) / every * every;
        for (auto const name : {"funnel", "recruits-per-campaign", "retention"}) {
            auto const model = keeper.load(*projections::make_read_model(name), head_interval);
            for (int k = 0; k < o.page_only && model; ++k) {
                boost::json::array rows;
                auto const cpu = cpu_milliseconds([&] { rows = model->rows(); });
                bench::note("%s rows() at %llu: %zu rows in %.1f ms CPU; load %.2f", name,
                            static_cast<unsigned long long>(head_interval), rows.size(), cpu, bench::load_average());
            }
            if (model && std::string_view(name) == "funnel") {
                // funnel's rows kept by the fold (the runner's live table): what building them
                // from the cells costs at a load, and rows() from them.
                auto const table = model->shared_table();
                auto const build = cpu_milliseconds([&] { table->maintain_funnel_rows(); });
                boost::json::array rows;
                auto const kept = cpu_milliseconds([&] { rows = model->rows(); });
                bench::note("funnel rows kept from the cells in %.1f ms CPU; rows() from them: %zu rows in %.2f ms CPU",
                            build, rows.size(), kept);
            }
        }
    }
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "bench-projection_queries: %s\n", e.what());
    return 1;
}
