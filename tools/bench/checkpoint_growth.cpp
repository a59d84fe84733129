// bench-checkpoint_growth: how the bytes of the as-of checkpoints grow with their number, whole
// records against records in shared content-defined chunks (issue 14/18, docs/read-models.md
// "Checkpoints in shared chunks").
//
//   bench-checkpoint_growth --data DIR [--every N] [--chunk-bits B[,B...]]
//   bench-checkpoint_growth --data DIR --erase 1     (erases DIR's checkpoint records, and exits)
//   bench-checkpoint_growth --data DIR --whole 1     (rewrites DIR's chunked checkpoints whole)
//
// Reads DIR's ledger (writes nothing): folds it into the seven read models, and at every
// multiple of N (default 200,000) makes the records a checkpoint there would store (each
// model's save_without_table, the application table once) and counts what they take:
//   whole       every record stored as it is (chunk bits 0, the form before)
//   chunked(B)  the chunks (~2^B bytes) not stored by an earlier checkpoint, plus manifests
// each as bytes of values and as 4 KiB pages (a value past ~2 KiB takes whole overflow pages,
// plus 16 bytes; smaller ones are counted as their bytes). Also the CPU time of cutting and
// hashing (the capture's extra cost) and of putting a record together again from its chunks
// (the load's extra cost: one copy of the record, which the whole form also pays when it reads
// the record out of LMDB).
// Rows: checkpoint_growth_whole_mib, checkpoint_growth_chunked_<B>_mib (total at the end),
// checkpoint_growth_chunked_<B>_ratio.
// Notes (stderr): one line per checkpoint with the running totals.

#include "bench_report.hpp"

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/read_model.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using namespace ledger;

namespace {

double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

std::uint64_t pages_of(std::size_t size) {
    if (size <= 2000) return 0;  // in a leaf page with others (counted as bytes)
    return (size + 16 + 4095) / 4096;
}
std::uint64_t page_bytes(std::size_t size) { return pages_of(size) == 0 ? size : pages_of(size) * 4096; }

struct chunked_total {
    unsigned bits = 0;
    std::unordered_set<std::string> stored;
    std::uint64_t bytes = 0, on_pages = 0, chunks = 0;
    double cut_ms = 0, assemble_ms = 0;
};

}  // namespace

