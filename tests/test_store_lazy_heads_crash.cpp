// Format 8 and kill -9: the heads a writer kept in memory are lost with it, and its next open
// puts them from the run records. Every acknowledged append must be there, each stream's last
// version must be the one its events say, and an append with expected_version = that version
// must succeed (a head left behind would refuse it, or hand out a version twice).

#include "support/kill_harness.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/tables.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <map>
#include <random>
#include <thread>
#include <vector>

using namespace ledger;
using namespace ledger::store;

namespace {

constexpr std::uint32_t stream_count = 48;

struct acknowledged {
    std::uint32_t stream;
    std::uint32_t padding;
    std::uint64_t version;
};

std::string stream_name(std::uint32_t i) { return "candidate-k" + std::to_string(i); }

// In the child: four threads append single events to scattered streams (most heads deferred)
// and report each acknowledged one. Never returns.
[[noreturn]] void append_until_killed(std::filesystem::path const& data, int report_fd, std::uint32_t seed) {
    event_store store({.directory = data});
    std::vector<std::jthread> writers;
    for (std::uint32_t w = 0; w < 4; ++w) {
        writers.emplace_back([&store, report_fd, seed, w] {
            std::mt19937 pick{seed * 31 + w};
            for (;;) {
                auto const i = static_cast<std::uint32_t>(pick() % stream_count);
                auto const r = store.append(ledger::testing::one_event(stream_name(i)));
                if (!r) _exit(3);
                ledger::testing::report(report_fd, acknowledged{i, 0, r->last_version});
            }
        });
    }
    for (;;) pause();
}

}  // namespace

TEST_CASE("format 8: after kill -9 every acknowledged append is there and appends go on at the recovered version",
          "[store][crash][lazy_heads]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    std::mt19937 random{std::random_device{}()};
    std::map<std::uint32_t, std::uint64_t> highest;  // acknowledged, over all rounds
    for (std::uint32_t round = 0; round < 5; ++round) {
        auto const delay = std::chrono::milliseconds(std::uniform_int_distribution(100, 500)(random));
        auto const child = ledger::testing::run_and_kill(
            [&](int report_fd) { append_until_killed(data, report_fd, round); },
            {.after_bytes = sizeof(acknowledged), .min_delay = delay, .max_delay = delay}, random);
        REQUIRE(child.killed_by_sigkill());
        auto const acks = child.records<acknowledged>();
        INFO("round " << round << " after " << delay.count() << " ms, " << acks.size() << " acknowledged");
        for (auto const& ack : acks) highest[ack.stream] = std::max(highest[ack.stream], ack.version);

        event_store store({.directory = data});
        {
            // The open put the pending heads: nothing is left pending.
            lmdb::write_txn txn(store.environment());
            auto const db = detail::tables::open(txn);
            CHECK_FALSE(txn.get(db.meta, detail::meta_heads_pending_from).has_value());
        }
        REQUIRE(store.verify(true).ok);
        std::uint64_t events = 0;
        for (std::uint32_t i = 0; i < stream_count; ++i) {
            auto const last = store.last_version(stream_name(i));
            if (!last) {
                CHECK_FALSE(highest.contains(i));
                continue;
            }
            if (highest.contains(i)) CHECK(*last >= highest[i]);
            // Versions are dense: the stream holds exactly last + 1 events.
            auto const read = store.read_stream(stream_name(i), 0, 1'000'000, read_direction::forward);
            REQUIRE(read.has_value());
            CHECK(read->size() == *last + 1);
            auto const next = store.append(
                ledger::testing::one_event(stream_name(i), expected_version::exact(*last)));
            REQUIRE(next.has_value());
            CHECK(next->first_version == *last + 1);
            highest[i] = *last + 1;
            events += *last + 2;
        }
        CHECK(store.head().events == events);
        CHECK(store.verify(true).ok);
    }
}
