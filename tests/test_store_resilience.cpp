// The writer under pressure and misbehaving callers (detail/group_writer.hpp): a bounded queue,
// group commit, exceptions from observers, callbacks and the before-commit hook, stopping with
// requests queued, and one writing process per directory. The writer is held inside a group
// by a before-commit hook that waits on a gate, so what queues meanwhile is deterministic.
// Results of callbacks are collected and asserted on the test thread.

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"
#include "ledger/uuid.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>

using namespace ledger;
using namespace ledger::testing;

namespace {

/// Holds the writer inside its next group that writes, until opened.
class writer_gate {
public:
    explicit writer_gate(store::event_store& store) : store_(store) {
        store_.set_before_commit_hook([this](store::projection_records&) {
            std::unique_lock lock(mutex_);
            entered_ = true;
            changed_.notify_all();
            changed_.wait(lock, [this] { return open_; });
        });
    }
    ~writer_gate() {
        open();
        store_.set_before_commit_hook({});
    }
    writer_gate(writer_gate const&) = delete;
    writer_gate& operator=(writer_gate const&) = delete;

    /// Waits until the writer is held (at most 10 s); false if it never got there.
    bool wait_entered() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(10), [this] { return entered_; });
    }
    void open() {
        std::lock_guard const lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }

private:
    store::event_store& store_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool entered_ = false;
    bool open_ = false;
};

/// Submits asynchronously; the result is read with get() on the test thread.
std::future<store::append_result> submit(store::event_store& store, store::append_request request) {
    auto promise = std::make_shared<std::promise<store::append_result>>();
    auto future = promise->get_future();
    store.append_async(std::move(request), [promise](store::append_result r) { promise->set_value(std::move(r)); });
    return future;
}

std::string reason(store::append_result const& result) {
    auto const failure = result.error();  // a copy: iterators must not outlive it
    auto const found = failure.details.find("reason");
    return found == failure.details.end() ? std::string{} : std::string(found->value().as_string());
}

}  // namespace

TEST_CASE("the writer's queue is bounded: an append beyond it is refused unavailable at once", "[store][writer]") {
    temp_dir directory;
    store::event_store store({.directory = directory.path(), .max_queued_appends = 2});
    std::vector<std::future<store::append_result>> accepted;
    std::optional<store::append_result> refused;
    {
        writer_gate gate(store);
        accepted.push_back(submit(store, one_event("note-held")));
        REQUIRE(gate.wait_entered());
        accepted.push_back(submit(store, one_event("note-queued-1")));
        accepted.push_back(submit(store, one_event("note-queued-2")));
        refused = store.append(one_event("note-refused"));  // answered at once: the queue is full
    }
    REQUIRE_FALSE(refused->has_value());
    CHECK(refused->error().code == error_code::unavailable);
    CHECK(reason(*refused) == "queue_full");
    for (auto& result : accepted) CHECK(result.get().has_value());
    CHECK(store.writer_statistics().queue_full == 1);
    CHECK_FALSE(store.last_version("note-refused"));
}

TEST_CASE("concurrent appends share one commit (group commit)", "[store][writer]") {
    temp_dir directory;
    store::event_store store({.directory = directory.path()});
    std::vector<std::future<store::append_result>> results;
    {
        writer_gate gate(store);
        results.push_back(submit(store, one_event("note-first")));
        REQUIRE(gate.wait_entered());
        for (int i = 0; i < 8; ++i) results.push_back(submit(store, one_event("note-" + std::to_string(i))));
    }
    for (auto& result : results) CHECK(result.get().has_value());
    auto const stats = store.writer_statistics();
    CHECK(stats.largest_group == 8);  // the eight that queued while the first commit was held
    CHECK(stats.commits == 2);
    CHECK(stats.requests_committed == 9);
}

