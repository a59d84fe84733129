#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::make_request;
using ledger::testing::one_event;

TEST_CASE("concurrent writers on one stream: exactly one wins each version", "[store][concurrency]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    REQUIRE(store.append(one_event("position-p1")).has_value());

    constexpr int writers = 8;
    constexpr int attempts = 60;
    std::atomic<int> won{0};
    std::atomic<int> conflicts{0};
    std::atomic<int> other_failures{0};
    std::mutex winners_mutex;
    std::map<std::uint64_t, int> winners_per_version;
    std::latch start(writers);
    std::vector<std::jthread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < attempts; ++i) {
                auto const seen = store.last_version("position-p1").value();
                auto const r = store.append(one_event("position-p1", expected_version::exact(seen)));
                if (r) {
                    ++won;
                    std::lock_guard const lock(winners_mutex);
                    ++winners_per_version[r->first_version];
                } else if (r.error().code == error_code::wrong_expected_version) {
                    ++conflicts;
                } else {
                    ++other_failures;  // asserted on the test thread: Catch2 is not thread-safe
                }
            }
        });
    }
    threads.clear();
    CHECK(other_failures == 0);

    CHECK(won + conflicts == writers * attempts);
    CHECK(store.last_version("position-p1") == static_cast<std::uint64_t>(won.load()));
    for (auto const& [version, winners] : winners_per_version) CHECK(winners == 1);
    CHECK(winners_per_version.size() == static_cast<std::size_t>(won.load()));
    CHECK(store.verify().ok);
}

TEST_CASE("many threads on many streams share group commits without losing an event",
          "[store][concurrency]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});

    constexpr int threads_count = 16;
    constexpr int per_thread = 100;
    std::mutex positions_mutex;
    std::set<std::uint64_t> positions;
    int failures = 0;  // guarded by positions_mutex
    std::vector<std::jthread> threads;
    for (int t = 0; t < threads_count; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto const stream = "candidate-t" + std::to_string(t) + "-" + std::to_string(i % 7);
                auto const r = store.append(one_event(stream));
                std::lock_guard const lock(positions_mutex);
                // Checked on the test thread below: Catch2 assertions are not thread-safe.
                if (!r || !positions.insert(r->first_position).second) ++failures;
            }
        });
    }
    threads.clear();
    CHECK(failures == 0);

    constexpr auto total = static_cast<std::uint64_t>(threads_count * per_thread);
    CHECK(positions.size() == total);
    CHECK(*positions.rbegin() == total - 1);  // dense: 0 .. total-1
    CHECK(store.head().events == total);
    CHECK(store.verify().ok);
}

TEST_CASE("the writer's statistics count every committed event and time each phase of its commits",
          "[store][concurrency][writer_stats]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    constexpr int threads_count = 8;
    constexpr int per_thread = 25;
    std::vector<std::jthread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < threads_count; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                if (!store.append(one_event("candidate-s" + std::to_string(t)))) ++failures;
            }
        });
    }
    threads.clear();
    CHECK(failures.load() == 0);
    auto const stats = store.writer_statistics();
    constexpr auto total = static_cast<std::uint64_t>(threads_count * per_thread);
    CHECK(stats.events_committed == total);
    CHECK(stats.requests_committed == total);
    CHECK(stats.commits >= 1);
    CHECK(stats.commits <= total);
    // Every commit wrote, synced and answered something; gathering may take no time at all.
    CHECK(stats.writing_ns > 0);
    CHECK(stats.committing_ns > 0);
    CHECK(stats.answering_ns > 0);
}

