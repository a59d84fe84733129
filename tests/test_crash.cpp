// Crash test: a child process appends in a loop and reports every acknowledged event to the
// parent through a pipe; the parent kills it with SIGKILL at a random moment, reopens the
// ledger and checks that every acknowledged event is there exactly once and the chain holds.

#include "support/kill_harness.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <random>
#include <set>
#include <thread>

using namespace ledger;
using namespace ledger::store;

namespace {

struct acknowledged {
    std::uint64_t position;
    std::uint64_t version;
    std::uint32_t writer;
    std::uint32_t sequence;
};

std::string payload(int round, std::uint32_t writer, std::uint32_t sequence) {
    return std::to_string(round) + ":" + std::to_string(writer) + ":" + std::to_string(sequence);
}

// Runs in the child: four threads append "<round>:<writer>:<sequence>" events and report one record
// per acknowledged append. Never returns.
[[noreturn]] void append_until_killed(std::filesystem::path const& data, int report_fd, int round) {
    event_store store({.directory = data});
    std::vector<std::jthread> writers;
    for (std::uint32_t w = 0; w < 4; ++w) {
        writers.emplace_back([&store, report_fd, round, w] {
            for (std::uint32_t seq = 0;; ++seq) {
                auto event = ledger::testing::make_event("NoteRecorded", payload(round, w, seq));
                auto const r = store.append(ledger::testing::make_request(
                    "candidate-w" + std::to_string(w), expected_version::any(), {event}));
                if (!r) _exit(3);
                ledger::testing::report(report_fd, acknowledged{r->first_position, r->first_version, w, seq});
            }
        });
    }
    for (;;) pause();
}

std::vector<acknowledged> run_and_kill(std::filesystem::path const& data, int round,
                                       std::chrono::milliseconds after, std::mt19937& random) {
    auto const child = ledger::testing::run_and_kill(
        [&](int report_fd) { append_until_killed(data, report_fd, round); },
        {.min_delay = after, .max_delay = after}, random);
    CHECK(WIFSIGNALED(child.status));
    return child.records<acknowledged>();
}

}  // namespace

TEST_CASE("every acknowledged append survives kill -9, exactly once, with the chain intact",
          "[store][crash]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::mt19937 random{std::random_device{}()};
    std::size_t all_acknowledged = 0;

    for (int round = 0; round < 6; ++round) {
        auto const delay = std::chrono::milliseconds(std::uniform_int_distribution(50, 400)(random));
        auto const acks = run_and_kill(data, round, delay, random);
        INFO("round " << round << " after " << delay.count() << " ms, " << acks.size() << " acknowledged");

        event_store store({.directory = data});
        auto const report = store.verify();
        REQUIRE(report.ok);
        for (auto const& ack : acks) {
            auto const event = store.read_event(ack.position);
            REQUIRE(event);
            CHECK(event->data == payload(round, ack.writer, ack.sequence));
            CHECK(event->stream == "candidate-w" + std::to_string(ack.writer));
            CHECK(event->version == ack.version);
        }
        // Exactly once: no acknowledged payload appears twice anywhere in the log.
        std::set<std::string> seen;
        std::size_t duplicates = 0;
        store.scan(0, [&](recorded_event const& e) {
            if (!seen.insert(e.stream + "/" + e.data).second) ++duplicates;
            return true;
        });
        CHECK(duplicates == 0);
        all_acknowledged += acks.size();
    }
    CHECK(all_acknowledged > 0);
}