int main(int argc, char** argv) try {
    std::filesystem::path data;
    std::uint64_t every = 200'000;
    std::vector<unsigned> bits{13, 15, 17};
    bool erase = false;
    bool whole = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        std::string const value = argv[i + 1];
        if (flag == "--data") data = value;
        else if (flag == "--every") every = std::stoull(value);
        else if (flag == "--erase") erase = value == "1";
        else if (flag == "--whole") whole = value == "1";
        else if (flag == "--chunk-bits") {
            bits.clear();
            for (std::size_t at = 0; at < value.size();) {
                auto const comma = value.find(',', at);
                bits.push_back(static_cast<unsigned>(std::stoul(value.substr(at, comma - at))));
                at = comma == std::string::npos ? value.size() : comma + 1;
            }
        } else throw std::invalid_argument("unknown flag " + flag);
    }
    if (whole) {
        // Every chunked checkpoint of DIR rewritten as its whole record (the form before), the
        // chunks left where they are: the same checkpoints in both forms, for as-of timings.
        store::store_options options{.directory = data};
        options.policy = std::make_shared<app::domain_policy>();
        store::event_store store(options);
        std::vector<std::pair<std::string, std::string>> rewritten;
        {
            std::vector<std::string> keys;
            auto const reader = store.read_projections();
            reader->scan("checkpoint", "checkpoint", [&](std::string_view key, std::string_view value) {
                if (app::detail::is_manifest(value)) keys.emplace_back(key);
                return true;
            });
            for (auto const& key : keys) {
                auto record = app::detail::read_checkpoint_record(store, key);
                if (!record) throw std::runtime_error(key + " does not put itself together");
                rewritten.emplace_back(key, std::move(*record));
            }
        }
        store.set_before_commit_hook([&](store::projection_records& records) {
            for (auto const& [key, record] : rewritten) records.put(key, record);
        });
        if (auto const failed = store.write_projection_records()) throw std::runtime_error(failed->message);
        store.set_before_commit_hook({});
        bench::note("rewrote %zu checkpoint records whole", rewritten.size());
        return 0;
    }
    if (erase) {
        // Every checkpoint record of DIR erased (so that a server started next takes them again,
        // in the form its flags say): a bench's way to compare the forms on one ledger.
        store::store_options options{.directory = data};
        options.policy = std::make_shared<app::domain_policy>();
        store::event_store store(options);
        std::size_t erased = 0;
        store.set_before_commit_hook([&](store::projection_records& records) {
            erased = 0;
            for (std::size_t n; (n = records.erase_prefix("checkpoint", 100'000)) > 0;) erased += n;
        });
        if (auto const failed = store.write_projection_records()) throw std::runtime_error(failed->message);
        store.set_before_commit_hook({});
        bench::note("erased %zu checkpoint records", erased);
        return 0;
    }
    if (data.empty() || every == 0) throw std::invalid_argument("usage: bench-checkpoint_growth --data DIR [--every N] [--chunk-bits B,...]");
    store::store_options options{.directory = data};
    options.policy = std::make_shared<app::domain_policy>();
    store::event_store store(options);
    auto const events = store.head().events;
    bench::note("load average %.2f; %llu events; a checkpoint every %llu", bench::load_average(),
                static_cast<unsigned long long>(events), static_cast<unsigned long long>(every));

    std::vector<std::unique_ptr<projections::read_model>> models;
    std::vector<projections::read_model*> pointers;
    for (auto const name : projections::read_model_names()) {
        models.push_back(projections::make_read_model(name));
        pointers.push_back(models.back().get());
    }
    std::vector<chunked_total> chunked;
    for (auto const b : bits) chunked.push_back({.bits = b});
    std::uint64_t whole_bytes = 0, whole_pages_bytes = 0, state_now = 0;
    int checkpoints = 0;
    for (std::uint64_t at = every; at < events; at += every) {
        app::replay_log(store, pointers, {.from_position = at - every, .to_position = at - 1});
        // The records of a checkpoint at `at` (as checkpoint_keeper::capture makes them).
        std::vector<std::string> records;
        bool table_saved = false;
        for (auto const& model : models) {
            auto const table = model->shared_table();
            if (table && !table_saved) {
                records.push_back(app::detail::encode_checkpoint(
                    {projections::application_table_code_version(), at, projections::save_table(*table)}));
                table_saved = true;
            }
            records.push_back(app::detail::encode_checkpoint(
                {model->code_version(), at, table ? model->save_without_table() : model->save()}));
        }
        ++checkpoints;
        state_now = 0;
        for (auto const& record : records) {
            state_now += record.size();
            whole_bytes += record.size();
            whole_pages_bytes += page_bytes(record.size());
        }
        for (auto& c : chunked) {
            for (auto const& record : records) {
                if (record.size() < (std::size_t{64} << 10)) {  // as checkpoint_options::chunk_threshold
                    c.bytes += record.size();
                    c.on_pages += page_bytes(record.size());
                    continue;
                }
                auto const started = cpu_ms();
                auto const cut = app::detail::chunk_checkpoint(record, c.bits);
                c.cut_ms += cpu_ms() - started;
                c.bytes += cut.manifest.size();
                c.on_pages += page_bytes(cut.manifest.size());
                std::unordered_map<std::string_view, std::string_view> by_key;
                for (auto const& chunk : cut.chunks) {
                    by_key.emplace(chunk.key, chunk.bytes);
                    if (!c.stored.insert(chunk.key).second) continue;
                    ++c.chunks;
                    c.bytes += chunk.bytes.size() + chunk.key.size();
                    c.on_pages += page_bytes(chunk.bytes.size()) + chunk.key.size();
                }
                auto const assembling = cpu_ms();
                auto const again = app::detail::assemble_checkpoint(cut.manifest, [&](std::string_view key) {
                    auto const found = by_key.find(key);
                    return found == by_key.end() ? std::nullopt : std::optional<std::string_view>(found->second);
                });
                c.assemble_ms += cpu_ms() - assembling;
                if (!again || *again != record) throw std::runtime_error("a record does not put itself together again");
            }
        }
        std::string line = "checkpoint " + std::to_string(checkpoints) + " at " + std::to_string(at) +
                           ": state " + std::to_string(state_now >> 20) + " MiB; whole " +
                           std::to_string(whole_pages_bytes >> 20) + " MiB";
        for (auto const& c : chunked) {
            line += "; chunks of 2^" + std::to_string(c.bits) + " " + std::to_string(c.on_pages >> 20) + " MiB";
        }
        bench::note("%s", line.c_str());
    }
    auto const mib = [](std::uint64_t b) { return static_cast<double>(b) / 1048576.0; };
    bench::note("%d checkpoints; the last one's records %.1f MiB", checkpoints, mib(state_now));
    bench::row("checkpoint_growth_whole_mib", mib(whole_pages_bytes), "MiB");
    for (auto const& c : chunked) {
        auto const name = "checkpoint_growth_chunked_" + std::to_string(c.bits);
        bench::row(name + "_mib", mib(c.on_pages), "MiB", "checkpoint_growth_whole_mib", mib(whole_pages_bytes));
        bench::note("chunks of 2^%u: %llu chunks, %.1f MiB of values; cut+hash %.0f ms CPU, put together %.0f ms CPU "
                    "(all checkpoints)",
                    c.bits, static_cast<unsigned long long>(c.chunks), mib(c.bytes), c.cut_ms, c.assemble_ms);
    }
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "bench-checkpoint_growth: %s\n", e.what());
    return 1;
}