TEST_CASE("a throwing commit observer or completion callback does not stop the writer", "[store][writer]") {
    temp_dir directory;
    store::event_store store({.directory = directory.path()});
    store.add_observer([](std::span<recorded_event const>) { throw std::runtime_error("observer broke"); });
    std::atomic<std::size_t> seen_by_later_observer{0};
    store.add_observer([&](std::span<recorded_event const> events) { seen_by_later_observer += events.size(); });
    store.append_async(one_event("note-a"), [](store::append_result) { throw std::runtime_error("callback broke"); });
    auto const next = store.append(one_event("note-b"));
    CHECK(next.has_value());
    CHECK(store.head().events == 2);
    CHECK(seen_by_later_observer.load() == 2);  // the throwing observer hid nothing
}

TEST_CASE("a failing before-commit hook leaves nothing half-written and the appends commit", "[store][writer]") {
    temp_dir directory;
    store::event_store store({.directory = directory.path()});
    store.set_before_commit_hook([](store::projection_records& records) {
        records.put("snapshot-part", "written before the failure");
        throw std::runtime_error("snapshot failed");
    });
    auto const result = store.append(one_event("note-a"));
    CHECK(result.has_value());
    CHECK(store.head().events == 1);
    CHECK_FALSE(store.read_projection_record("snapshot-part"));
    CHECK(store.writer_statistics().snapshot_failures == 1);
    store.set_before_commit_hook([](store::projection_records& records) { records.put("snapshot", "ok"); });
    CHECK(store.append(one_event("note-b")).has_value());
    CHECK(store.read_projection_record("snapshot") == "ok");
}

TEST_CASE("stopping the writer refuses what is queued and waits for the commit in progress", "[store][writer]") {
    temp_dir directory;
    store::event_store store({.directory = directory.path()});
    std::future<store::append_result> held;
    std::future<store::append_result> queued;
    bool stopped_while_held = true;
    {
        writer_gate gate(store);
        held = submit(store, one_event("note-held"));
        REQUIRE(gate.wait_entered());
        queued = submit(store, one_event("note-queued"));
        stopped_while_held = store.stop_appends(std::chrono::milliseconds(50));
        auto const refused = queued.get();  // answered by stop_appends, before the gate opens
        REQUIRE_FALSE(refused.has_value());
        CHECK(reason(refused) == "shutting_down");
    }
    CHECK_FALSE(stopped_while_held);
    CHECK(store.stop_appends(std::chrono::seconds(10)));
    CHECK(held.get().has_value());
    auto const after = store.append(one_event("note-after"));
    REQUIRE_FALSE(after.has_value());
    CHECK(after.error().code == error_code::unavailable);
    CHECK(store.head().events == 1);
}

TEST_CASE("one process writes a data directory: a second writer is refused, a reader is not",
          "[store][lock]") {
    temp_dir directory;
    store::event_store writer({.directory = directory.path()});
    REQUIRE(writer.append(one_event("note-a")).has_value());
    CHECK_THROWS_AS(store::event_store({.directory = directory.path()}), store::directory_locked);
    store::event_store reader({.directory = directory.path(), .writer = false});
    CHECK(reader.head().events == 1);
    auto const refused = reader.append(one_event("note-b"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == error_code::unavailable);
}

TEST_CASE("a no-overwrite put refuses an existing key and keeps its value", "[store][lmdb]") {
    temp_dir directory;
    store::lmdb::env env({.directory = directory.path()});
    store::lmdb::write_txn txn(env);
    auto const table = txn.open_database("ids");
    CHECK(txn.put_new(table, "id", "first"));
    CHECK_FALSE(txn.put_new(table, "id", "second"));
    CHECK(txn.get(table, "id") == "first");
}

TEST_CASE("generated event ids are distinct and count up within a thread", "[store][ids]") {
    std::vector<uuid> ids;
    for (int i = 0; i < 10'000; ++i) ids.push_back(make_uuid_v7());
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    CHECK((ids.front().data[6] >> 4) == 7);  // UUIDv7
}
