// bench-startup_memory: start-up time and resident memory of recruit-ledgerd beside a large
// ledger (SPEC §9: < 100 MiB beside the LMDB map; issue 14: ready < 1 s at 10,000,000 events
// after a clean restart, < 2 s plus the fold of the tail after kill -9 under load).
//
//   bench-startup_memory [--quick] [--events N] [--seed S] [--dir DIR] [--keep 1] [--kill9 SECONDS]
//
// --quick is --events 200000 (tools/bench/run-all.sh --quick).
//
// 1. Builds a demo ledger of N events (default 10,000,000) through the real append path and
//    domain rules (tools/demo, batched, group commit) with the read models running, so they
//    snapshot every 50,000 events as the server does; skipped when DIR already holds a ledger
//    of N events (--keep 1 keeps it for the next run).
// 2. A first start to the head, not measured: the server folds whatever tail the records do
//    not cover (a ledger built by another code version refolds its read models here) and
//    saves every read model at the head when stopped (SIGTERM). So the starts measured next
//    are restarts, never a refold.
// 3. A clean restart with the page cache as the first start left it (warm): the time until it
//    listens (its port file appears), until GET /readyz answers 200 and until every read
//    model has caught up (GET /v1/projections shows lag 0); then /proc/PID/status: VmRSS =
//    RssAnon (private memory: the read models, buffers, heap) + RssFile (LMDB map pages
//    touched, shared with the page cache) + RssShmem. "Beside the LMDB map" is RssAnon.
// 4. A clean restart after data.mdb's pages were evicted from the page cache
//    (posix_fadvise DONTNEED; mincore checks it, a note says what was left): what a reboot
//    leaves. /proc/PID/io's read_bytes says what the start read from the disk.
// 5. With --kill9 S > 0 (default 0: none): kill -9 under load. The server appends over HTTP from 4
//    connections for S seconds (new campaign streams of 3 events each), is killed with SIGKILL
//    while they run, and is started again; the rows say how many events the records did not
//    cover (what the restart must fold) and when /readyz answered 200. This APPENDS to the
//    ledger in DIR: a kept ledger then holds more than N events and is still reused.
// Output: one tab-separated row per measurement (bench_report.hpp) on stdout: startup_ms
// (listening), startup_ready_ms (GET /readyz 200), startup_caught_up_ms (lag 0 everywhere),
// resident_memory_mib (RssAnon), resident_map_pages_mib, resident_total_mib,
// resident_peak_mib, startup_ready_cold_ms, startup_cold_read_mib, and with --kill9:
// startup_kill_appended_events, startup_kill_tail_events, startup_ready_after_kill_ms.

#include "../../tests/support/process.hpp"
#include "bench_report.hpp"

#include "demo_ledger.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_snapshot.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/store/event_store.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace ledger;
using bench_clock = std::chrono::steady_clock;

