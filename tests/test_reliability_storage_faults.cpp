// Storage faults (SPEC §3, §6 "Serving rules", §10; docs/reliability.md): the real
// recruit-ledgerd runs with the LD_PRELOAD fault injector (tests/fault/storage_fault.c), and the
// test switches a fault on and off through its control file while the server runs.
// - A failed meta page write (LMDB marks the environment failed: MDB_PANIC) fail-stops: no 201,
//   /healthz and /readyz answer 503 naming the cause, the API refuses, the process exits 1, and
//   a restart recovers with every acknowledged event.
// - A failing fdatasync refuses appends while it lasts, and they resume after it; nothing lost.
// - ENOSPC on a data page write is 507 storage_full and recovers once space is back.
// - Every commit syncs: fdatasync of the data pages and a meta page write through LMDB's
//   O_DSYNC descriptor, counted by the shim.

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <fstream>
#include <map>
#include <sstream>

using namespace ledger;
using namespace ledger::testing;

namespace {

constexpr auto target = "/v1/streams/campaign-fault/events";

/// A server under the fault injector, with the control file it reads.
struct faulty_server {
    explicit faulty_server(temp_dir const& directory, std::vector<std::string> flags = {"--threads", "2"})
        : control(directory / "fault"),
          counts(directory / "counts"),
          data(directory / "data"),
          server(data, std::move(flags),
                 {"LD_PRELOAD=" + std::string(LEDGER_STORAGE_FAULT), "LEDGER_FAULT_CONTROL=" + control.string(),
                  "LEDGER_FAULT_COUNTS=" + counts.string(),
                  // An ASan build's runtime must come first in the library list; the shim has none.
                  "ASAN_OPTIONS=verify_asan_link_order=0"}) {
        set("off");
    }

    void set(std::string const& fault) const { std::ofstream(control) << fault << '\n'; }

    /// The shim's counters: fdatasync, meta_writes, synced_meta_writes.
    std::map<std::string, long> read_counts() const {
        std::map<std::string, long> out;
        std::ifstream in(counts);
        std::string word;
        while (in >> word) {
            auto const equals = word.find('=');
            if (equals != std::string::npos) out[word.substr(0, equals)] = std::stol(word.substr(equals + 1));
        }
        return out;
    }

    std::filesystem::path control;
    std::filesystem::path counts;
    std::filesystem::path data;
    ledgerd server;
};

std::string open_campaign() {
    return R"({"expected_version":"no_stream","events":[{"type":"CampaignPlanned","occurred_at":"2024-01-10",)"
           R"("data":{"name":"Fault","kind":"recruitment_trip","organiser":"x"}}]})";
}

/// One CostRecorded event with a client-chosen id, so a retry after a fault is idempotent.
std::string cost(int number) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", number);
    return std::string(R"({"expected_version":"any","events":[{"id":")") + id +
           R"(","type":"CostRecorded","occurred_at":"2024-02-01","data":{"category":"travel","amount_minor":)" +
           std::to_string(number) + R"(,"currency":"SEK"}}]})";
}

std::string error_field(raw_response const& reply, char const* field) {
    auto const body = boost::json::parse(reply.body);
    return std::string(body.at("error").at(field).as_string());
}

/// The ledger as a fresh open sees it: verified (with indexes), and its event count.
std::uint64_t verified_events(std::filesystem::path const& data) {
    store::event_store store({.directory = data});
    auto const report = store.verify(true);
    INFO(report.problem);
    REQUIRE(report.ok);
    return report.events;
}

}  // namespace

