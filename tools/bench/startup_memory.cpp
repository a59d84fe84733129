// bench-startup_memory: start-up time and resident memory of recruit-ledgerd beside a large
// ledger (SPEC §9: < 100 MiB beside the LMDB map, start-up < 200 ms at 10,000,000 events).
//
//   bench-startup_memory [--quick] [--events N] [--seed S] [--dir DIR] [--keep 1]
//
// --quick is --events 200000 (tools/bench/run-all.sh --quick).
//
// 1. Builds a demo ledger of N events (default 10,000,000) through the real append path and
//    domain rules (tools/demo, batched, group commit) with the read models running, so they
//    snapshot every 50,000 events as the server does; skipped when DIR already holds a ledger
//    of N events (--keep 1 keeps it for the next run).
// 2. Starts recruit-ledgerd on it and measures the time until it listens (its port file
//    appears), until GET /readyz answers 200 and until every read model has caught up (GET
//    /v1/projections shows lag 0).
// 3. Reads the server's /proc/PID/status once caught up: VmRSS = RssAnon (private memory: the
//    read models, buffers, heap) + RssFile (LMDB map pages touched, shared with the page
//    cache) + RssShmem. "Beside the LMDB map" is RssAnon.
// Output: one tab-separated row per measurement (bench_report.hpp) on stdout: startup_ms
// (listening), startup_ready_ms (GET /readyz 200), startup_caught_up_ms (lag 0 everywhere),
// resident_memory_mib (RssAnon), resident_map_pages_mib,
// resident_total_mib, resident_peak_mib.

#include "../../tests/support/process.hpp"
#include "bench_report.hpp"

#include "demo_ledger.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/store/event_store.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

namespace {

using namespace ledger;
using bench_clock = std::chrono::steady_clock;

struct bench_options {
    std::uint64_t events = 10'000'000;
    std::uint64_t seed = 42;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "bench-server-start";
    bool keep = false;
};

bench_options parse(int argc, char** argv) {
    bench_options o;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        if (flag == "--quick") {
            o.events = 200'000;
            continue;
        }
        if (i + 1 == argc) throw std::invalid_argument(flag + " needs a value");
        std::string const value = argv[++i];
        if (flag == "--events") o.events = std::stoull(value);
        else if (flag == "--seed") o.seed = std::stoull(value);
        else if (flag == "--dir") o.dir = value;
        else if (flag == "--keep") o.keep = value == "1";
        else throw std::invalid_argument("unknown flag " + flag);
    }
    return o;
}

/// The ledger in `dir`, made with the server's own policy and read models (so the snapshots
/// are the ones a server would have written). Reuses a ledger that already has N events.
void build_ledger(bench_options const& o) {
    auto const data = o.dir / "data";
    store::store_options options{.directory = data};
    options.policy = std::make_shared<app::domain_policy>();
    store::event_store store(options);
    if (store.head().events == o.events) {
        bench::note("reusing the ledger of %llu events in %s",
                    static_cast<unsigned long long>(o.events), data.c_str());
        return;
    }
    if (store.head().events != 0) throw std::runtime_error(data.string() + " holds another ledger");
    app::projection_runner projections(store);
    auto const start = bench_clock::now();
    demo::load(store, demo::demo_options{.events = o.events, .seed = o.seed});
    std::chrono::duration<double> const loaded = bench_clock::now() - start;
    projections.wait_until_caught_up(std::chrono::minutes(30));
    bench::row("startup_ledger_build", static_cast<double>(o.events) / loaded.count(), "events/s");
    bench::note("built %llu demo events in %.1f s", static_cast<unsigned long long>(o.events),
                loaded.count());
}

/// The response to GET `target` from 127.0.0.1:`port` (HTTP/1.1, Connection: close), status
/// line and headers included; empty on failure.
std::string http_response(std::uint16_t port, std::string const& target) {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string const request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        ::close(fd);
        return {};
    }
    return testing::detail::drain(fd);  // reads to the end and closes fd
}