struct bench_options {
    std::uint64_t events = 10'000'000;
    std::uint64_t seed = 42;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "bench-server-start";
    bool keep = false;
    double kill9_seconds = 0;  // 0: no kill -9 round (it appends to the ledger)
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
        else if (flag == "--kill9") o.kill9_seconds = std::stod(value);
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
    // A kill -9 round of an earlier run may have appended a few thousand events.
    if (store.head().events >= o.events && store.head().events < o.events + o.events / 10 + 100'000) {
        bench::note("reusing the ledger of %llu events in %s",
                    static_cast<unsigned long long>(store.head().events), data.c_str());
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

/// The response to GET `target` (POST of `post_body` when not empty) from 127.0.0.1:`port` (HTTP/1.1, Connection: close), status
/// line and headers included; empty on failure.
std::string http_response(std::uint16_t port, std::string const& target, std::string const& post_body = {}) {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string const request =
        post_body.empty()
            ? "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            : "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              "content-type: application/json\r\ncontent-length: " + std::to_string(post_body.size()) +
                  "\r\n\r\n" + post_body;
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

/// A started server: its process and port, and when it answered.
struct started_server {
    pid_t pid = -1;
    std::uint16_t port = 0;
    double listening_ms = 0;  // spawn → port file written
    double ready_ms = 0;      // spawn → GET /readyz 200
    bench_clock::time_point spawned;
};

/// Spawns recruit-ledgerd on DIR/data and waits (at most 10 minutes: a first start may refold)
/// until it listens and answers GET /readyz 200. Throws when it never listens.
started_server start_server(bench_options const& o) {
    auto const port_file = o.dir / "port";
    std::filesystem::remove(port_file);
    started_server s;
    s.spawned = bench_clock::now();
    s.pid = testing::spawn_program(RECRUIT_LEDGERD,
                                   {"--data", (o.dir / "data").string(), "--listen", "127.0.0.1:0",
                                    "--port-file", port_file.string(), "--log-level", "warn"});
    if (s.pid <= 0) throw std::runtime_error("cannot start " RECRUIT_LEDGERD);
    auto const give_up = s.spawned + std::chrono::minutes(10);
    while ((s.port = read_port(port_file)) == 0 && bench_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    s.listening_ms = std::chrono::duration<double, std::milli>(bench_clock::now() - s.spawned).count();
    if (s.port == 0) {
        ::kill(s.pid, SIGKILL);
        testing::wait_for_exit(s.pid, std::chrono::seconds(30));
        throw std::runtime_error("the server never listened");
    }
    while (!ready(s.port) && bench_clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s.ready_ms = std::chrono::duration<double, std::milli>(bench_clock::now() - s.spawned).count();
    return s;
}

/// Milliseconds from spawn until every read model shows lag 0 (bounded by 10 minutes).
double wait_caught_up(started_server const& s) {
    auto const give_up = s.spawned + std::chrono::minutes(10);
    while (!caught_up(s.port) && bench_clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return std::chrono::duration<double, std::milli>(bench_clock::now() - s.spawned).count();
}

/// SIGTERM: a clean stop (the server saves its read models at the head before exiting).
void stop_server(started_server const& s) {
    ::kill(s.pid, SIGTERM);
    testing::wait_for_exit(s.pid, std::chrono::minutes(2));
}

/// Bytes the process has read from the disk so far (/proc/PID/io read_bytes, page faults on
/// the map included).
double read_bytes_of(pid_t pid) {
    std::ifstream io("/proc/" + std::to_string(pid) + "/io");
    std::string field;
    double value = 0;
    while (io >> field >> value) {
        if (field == "read_bytes:") return value;
    }
    return -1;
}

/// Evicts `file` from the page cache (drop_caches needs root and is not writable here; its
/// clean pages go with POSIX_FADV_DONTNEED) and returns how many bytes mincore still finds.
double evict_from_page_cache(std::filesystem::path const& file) {
    int const fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open " + file.string());
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    auto const size = static_cast<std::size_t>(std::filesystem::file_size(file));
    double resident = 0;
    if (void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0); map != MAP_FAILED) {
        auto const page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        std::vector<unsigned char> in_core((size + page - 1) / page);
        if (::mincore(map, size, in_core.data()) == 0) {
            for (auto const c : in_core) resident += (c & 1) ? static_cast<double>(page) : 0;
        }
        ::munmap(map, size);
    }
    ::close(fd);
    return resident;
}

/// The lowest position any read model's record covers (the table's, each model's own or
/// entity record), read with the server stopped: the restart folds from there to the head.
std::uint64_t lowest_saved_position(std::filesystem::path const& data) {
    store::store_options options{.directory = data};
    options.writer = false;
    store::event_store store(options);
    std::uint64_t lowest = store.head().events;
    auto const covered = [&](std::string const& key, bool entity) {
        auto const record = store.read_projection_record(key);
        auto const view = !record ? std::nullopt
                          : entity ? app::detail::decode_entity_snapshot_view(*record)
                                   : app::detail::decode_snapshot_view(*record);
        lowest = std::min<std::uint64_t>(lowest, view ? view->next_position : 0);
    };
    covered(app::detail::table_snapshot_key(), false);
    for (auto const& name : {"recruits-per-campaign", "funnel", "retention"}) covered(app::detail::snapshot_key(name), false);
    for (auto const& name : {"vacancies", "outreach", "origin", "hires-vs-target"}) {
        covered(app::detail::entity_snapshot_key(name), true);
    }
    return lowest;
}

/// POSTs new campaign streams (3 events each, expected no_stream) to 127.0.0.1:`port` until
/// `stop`; returns the events acknowledged (201).
std::uint64_t append_campaigns(std::uint16_t port, int connection, std::atomic<bool> const& stop) {
    std::uint64_t appended = 0;
    for (std::uint64_t n = 0; !stop; ++n) {
        auto const id = "campaign-bench-kill-" + std::to_string(::getpid()) + "-" + std::to_string(connection) + "-" +
                        std::to_string(n);
        std::string const body =
            R"({"expected_version":"no_stream","events":[{"type":"CampaignPlanned","occurred_at":"2027-02-01","data":)"
            R"({"name":"Bench trip )" + id + R"(","kind":"recruitment_trip","organiser":"region-kalmar","partners":[],)"
            R"("target_countries":["ES"],"target_hires":5}},{"type":"ShortageCheckRecorded","occurred_at":"2027-02-01",)"
            R"("data":{"country":"ES","shortage":false,"source":"EURES"}},{"type":"TripHeld","occurred_at":"2027-03-10",)"
            R"("data":{"country":"ES","city":"Madrid","from":"2027-03-10","to":"2027-03-12"}}]})";
        auto const response = http_response(port, "/v1/streams/" + id + "/events", body);
        if (response.starts_with("HTTP/1.1 201")) {
            appended += 3;
        } else if (response.empty()) {
            break;  // killed
        } else if (n == 0) {
            bench::note("an append was refused: %s", response.substr(0, response.find("\r\n")).c_str());
        }
    }
    return appended;
}

/// Starts the server, appends over HTTP for `seconds`, kills it with SIGKILL while the appends
/// run, and times the restart's /readyz 200. Leaves no server running.
void measure_kill9(bench_options const& o) {
    auto const s = start_server(o);
    wait_caught_up(s);
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> appended{0};
    std::vector<std::thread> appenders;
    for (int c = 0; c < 4; ++c) {
        appenders.emplace_back([&, c] { appended += append_campaigns(s.port, c, stop); });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.kill9_seconds));
    ::kill(s.pid, SIGKILL);  // under load: appends in flight
    testing::wait_for_exit(s.pid, std::chrono::seconds(30));
    stop = true;
    for (auto& t : appenders) t.join();
    store::store_options options{.directory = o.dir / "data"};
    options.writer = false;
    auto const head = store::event_store(options).head().events;
    auto const tail = head - lowest_saved_position(o.dir / "data");
    auto const restarted = start_server(o);
    stop_server(restarted);
    bench::row("startup_kill_appended_events", static_cast<double>(appended.load()), "events");
    bench::row("startup_kill_tail_events", static_cast<double>(tail), "events");
    bench::row("startup_ready_after_kill_ms", restarted.ready_ms, "ms");
    bench::note("kill -9 after %.1f s of appends: %llu events acknowledged, %llu after the last record, "
                "ready again in %.0f ms", o.kill9_seconds, static_cast<unsigned long long>(appended.load()),
                static_cast<unsigned long long>(tail), restarted.ready_ms);
}

/// The first start (not measured: brings every record to the head), a warm restart and a
/// cold one.
void measure_starts(bench_options const& o) {
    auto const first = start_server(o);
    auto const first_caught_up = wait_caught_up(first);
    stop_server(first);
    bench::note("first start to the head (not a row): ready in %.0f ms, caught up in %.0f ms", first.ready_ms,
                first_caught_up);

    auto const warm = start_server(o);
    auto const caught_up_ms = wait_caught_up(warm);
    auto const memory = memory_of(warm.pid);
    stop_server(warm);
    bench::row("startup_ms", warm.listening_ms, "ms");
    bench::row("startup_ready_ms", warm.ready_ms, "ms");
    bench::row("startup_caught_up_ms", caught_up_ms, "ms");
    auto mib = [&](char const* field) { return memory.contains(field) ? memory.at(field) / 1024.0 : -1.0; };
    // SPEC §9's "beside the LMDB map": private memory only; the map's pages are RssFile.
    bench::row("resident_memory_mib", mib("RssAnon"), "MiB");
    bench::row("resident_map_pages_mib", mib("RssFile"), "MiB");
    bench::row("resident_total_mib", mib("VmRSS"), "MiB");
    bench::row("resident_peak_mib", mib("VmHWM"), "MiB");

    auto const left = evict_from_page_cache(o.dir / "data" / "data.mdb");
    bench::note("data.mdb evicted from the page cache: %.1f MiB still resident (mincore)", left / (1 << 20));
    auto const cold = start_server(o);
    auto const read_mib = read_bytes_of(cold.pid) / (1 << 20);
    stop_server(cold);
    bench::row("startup_ready_cold_ms", cold.ready_ms, "ms");
    bench::row("startup_cold_read_mib", read_mib, "MiB");
}

}  // namespace

int main(int argc, char** argv) try {
    spdlog::set_level(spdlog::level::warn);
    auto const o = parse(argc, argv);
    std::filesystem::create_directories(o.dir);
    bench::note("bench-startup_memory: %llu events in %s, load average %.2f",
                static_cast<unsigned long long>(o.events), o.dir.c_str(), bench::load_average());
    build_ledger(o);
    measure_starts(o);
    if (o.kill9_seconds > 0) measure_kill9(o);
    std::error_code ignored;
    if (!o.keep) std::filesystem::remove_all(o.dir, ignored);
    return 0;
} catch (std::exception const& e) {
    spdlog::error("bench-startup_memory: {}", e.what());
    return 1;
}
