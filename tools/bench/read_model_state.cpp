// bench-read_model_state: how much private memory and snapshot space each read model's state
// takes after folding a whole ledger (issue 14: state bounded by entities, not events).
//
//   bench-read_model_state --data DIR
//
// Folds the log of the ledger in DIR (e.g. one bench-startup_memory --keep 1 left, or
// `recruit-ledger demo`) into each read model alone and prints, per model, the heap bytes its
// state holds (glibc mallinfo2: chunks in use plus mmap'd ones, before and after) and the size of its snapshot, as
// bench_report.hpp rows on stdout: state_heap_<model> (MiB), state_snapshot_<model> (MiB),
// state_heap_bytes_per_event_sum (the seven alone, summed, per log event), and the seven folded
// together as the server keeps them: state_heap_all_together (MiB) and per event.

#include "bench_report.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/store/event_store.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// Heap bytes in use: malloc'd chunks and mmap'd ones (large tables are mmap'd until glibc's
/// dynamic threshold rises, so uordblks alone misses whichever model allocated first).
double heap_in_use() {
    auto const info = mallinfo2();
    return static_cast<double>(info.uordblks + info.hblkhd);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace ledger;
    spdlog::set_level(spdlog::level::warn);
    if (argc != 3 || std::string_view(argv[1]) != "--data") {
        std::fprintf(stderr, "usage: bench-read_model_state --data DIR\n");
        return 2;
    }
    store::store_options options;
    options.directory = argv[2];
    store::event_store store(options);
    auto const events = store.head().events;
    double all = 0;
    for (auto const name : projections::read_model_names()) {
        auto const before = heap_in_use();
        auto model = projections::make_read_model(name);
        projections::read_model* pointer = model.get();
        app::replay_log(store, std::span(&pointer, 1), {});
        auto const held = heap_in_use() - before;
        all += held;
        std::string row(name);
        std::replace(row.begin(), row.end(), '-', '_');
        bench::row("state_heap_" + row, held / 1048576.0, "MiB");
        bench::row("state_snapshot_" + row, static_cast<double>(model->save().size()) / 1048576.0, "MiB");
    }
    bench::row("state_heap_bytes_per_event_sum", events == 0 ? 0.0 : all / static_cast<double>(events), "B");
    // All seven folded together, as the server keeps them (three share one application table).
    auto const before = heap_in_use();
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());
    app::replay_log(store, pointers, {});
    auto const together = heap_in_use() - before;
    bench::row("state_heap_all_together", together / 1048576.0, "MiB");
    bench::row("state_heap_bytes_per_event_together", events == 0 ? 0.0 : together / static_cast<double>(events), "B");
    bench::note("%llu events in the log", static_cast<unsigned long long>(events));
    return 0;
}