/// The body of GET `target`; empty on failure.
std::string http_get(std::uint16_t port, std::string const& target) {
    auto const response = http_response(port, target);
    auto const body = response.find("\r\n\r\n");
    return body == std::string::npos ? std::string{} : response.substr(body + 4);
}

/// GET /readyz answers 200: every read model loaded and within the ready lag of the head.
bool ready(std::uint16_t port) { return http_response(port, "/readyz").starts_with("HTTP/1.1 200"); }

bool caught_up(std::uint16_t port) {
    auto const body = http_get(port, "/v1/projections");
    if (body.empty()) return false;
    auto const list = boost::json::parse(body).at("projections").as_array();
    for (auto const& p : list) {
        if (p.at("lag").to_number<std::uint64_t>() != 0) return false;
    }
    return !list.empty();
}

/// The kB values of /proc/PID/status, by field name ("VmRSS", "RssAnon", ...).
std::map<std::string, double> memory_of(pid_t pid) {
    std::map<std::string, double> kib;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string field;
    double value = 0;
    std::string unit;
    while (status >> field) {
        if (field.ends_with(":") && (field.starts_with("Vm") || field.starts_with("Rss")) &&
            status >> value >> unit) {
            kib[field.substr(0, field.size() - 1)] = value;
        }
    }
    return kib;
}

std::uint16_t read_port(std::filesystem::path const& port_file) {
    std::uint16_t port = 0;
    std::ifstream(port_file) >> port;
    return port;
}

/// Starts the server, measures, stops it.
void measure_start(bench_options const& o) {
    auto const port_file = o.dir / "port";
    std::filesystem::remove(port_file);
    auto const start = bench_clock::now();
    pid_t const pid = testing::spawn_program(RECRUIT_LEDGERD,
                                             {"--data", (o.dir / "data").string(), "--listen",
                                              "127.0.0.1:0", "--port-file", port_file.string(),
                                              "--log-level", "warn"});
    if (pid <= 0) throw std::runtime_error("cannot start " RECRUIT_LEDGERD);
    std::uint16_t port = 0;
    auto const give_up = start + std::chrono::minutes(5);
    while ((port = read_port(port_file)) == 0 && bench_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    std::chrono::duration<double, std::milli> const listening = bench_clock::now() - start;
    while (port != 0 && !ready(port) && bench_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::chrono::duration<double, std::milli> const answering = bench_clock::now() - start;
    while (port != 0 && !caught_up(port) && bench_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::chrono::duration<double, std::milli> const ready = bench_clock::now() - start;
    auto const memory = memory_of(pid);
    ::kill(pid, SIGTERM);
    testing::wait_for_exit(pid, std::chrono::seconds(30));
    if (port == 0) throw std::runtime_error("the server never listened");

    bench::row("startup_ms", listening.count(), "ms");
    bench::row("startup_ready_ms", answering.count(), "ms");
    bench::row("startup_caught_up_ms", ready.count(), "ms");
    auto mib = [&](char const* field) { return memory.contains(field) ? memory.at(field) / 1024.0 : -1.0; };
    // SPEC §9's "beside the LMDB map": private memory only; the map's pages are RssFile.
    bench::row("resident_memory_mib", mib("RssAnon"), "MiB");
    bench::row("resident_map_pages_mib", mib("RssFile"), "MiB");
    bench::row("resident_total_mib", mib("VmRSS"), "MiB");
    bench::row("resident_peak_mib", mib("VmHWM"), "MiB");
}

}  // namespace

int main(int argc, char** argv) try {
    spdlog::set_level(spdlog::level::warn);
    auto const o = parse(argc, argv);
    std::filesystem::create_directories(o.dir);
    bench::note("bench-startup_memory: %llu events in %s, load average %.2f",
                static_cast<unsigned long long>(o.events), o.dir.c_str(), bench::load_average());
    build_ledger(o);
    measure_start(o);
    std::error_code ignored;
    if (!o.keep) std::filesystem::remove_all(o.dir, ignored);
    return 0;
} catch (std::exception const& e) {
    spdlog::error("bench-startup_memory: {}", e.what());
    return 1;
}
