// How many callers the writer waits for (detail/group_size_target.hpp): all of them, or half so
// that two halves take turns, one committing while the other's callers come back. A table of
// measured times and the choice each must give; then callers that come back slowly (so the
// writer may take halves) all answered, in order, with a chain and tree that verify.

#include "detail/group_size_target.hpp"

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::store::detail::group_size_target;
using ledger::store::detail::group_times;
using std::chrono::microseconds;

TEST_CASE("the writer waits for half of its callers only when their round trip outlasts the commit",
          "[store][writer][group_size]") {
    struct row {
        std::size_t in_flight;
        group_times times;
        std::size_t wanted;
    };
    // Session 12's quiet HTTP run: F 1.15 ms, writing 0.27 ms, callers back in ~2.8 ms.
    auto const quiet_http = group_times{microseconds(1155), microseconds(270), microseconds(44)};
    std::vector<row> const rows{
        {64, quiet_http, 32},
        {60, quiet_http, 30},
        {63, quiet_http, 32},  // rounded up: no caller left out of both halves
        // A slow disk: the commit outlasts the round trip of them all; one group pays more.
        {64, {microseconds(9000), microseconds(300), microseconds(46)}, 64},
        // A busy disk: the commit shorter than the round trip, but not than half of it (what a
        // half does not overlap costs more than the overlap saves).
        {64, {microseconds(2000), microseconds(300), microseconds(44)}, 64},
        // In-process threads woken together come back in a few hundred µs.
        {64, {microseconds(1200), microseconds(230), microseconds(3)}, 64},
        // 1,000-event batches: writing outlasts the commit; halves would only add commits.
        {16, {microseconds(5000), microseconds(16000), microseconds(2000)}, 16},
        // Equal to half the round trip is not shorter.
        {64, {microseconds(3200), microseconds(300), microseconds(100)}, 64},
        {64, {microseconds(3199), microseconds(300), microseconds(100)}, 32},
        {64, {microseconds(3199), microseconds(3199), microseconds(100)}, 64},
        // Nothing measured yet, or too few callers to split.
        {64, {microseconds(1155), microseconds(270), microseconds(0)}, 64},
        {15, quiet_http, 15},
        {16, {microseconds(300), microseconds(100), microseconds(46)}, 8},
        {0, quiet_http, 0},
        {1, quiet_http, 1},
    };
    for (auto const& r : rows) {
        INFO("in flight " << r.in_flight << ", committing " << r.times.committing.count() << ", writing "
                          << r.times.writing.count() << ", round trip per caller "
                          << r.times.round_trip_per_caller.count());
        CHECK(group_size_target(r.in_flight, r.times) == r.wanted);
    }
}

TEST_CASE("callers that come back after a pause are all answered in order whichever groups the writer takes",
          "[store][writer][group_size]") {
    // 32 closed-loop callers, each sending its next append from a helper thread a little after
    // its answer (a round trip the writer measures, as over HTTP), 25 rounds each. Whether the
    // writer takes them all or halves, every append must be answered with its own stream's
    // next version, and the log must hold them all in one verified chain and tree.
    ledger::testing::temp_dir dir;
    event_store store{{.directory = dir / "data"}};
    constexpr std::size_t callers = 32;
    constexpr std::uint64_t rounds = 25;

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::size_t> to_send;  // callers whose answer came, to send again
    std::map<std::size_t, std::vector<std::uint64_t>> versions;  // by caller, as answered
    std::size_t failures = 0;
    std::size_t done = 0;

    auto const stream_of = [](std::size_t caller) { return "candidate-loop-" + std::to_string(caller); };
    std::function<void(std::size_t)> send = [&](std::size_t caller) {
        store.append_async(ledger::testing::one_event(stream_of(caller)), [&, caller](append_result result) {
            std::lock_guard const lock(mutex);
            if (!result) {
                ++failures;
            } else {
                versions[caller].push_back(result->first_version);
            }
            if (versions[caller].size() < rounds && result) {
                to_send.push_back(caller);
            } else {
                ++done;
            }
            changed.notify_all();
        });
    };
    for (std::size_t caller = 0; caller < callers; ++caller) send(caller);
    // The helper sends each next request a moment after its answer, as a client across a
    // socket would; the pause only shapes the groups, nothing below depends on its length.
    std::unique_lock lock(mutex);
    while (done < callers) {
        changed.wait(lock, [&] { return done == callers || !to_send.empty(); });
        std::vector<std::size_t> batch(to_send.begin(), to_send.end());
        to_send.clear();
        lock.unlock();
        for (auto const caller : batch) {
            std::this_thread::sleep_for(microseconds(50));
            send(caller);
        }
        lock.lock();
    }

    CHECK(failures == 0);
    for (std::size_t caller = 0; caller < callers; ++caller) {
        auto const& answered = versions[caller];
        REQUIRE(answered.size() == rounds);
        for (std::uint64_t i = 0; i < rounds; ++i) CHECK(answered[i] == i);
        CHECK(store.last_version(stream_of(caller)) == rounds - 1);
    }
    auto const stats = store.writer_statistics();
    CHECK(stats.requests_committed == callers * rounds);
    CHECK(stats.events_committed == callers * rounds);
    auto const report = store.verify(true);
    CHECK(report.ok);
    CHECK(report.events == callers * rounds);
    CHECK_FALSE(store.verify_tree().has_value());
}
