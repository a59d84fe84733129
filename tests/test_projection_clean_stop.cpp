// A clean restart folds nothing: the read models' records are written at the position they
// have folded before a clean stop (projection_runner::save_records, called by the server
// before its writer stops) and once live after a start that folded a tail of at least a fifth
// of snapshot_every. Otherwise every restart folds that tail again, reading its events and
// entities at random (1.8 s at 10,000,000 events with a cold page cache; docs/read-models.md).

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/read_model.hpp"

#include "support/generated_appends.hpp"
#include "support/recruitment_generator.hpp"
#include "support/snapshot_wait.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace std::chrono_literals;
using testing::append_generated;

namespace {

// Never due by count within these tests: only the saves under test write records.
constexpr std::uint64_t never_due = 1'000'000;

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

/// Every read model of `runner` answers, at the head, the rows a replay of the whole log gives.
void require_equals_full_replay(app::projection_runner const& runner, store::event_store const& store) {
    REQUIRE(runner.wait_until_caught_up(10s));
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());
    app::replay_log(store, pointers, {});
    for (auto const& model : models) {
        auto const live = runner.query({.name = std::string(model->name())});
        REQUIRE(live.has_value());
        INFO(model->name());
        CHECK(live->position == store.head().position());
        CHECK(live->rows == model->rows());
    }
}

/// A restart on `dir`: resumes from every record, folds nothing, reads no candidate, answers
/// what a full replay answers, before and after more appends.
void require_restart_folds_nothing(testing::temp_dir const& dir, testing::recruitment_generator& generator) {
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = never_due});
    require_equals_full_replay(runner, store);
    auto const restarted = runner.stats();
    CHECK(restarted.snapshots_used == 7);
    CHECK(restarted.snapshots_rebuilt == 0);
    CHECK(restarted.caught_up_events == 0);
    CHECK(restarted.table_reads == 0);
    append_generated(store, generator, 60);
    require_equals_full_replay(runner, store);
}

}  // namespace

TEST_CASE("read models saved before a clean stop resume at the head and fold nothing on restart",
          "[projections][runner][restart]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(2026);
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = never_due});
        append_generated(store, generator, 400);
        REQUIRE(runner.wait_until_caught_up(10s));
        // Nothing is due by count (appends that raced the catch-up thread are saved once live).
        CHECK(runner.save_records());
        CHECK(testing::every_snapshot_covers(store, runner, 400));  // written before it returned
        CHECK(store.head().events == 400);                          // records only, no event
    }
    require_restart_folds_nothing(dir, generator);
}

TEST_CASE("a start that folds a tail shorter than snapshot_every saves it once live, so the next start folds nothing",
          "[projections][runner][restart]") {
    // A tail of at least a fifth of snapshot_every is saved once live; 300 of 1,000 here.
    constexpr std::uint64_t every = 1'000;
    testing::temp_dir dir;
    testing::recruitment_generator generator(1812);
    {
        store::event_store store(options_in(dir));
        append_generated(store, generator, 300);  // no runner: nothing folded or saved
    }
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = every});
        REQUIRE(runner.wait_until_caught_up(10s));
        CHECK(runner.stats().caught_up_events == 300);
        // The catch-up thread saves after going live, without an append.
        REQUIRE(testing::wait_for_every_snapshot(store, runner, 300));
        CHECK(store.head().events == 300);
    }
    require_restart_folds_nothing(dir, generator);
}