TEST_CASE("callers that append again from their completion are grouped and a lone caller is still answered",
          "[store][concurrency]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    // As the HTTP sessions do: each of 32 callers appends again as soon as it is answered (here
    // from the completion itself, on the writer thread), 20 times.
    constexpr int callers = 32;
    constexpr int rounds = 20;
    std::atomic<int> failures{0};
    std::latch done(callers);
    std::function<void(int, int)> submit = [&](int caller, int round) {
        store.append_async(one_event("candidate-r" + std::to_string(caller)), [&, caller, round](append_result r) {
            if (!r) ++failures;
            if (round + 1 < rounds) return submit(caller, round + 1);
            done.count_down();
        });
    };
    for (int c = 0; c < callers; ++c) submit(c, 0);
    done.wait();
    CHECK(failures.load() == 0);
    CHECK(store.head().events == callers * rounds);
    CHECK(store.writer_statistics().largest_group > 1);
    // The writer, which expected 32 callers, still answers one that comes alone.
    CHECK(store.append(one_event("candidate-alone")).has_value());
    CHECK(store.head().events == callers * rounds + 1);
    CHECK(store.verify().ok);
}

TEST_CASE("a conflict in a group does not fail the other requests of that group",
          "[store][concurrency]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    REQUIRE(store.append(one_event("campaign-shared")).has_value());

    // Queue many requests at once so the writer takes them as one or a few groups; every
    // second one carries a stale expected version.
    constexpr int requests = 200;
    std::vector<std::optional<append_result>> results(requests);
    std::latch done(requests);
    for (int i = 0; i < requests; ++i) {
        auto request = i % 2 == 0 ? one_event("campaign-own-" + std::to_string(i))
                                  : one_event("campaign-shared", expected_version::exact(99));
        store.append_async(std::move(request), [&, i](append_result r) {
            results[static_cast<std::size_t>(i)] = std::move(r);
            done.count_down();
        });
    }
    done.wait();
    for (int i = 0; i < requests; ++i) {
        auto const& r = *results[static_cast<std::size_t>(i)];
        if (i % 2 == 0) {
            CHECK(r.has_value());
        } else {
            REQUIRE(r.has_error());
            CHECK(r.error().code == error_code::wrong_expected_version);
        }
    }
    CHECK(store.head().events == 1 + requests / 2);
}

TEST_CASE("waiting for a position wakes when it is committed", "[store][subscribe]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    CHECK_FALSE(store.wait_for_position(0, std::chrono::milliseconds(10)));

    std::atomic<std::size_t> observed{0};
    auto const handle = store.add_observer([&](std::span<recorded_event const> events) {
        observed += events.size();
    });
    bool appended = false;  // read after join: Catch2 assertions stay on the test thread
    std::jthread appender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        appended = store.append(make_request("campaign-a", expected_version::any(),
                                             {ledger::testing::make_event(), ledger::testing::make_event()}))
                       .has_value();
    });
    CHECK(store.wait_for_position(1, std::chrono::seconds(10)));
    appender.join();
    CHECK(appended);
    CHECK(observed == 2);
    store.remove_observer(handle);
    REQUIRE(store.append(one_event("campaign-a")).has_value());
    CHECK(observed == 2);
}

TEST_CASE("records put by the before-commit hook are durable with the events they follow",
          "[store][projections]") {
    ledger::testing::temp_dir dir;
    {
        event_store store({.directory = dir / "data"});
        std::uint64_t seen_commits = 0;
        store.set_before_commit_hook([&](projection_records& records) {
            ++seen_commits;
            records.put("checkpoint", std::to_string(seen_commits));
        });
        REQUIRE(store.append(one_event("campaign-a")).has_value());
        REQUIRE(store.append(one_event("campaign-a")).has_value());
        CHECK(store.read_projection_record("checkpoint") == "2");
        // A refused append writes nothing, so the hook does not run.
        REQUIRE(store.append(one_event("campaign-a", expected_version::no_stream())).has_error());
        CHECK(store.read_projection_record("checkpoint") == "2");
        store.set_before_commit_hook({});
        REQUIRE(store.append(one_event("campaign-a")).has_value());
    }
    event_store reopened({.directory = dir / "data"});
    CHECK(reopened.read_projection_record("checkpoint") == "2");
    CHECK_FALSE(reopened.read_projection_record("missing"));
}
