// Waking blocked callers (group_writer::answered and wait_answered): callers blocked in
// event_store::append are woken by the writer's waker thread after their group is answered,
// while the writer goes on to the next group. Each must get its own answer, in its own
// stream's order, whether its group held other blocked callers, completions that append again
// (which never wait), or requests that fail.
//
// No timing: the threads run as fast as they can and every check is on what was answered and
// what the ledger holds afterwards. Catch2's assertions are not thread-safe, so the threads
// count what they saw and the test thread checks the counts.

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::one_event;

namespace {

// `chains` requests always in flight through append_async, each appending again from its
// completion (on the writer thread) until finish(): members of every group that never wait in
// wait_answered.
class completion_appenders {
public:
    completion_appenders(event_store& store, int chains) : store_(store), running_(chains) {
        for (int c = 0; c < chains; ++c) submit("candidate-async-" + std::to_string(c));
    }
    ~completion_appenders() { finish(); }

    /// Stops appending again and waits until the last request of every chain is answered.
    void finish() {
        stop_ = true;
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return running_ == 0; });
    }
    completion_appenders(completion_appenders const&) = delete;
    completion_appenders& operator=(completion_appenders const&) = delete;

    std::uint64_t appended() const { return appended_; }
    int failures() const { return failures_; }

private:
    void submit(std::string stream) {
        store_.append_async(one_event(stream), [this, stream](append_result r) {
            if (r) ++appended_;
            else ++failures_;
            if (!stop_) return submit(stream);
            std::lock_guard const lock(mutex_);
            if (--running_ == 0) done_.notify_all();
        });
    }

    event_store& store_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> appended_{0};
    std::atomic<int> failures_{0};
    std::mutex mutex_;
    std::condition_variable done_;
    int running_;  // guarded by mutex_
};

}  // namespace

TEST_CASE("blocked callers of many consecutive groups are each woken with their own answer",
          "[store][writer][wake]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    constexpr int callers = 48;
    constexpr int per_caller = 30;
    std::atomic<int> wrong_answers{0};
    std::mutex positions_mutex;
    std::set<std::uint64_t> positions;
    std::uint64_t async_appended = 0;
    int async_failures = 0;
    {
        completion_appenders others(store, 8);
        {
            std::vector<std::jthread> threads;
            for (int t = 0; t < callers; ++t) {
                threads.emplace_back([&, t] {
                    auto const stream = "candidate-wake-" + std::to_string(t);
                    for (int i = 0; i < per_caller; ++i) {
                        // Version i of its own stream: an answer meant for another caller (or
                        // for this caller's previous append) names another stream or version.
                        auto const expected = i == 0 ? expected_version::no_stream()
                                                     : expected_version::exact(static_cast<std::uint64_t>(i - 1));
                        auto const r = store.append(one_event(stream, expected));
                        if (!r || r->stream != stream || r->first_version != static_cast<std::uint64_t>(i)) {
                            ++wrong_answers;
                            continue;
                        }
                        std::lock_guard const lock(positions_mutex);
                        if (!positions.insert(r->first_position).second) ++wrong_answers;
                    }
                });
            }
        }
        others.finish();
        async_appended = others.appended();
        async_failures = others.failures();
    }
    CHECK(wrong_answers.load() == 0);
    CHECK(async_failures == 0);
    constexpr auto blocked_total = static_cast<std::uint64_t>(callers * per_caller);
    CHECK(positions.size() == blocked_total);
    // Every completion counted before finish() returned.
    auto const total = store.head().events;
    CHECK(total == blocked_total + async_appended);
    CHECK(store.writer_statistics().requests_committed == total);
    for (int t = 0; t < callers; ++t) CHECK(store.last_version("candidate-wake-" + std::to_string(t)) == per_caller - 1u);
    // The chain and the Merkle tree hold every event of every group.
    auto const report = store.verify(true);
    CHECK(report.ok);
    CHECK(report.events == total);
    CHECK_FALSE(store.verify_tree().has_value());
    CHECK(store.tree_size() == total);
}

TEST_CASE("a blocked caller whose request fails is woken with its refusal and the others of its group commit",
          "[store][writer][wake]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    REQUIRE(store.append(one_event("campaign-shared")).has_value());
    constexpr int callers = 32;
    constexpr int per_caller = 20;
    std::atomic<int> refused_as_expected{0};
    std::atomic<int> committed{0};
    std::atomic<int> wrong_answers{0};
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < callers; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < per_caller; ++i) {
                    // Every fourth caller sends a stale expected version of the shared stream.
                    if (t % 4 == 0) {
                        auto const r = store.append(one_event("campaign-shared", expected_version::exact(99)));
                        if (!r && r.error().code == error_code::wrong_expected_version) ++refused_as_expected;
                        else ++wrong_answers;
                    } else {
                        auto const stream = "candidate-ok-" + std::to_string(t);
                        auto const r = store.append(one_event(stream));
                        if (r && r->stream == stream && r->first_version == static_cast<std::uint64_t>(i)) ++committed;
                        else ++wrong_answers;
                    }
                }
            });
        }
    }
    CHECK(wrong_answers.load() == 0);
    CHECK(refused_as_expected.load() == callers / 4 * per_caller);
    CHECK(committed.load() == callers * 3 / 4 * per_caller);
    CHECK(store.last_version("campaign-shared") == 0u);  // no refused request took a version
    CHECK(store.head().events == 1u + static_cast<std::uint64_t>(committed.load()));  // nor a position
    CHECK(store.verify(true).ok);
    CHECK_FALSE(store.verify_tree().has_value());
}