TEST_CASE("a failed meta page write stops the server: health 503 with the cause, exit 1, a restart recovers",
          "[reliability][storage][faults]") {
    temp_dir directory;
    faulty_server fault(directory);
    REQUIRE(fault.server.start());
    raw_client client(fault.server.port());
    REQUIRE(client.call(http_request("POST", target, open_campaign())).status == 201);
    for (int i = 1; i <= 3; ++i) REQUIRE(client.call(http_request("POST", target, cost(i))).status == 201);

    fault.set("meta_eio");
    auto const failed = client.call(http_request("POST", target, cost(4)));
    CHECK(failed.status == 503);
    // Its outcome is unknown, so the answer must not claim that nothing was written.
    CHECK(failed.body.find("nothing") == std::string::npos);
    CHECK(failed.head.find("Retry-After") != std::string::npos);

    raw_client health(fault.server.port());
    auto const healthz = health.call(http_request("GET", "/healthz"));
    CHECK(healthz.status == 503);
    CHECK(healthz.body.find("mdb_txn_commit") != std::string::npos);  // the cause is named
    raw_client ready(fault.server.port());
    CHECK(ready.call(http_request("GET", "/readyz")).status == 503);
    raw_client api(fault.server.port());
    auto const refused = api.call(http_request("POST", target, cost(5)));
    CHECK(refused.status == 503);
    CHECK(error_field(refused, "code") == "unavailable");

    // It exits by itself, non-zero, so systemd restarts it.
    CHECK(fault.server.wait_exit(std::chrono::seconds(15)) == 1);

    fault.set("off");
    auto const events = verified_events(fault.data);
    CHECK((events == 4 || events == 5));  // the unacknowledged append may or may not be there
    REQUIRE(fault.server.start());
    raw_client again(fault.server.port());
    CHECK(again.call(http_request("GET", "/healthz")).status == 200);
    // Re-sending the unacknowledged append with the same id records it exactly once.
    auto const retried = again.call(http_request("POST", target, cost(4)));
    CHECK((retried.status == 200 || retried.status == 201));
    CHECK(again.call(http_request("POST", target, cost(5))).status == 201);
    fault.server.kill(SIGTERM);
    CHECK(verified_events(fault.data) == 6);
}

TEST_CASE("a failing fdatasync acknowledges nothing while it lasts, then appends resume and nothing is lost",
          "[reliability][storage][faults]") {
    temp_dir directory;
    faulty_server fault(directory);
    REQUIRE(fault.server.start());
    raw_client client(fault.server.port());
    REQUIRE(client.call(http_request("POST", target, open_campaign())).status == 201);
    REQUIRE(client.call(http_request("POST", target, cost(1))).status == 201);

    fault.set("fdatasync_eio");
    for (int i = 2; i <= 4; ++i) {
        auto const reply = client.call(http_request("POST", target, cost(i)));
        CHECK(reply.status == 503);
    }
    raw_client health(fault.server.port());
    CHECK(health.call(http_request("GET", "/healthz")).status == 200);  // not fatal: it goes on

    fault.set("off");
    for (int i = 2; i <= 4; ++i) CHECK(client.call(http_request("POST", target, cost(i))).status == 201);
    CHECK(fault.server.running());
    fault.server.kill(SIGTERM);
    CHECK(verified_events(fault.data) == 5);
}

TEST_CASE("ENOSPC in the middle of a commit is 507 storage_full, writes nothing and recovers",
          "[reliability][storage][faults]") {
    temp_dir directory;
    faulty_server fault(directory);
    REQUIRE(fault.server.start());
    raw_client client(fault.server.port());
    REQUIRE(client.call(http_request("POST", target, open_campaign())).status == 201);

    fault.set("enospc");
    auto const full = client.call(http_request("POST", target, cost(1)));
    CHECK(full.status == 507);
    CHECK(error_field(full, "code") == "storage_full");
    raw_client health(fault.server.port());
    CHECK(health.call(http_request("GET", "/healthz")).status == 200);

    fault.set("off");
    CHECK(client.call(http_request("POST", target, cost(1))).status == 201);
    fault.server.kill(SIGTERM);
    CHECK(verified_events(fault.data) == 2);
}

TEST_CASE("every commit syncs: fdatasync of the data pages and an O_DSYNC meta page write",
          "[reliability][storage][faults]") {
    temp_dir directory;
    faulty_server fault(directory);
    REQUIRE(fault.server.start());
    raw_client client(fault.server.port());
    REQUIRE(client.call(http_request("POST", target, open_campaign())).status == 201);
    auto const before = fault.read_counts();
    constexpr int commits = 5;  // one client, one request at a time: one commit each
    for (int i = 1; i <= commits; ++i) REQUIRE(client.call(http_request("POST", target, cost(i))).status == 201);
    auto const after = fault.read_counts();
    CHECK(after.at("fdatasync") - before.at("fdatasync") >= commits);
    CHECK(after.at("synced_meta_writes") - before.at("synced_meta_writes") >= commits);
}

TEST_CASE("the environment is opened without MDB_NOSYNC, MDB_NOMETASYNC or MDB_MAPASYNC", "[store][storage]") {
    temp_dir directory;
    store::event_store store({.directory = directory / "data"});
    auto const flags = store.environment().flags();
    CHECK((flags & MDB_NOSYNC) == 0);
    CHECK((flags & MDB_NOMETASYNC) == 0);
    CHECK((flags & MDB_MAPASYNC) == 0);
}

