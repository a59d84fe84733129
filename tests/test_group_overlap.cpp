// Writing while gathering (docs/performance.md "Group commit: writing while gathering"): the
// writer writes the requests it took while the callers it expects are still to come, and
// requests that queue while it is already writing join the same transaction and commit.
//
// Deterministic, no timing: the late requests are submitted by the append policy from inside
// the writer (admit runs while the writer writes the request that triggers them), so they
// queue while the group's transaction is open. The writer expects as many requests as were
// in flight at the last commit; a warm-up group makes that number known.

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::one_event;

namespace {

// Calls `on_admit` for every request it admits (on the writer thread, inside its transaction).
class submitting_policy final : public append_policy {
public:
    std::function<void(std::string_view stream)> on_admit;  // set before the first append

    std::optional<error> admit(stream_lookup const&, std::string_view stream, std::uint64_t,
                               std::span<event_to_append const>, std::string&) const override {
        if (on_admit) on_admit(stream);
        return std::nullopt;
    }
};

// A store whose writer, when it admits the request of `trigger_stream`, queues `late` requests
// (each answered into its own future); the commits it makes are recorded by an observer.
struct overlap_fixture {
    ledger::testing::temp_dir dir;
    std::shared_ptr<submitting_policy> policy = std::make_shared<submitting_policy>();
    event_store store{{.directory = dir / "data", .policy = policy}};
    std::mutex mutex;  // guards the members below (written on the writer thread)
    std::vector<std::pair<std::uint64_t, std::size_t>> commits;  // first position, events
    std::map<std::string, std::vector<append_request>, std::less<>> late;  // by trigger stream
    std::vector<std::future<append_result>> answers;  // of the late requests, in submit order

    overlap_fixture() {
        store.add_observer([this](std::span<recorded_event const> events) {
            std::lock_guard const lock(mutex);
            commits.emplace_back(events.front().position, events.size());
        });
        policy->on_admit = [this](std::string_view stream) {
            std::vector<append_request> requests;
            {
                std::lock_guard const lock(mutex);
                auto const found = late.find(stream);
                if (found == late.end()) return;
                requests = std::move(found->second);
                late.erase(found);
            }
            for (auto& request : requests) store.append_async(std::move(request), answer_slot());
        };
    }

    // Where the next late request's answer goes.
    std::function<void(append_result)> answer_slot() {
        auto promise = std::make_shared<std::promise<append_result>>();
        std::lock_guard const lock(mutex);
        answers.push_back(promise->get_future());
        return [promise](append_result r) { promise->set_value(std::move(r)); };
    }

    // The answers of the late requests submitted so far (all were submitted before the request
    // that triggered them was answered).
    std::vector<std::future<append_result>> take_answers() {
        std::lock_guard const lock(mutex);
        return std::exchange(answers, {});
    }

    // The writer expects `callers` requests in its next group: one request whose admission
    // queues `callers` more, which form the next group (nothing else in flight), all answered.
    void expect_callers(std::size_t callers) {
        std::vector<append_request> followers;
        for (std::size_t i = 0; i < callers; ++i) followers.push_back(one_event("candidate-warm-" + std::to_string(i)));
        {
            std::lock_guard const lock(mutex);
            late.emplace("candidate-warm-start", std::move(followers));
        }
        REQUIRE(store.append(one_event("candidate-warm-start")).has_value());
        auto followers_answered = take_answers();
        REQUIRE(followers_answered.size() == callers);
        for (auto& answer : followers_answered) REQUIRE(answer.get().has_value());
    }

    std::size_t commits_so_far() {
        std::lock_guard const lock(mutex);
        return commits.size();
    }
};

}  // namespace

TEST_CASE("requests that queue while the writer is already writing its group commit with it, in order",
          "[store][writer][overlap]") {
    overlap_fixture f;
    f.expect_callers(3);
    auto const commits_before = f.commits_so_far();
    {
        std::lock_guard const lock(f.mutex);
        f.late.emplace("candidate-trigger", std::vector{one_event("candidate-late-1"), one_event("candidate-late-2")});
    }
    auto const trigger = f.store.append(one_event("candidate-trigger"));
    REQUIRE(trigger.has_value());
    auto answers = f.take_answers();
    REQUIRE(answers.size() == 2);
    auto const late_1 = answers[0].get();
    auto const late_2 = answers[1].get();
    REQUIRE(late_1.has_value());
    REQUIRE(late_2.has_value());

    // One commit held all three, at consecutive positions in the order they were written.
    std::lock_guard const lock(f.mutex);
    REQUIRE(f.commits.size() == commits_before + 1);
    CHECK(f.commits.back() == std::pair{trigger->first_position, std::size_t{3}});
    CHECK(late_1->first_position == trigger->first_position + 1);
    CHECK(late_2->first_position == trigger->first_position + 2);
    CHECK(f.store.read_event(late_2->first_position)->stream == "candidate-late-2");
    // Their hashes chain and the Merkle tree holds exactly them.
    auto const report = f.store.verify(true);
    CHECK(report.ok);
    CHECK(report.events == late_2->first_position + 1);
    CHECK(f.store.head().hash == f.store.read_event(late_2->first_position)->hash);
    CHECK_FALSE(f.store.verify_tree().has_value());
    CHECK(f.store.tree_size() == late_2->first_position + 1);
}

TEST_CASE("a late request that fails its checks fails alone and the rest of its group commits",
          "[store][writer][overlap]") {
    overlap_fixture f;
    REQUIRE(f.store.append(one_event("campaign-shared")).has_value());
    f.expect_callers(3);
    auto const commits_before = f.commits_so_far();
    {
        std::lock_guard const lock(f.mutex);
        f.late.emplace("candidate-trigger",
                       std::vector{one_event("campaign-shared", expected_version::exact(99)),
                                   one_event("candidate-late-ok")});
    }
    auto const trigger = f.store.append(one_event("candidate-trigger"));
    REQUIRE(trigger.has_value());
    auto answers = f.take_answers();
    REQUIRE(answers.size() == 2);
    auto const stale = answers[0].get();
    auto const fine = answers[1].get();

    REQUIRE(stale.has_error());
    CHECK(stale.error().code == error_code::wrong_expected_version);
    REQUIRE(fine.has_value());
    CHECK(fine->first_position == trigger->first_position + 1);  // the refused one took no position
    CHECK(f.store.last_version("campaign-shared") == 0u);
    std::lock_guard const lock(f.mutex);
    REQUIRE(f.commits.size() == commits_before + 1);
    CHECK(f.commits.back() == std::pair{trigger->first_position, std::size_t{2}});
    CHECK(f.store.verify(true).ok);
    CHECK_FALSE(f.store.verify_tree().has_value());
}

TEST_CASE("a writer that expects more callers than come still commits what it wrote",
          "[store][writer][overlap]") {
    overlap_fixture f;
    f.expect_callers(8);
    // Eight expected, one comes: the writer commits it when its patience ends.
    auto const alone = f.store.append(one_event("candidate-alone"));
    REQUIRE(alone.has_value());
    CHECK(f.store.read_event(alone->first_position)->stream == "candidate-alone");
    CHECK(f.store.verify(true).ok);
}
