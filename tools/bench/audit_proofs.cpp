// bench-audit_proofs: the cost of the verifiable audit (SPEC §11, docs/audit.md) in one run.
//
//   bench-audit_proofs [--dir DIR] [--events N] [--seconds S]
//
// 1. Appends (batches of 1,000 events, 4 appenders, fsync per commit) with the Merkle tree and,
//    alternately in the same run (4 rounds each, ABBA order), without it
//    (merkle::skip_tree_for_benchmark): the ratio is the tree's cost on the write path (target:
//    within 10 %).
// 2. A ledger of N events (default 1,000,000; SPEC's size is 10,000,000): inclusion and
//    consistency proofs at random positions against the head, and signed checkpoints, in ms each
//    (mean and 99th percentile; target < 5 ms).
// 3. Verifying the whole log from scratch: the hash chain (event_store::verify) and the tree
//    (event_store::verify_tree) each alone, then both on two threads as `recruit-ledger verify`
//    runs them, events/s (target >= 1,000,000/s).
// Output: rows of bench_report.hpp on stdout; notes (with the load average) on stderr.

#include "bench_report.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/merkle.hpp"
#include "ledger/store/merkle_note.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace ledger;
using clock_type = std::chrono::steady_clock;
namespace merkle = store::merkle;

struct settings {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "ledger-bench-audit";
    std::uint64_t events = 1'000'000;
    double seconds = 3.0;
};

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

/// Appends batches of 1,000 from 4 threads for `seconds`; events/s.
double append_rate(settings const& s, bool with_tree, int round) {
    merkle::skip_tree_for_benchmark(!with_tree);
    double rate = 0;
    {
        store::event_store store({.directory = fresh(s, fmt::format("rate-{}-{}", with_tree, round)),
                                  .initial_map_size = std::size_t{1} << 30});
        std::atomic<std::uint64_t> appended{0};
        auto const start = clock_type::now();
        auto const until = start + std::chrono::duration<double>(s.seconds);
        {
            std::vector<std::jthread> threads;
            for (int t = 0; t < 4; ++t) {
                threads.emplace_back([&, t] {
                    std::vector<store::event_to_append> events(1000, sample_event());
                    for (int i = 0; clock_type::now() < until; ++i) {
                        auto const r = store.append({fmt::format("candidate-b{}-{}", t, i % 50), store::expected_version::any(), "bench", events});
                        if (!r) throw std::runtime_error(r.error().message);
                        appended += 1000;
                    }
                });
            }
        }
        rate = static_cast<double>(appended) / std::chrono::duration<double>(clock_type::now() - start).count();
    }
    merkle::skip_tree_for_benchmark(false);
    return rate;
}

struct latency {
    double mean_ms = 0;
    double p99_ms = 0;
};