namespace {

/// Sends one append on a connection of its own from a thread (it waits on the stalled disk);
/// the status it got is read after join, on the test thread.
struct append_in_flight {
    explicit append_in_flight(std::uint16_t port)
        : thread([this, port] {
              raw_client client(port, std::chrono::seconds(10));
              status = client.call(http_request("POST", target, cost(7))).status;
          }) {}
    unsigned status = 0;
    std::jthread thread;
};

/// Waits until the shim has counted one more fdatasync than `before` (the append reached the disk).
bool reached_disk(faulty_server const& fault, long before) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        auto const counts = fault.read_counts();
        if (counts.contains("fdatasync") && counts.at("fdatasync") > before) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

/// Starts the server, records one event, stalls the disk under a second append (`append`)
/// until it reaches fdatasync, then sends SIGTERM: the server drains with a commit stuck.
void sigterm_during_a_stalled_commit(faulty_server& fault, std::optional<append_in_flight>& append) {
    REQUIRE(fault.server.start());
    raw_client client(fault.server.port());
    REQUIRE(client.call(http_request("POST", target, open_campaign())).status == 201);
    auto const before = fault.read_counts().at("fdatasync");

    fault.set("stall");
    append.emplace(fault.server.port());
    REQUIRE(reached_disk(fault, before));
    fault.server.signal(SIGTERM);
}

}  // namespace

TEST_CASE("SIGTERM while a commit waits on a stalled disk exits 0 once the disk answers",
          "[reliability][storage][faults][shutdown]") {
    temp_dir directory;
    faulty_server fault(directory, {"--drain-timeout", "1"});
    std::optional<append_in_flight> append;
    sigterm_during_a_stalled_commit(fault, append);
    // The drain gives up on the connection after 1 s; the writer is then given another second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    fault.set("off");
    CHECK(fault.server.wait_exit(std::chrono::seconds(10)) == 0);  // no crash after the drain
    append->thread.join();
    CHECK(verified_events(fault.data) == 2);  // the commit finished, though nobody heard of it
}

TEST_CASE("SIGTERM while the disk stays stalled exits 1 after the drain instead of crashing or hanging",
          "[reliability][storage][faults][shutdown]") {
    temp_dir directory;
    faulty_server fault(directory, {"--drain-timeout", "1"});
    std::optional<append_in_flight> append;
    sigterm_during_a_stalled_commit(fault, append);
    CHECK(fault.server.wait_exit(std::chrono::seconds(10)) == 1);
    fault.set("off");
    append->thread.join();
    CHECK(append->status != 201);  // never acknowledged: its outcome is unknown
}

TEST_CASE("with the writer's queue full an append gets 503 unavailable with Retry-After at once",
          "[reliability][storage][faults]") {
    temp_dir directory;
    faulty_server fault(directory, {"--max-queued-appends", "1"});
    REQUIRE(fault.server.start());
    raw_client client(fault.server.port());
    REQUIRE(client.call(http_request("POST", target, open_campaign())).status == 201);
    auto const before = fault.read_counts().at("fdatasync");

    fault.set("stall");  // the next commit holds the writer, so what follows queues
    struct answer {
        unsigned status = 0;
        std::string head;
        std::string body;
    };
    std::array<answer, 3> answers;
    std::atomic<int> answered{0};
    auto const send = [&](std::size_t slot, int number) {
        raw_client connection(fault.server.port(), std::chrono::seconds(10));
        auto const reply = connection.call(http_request("POST", target, cost(number)));
        answers[slot] = {reply.status, reply.head, reply.body};
        ++answered;
    };
    std::vector<std::jthread> senders;
    senders.emplace_back(send, 0, 1);
    REQUIRE(reached_disk(fault, before));  // the first append holds the writer in fdatasync
    senders.emplace_back(send, 1, 2);
    senders.emplace_back(send, 2, 3);
    // One of the two later appends fills the one-request queue; the other is refused at once.
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (answered.load() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    fault.set("off");
    senders.clear();

    CHECK(answers[0].status == 201);
    auto const refused = answers[1].status == 503 ? answers[1] : answers[2];
    auto const queued = answers[1].status == 503 ? answers[2] : answers[1];
    CHECK(queued.status == 201);
    REQUIRE(refused.status == 503);
    CHECK(refused.head.find("Retry-After: 1") != std::string::npos);
    auto const error = boost::json::parse(refused.body).at("error");
    CHECK(error.at("code") == "unavailable");
    CHECK(error.at("details").at("reason") == "queue_full");
}