template <class Work>
latency measure(int count, Work&& work) {
    std::vector<double> ms;
    for (int i = 0; i < count; ++i) {
        auto const start = clock_type::now();
        work(i);
        ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double sum = 0;
    for (double m : ms) sum += m;
    return {sum / static_cast<double>(ms.size()), ms[ms.size() * 99 / 100]};
}

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        if (flag == "--dir") s.dir = argv[i + 1];
        else if (flag == "--events") s.events = std::stoull(argv[i + 1]);
        else if (flag == "--seconds") s.seconds = std::stod(argv[i + 1]);
        else throw std::invalid_argument("unknown flag " + flag);
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    spdlog::set_level(spdlog::level::warn);
    auto const s = parse(argc, argv);
    std::filesystem::create_directories(s.dir);

    // Four rounds in the order without, with, with, without, ... so that a burst of load from
    // elsewhere, and whichever side goes first, weigh on both sides alike.
    constexpr int rounds = 4;
    double without = 0;
    double with = 0;
    for (int round = 0; round < rounds; ++round) {
        bool const tree_first = round % 2 == 1;
        double const first = append_rate(s, tree_first, round);
        double const second = append_rate(s, !tree_first, round);
        (tree_first ? with : without) += first / rounds;
        (tree_first ? without : with) += second / rounds;
    }

    auto const ledger_dir = fresh(s, "large");
    std::uint64_t built = 0;
    {
        store::event_store store({.directory = ledger_dir, .initial_map_size = std::size_t{4} << 30});
        std::vector<store::event_to_append> events(1000, sample_event());
        for (std::uint64_t i = 0; built < s.events; ++i) {
            events.resize(std::min<std::uint64_t>(1000, s.events - built), sample_event());
            auto const r = store.append({fmt::format("candidate-l{}", i % 5000), store::expected_version::any(), "bench", events});
            if (!r) throw std::runtime_error(r.error().message);
            built += events.size();
        }
    }
    store::event_store store({.directory = ledger_dir, .writer = false});
    auto const size = store.tree_size();
    std::mt19937_64 random(42);
    auto const inclusion = measure(2000, [&](int) {
        auto const path = store.inclusion_proof(random() % size, size);
        if (path.empty()) throw std::runtime_error("empty path");
    });
    auto const consistency = measure(2000, [&](int) {
        auto const proof = store.consistency_proof(1 + random() % (size - 1), size);
        if (proof.empty()) throw std::runtime_error("empty proof");
    });
    auto const key = merkle::generate_signing_key("bench");
    auto const checkpoint = measure(500, [&](int) {
        auto const note = merkle::sign_note(merkle::checkpoint_body({key.name, size, store.tree_root(size)}), key);
        if (note.empty()) throw std::runtime_error("empty note");
    });

    auto const chain_start = clock_type::now();
    auto const chain = store.verify();
    double const chain_seconds = std::chrono::duration<double>(clock_type::now() - chain_start).count();
    auto const tree_start = clock_type::now();
    auto const tree = store.verify_tree();
    double const tree_seconds = std::chrono::duration<double>(clock_type::now() - tree_start).count();
    if (!chain.ok || tree) throw std::runtime_error("the bench ledger does not verify");
    // As `recruit-ledger verify` does it: the chain and the tree on two threads at once.
    auto const both_start = clock_type::now();
    {
        std::jthread tree_thread([&] {
            if (store.verify_tree()) throw std::runtime_error("the bench ledger's tree does not verify");
        });
        if (!store.verify().ok) throw std::runtime_error("the bench ledger's chain does not verify");
    }
    double const both_seconds = std::chrono::duration<double>(clock_type::now() - both_start).count();
    std::filesystem::remove_all(s.dir);

    bench::note("bench-audit_proofs: appends 4 x 1,000-event batches, %.1f s x 4 rounds per side; ledger of %llu events; load average %.2f",
                s.seconds, static_cast<unsigned long long>(size), bench::load_average());
    bench::row("audit_append_without_tree", without, "events/s");
    bench::row("audit_append_with_tree", with, "events/s", "audit_append_without_tree", without);
    bench::row("audit_inclusion_proof_mean", inclusion.mean_ms, "ms");
    bench::row("audit_inclusion_proof_p99", inclusion.p99_ms, "ms");
    bench::row("audit_consistency_proof_mean", consistency.mean_ms, "ms");
    bench::row("audit_consistency_proof_p99", consistency.p99_ms, "ms");
    bench::row("audit_checkpoint_mean", checkpoint.mean_ms, "ms");
    bench::row("audit_verify_chain", static_cast<double>(size) / chain_seconds, "events/s");
    bench::row("audit_verify_tree", static_cast<double>(size) / tree_seconds, "events/s");
    bench::row("audit_verify_chain_and_tree", static_cast<double>(size) / both_seconds, "events/s",
               "audit_verify_chain", static_cast<double>(size) / chain_seconds);
    return 0;
} catch (std::exception const& e) {
    spdlog::error("bench-audit_proofs: {}", e.what());
    return 1;
}
