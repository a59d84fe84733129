// Differential property tests of the read models (issue 14): on random rule-abiding ledgers
// with retractions, every read model answers exactly what the reference fold answers
// (tests/reference/reference_models.hpp, the fact-keeping models of before), compared as JSON
// values: at the head, live through the runner, as of positions and recorded times, after a
// snapshot save and load, across restarts of the store and runner, and after kill -9.

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/detail/applications.hpp"

#include "reference/reference_models.hpp"
#include "support/kill_harness.hpp"
#include "support/generated_appends.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <map>
#include <thread>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace ledger;
using namespace std::chrono_literals;

using testing::append_generated;

namespace {

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();  // the ledgers really abide by the rules
    return o;
}

using rows_by_model = std::map<std::string, boost::json::array>;

rows_by_model rows_of(reference::all_models const& models) {
    rows_by_model rows;
    for (auto const name : projections::read_model_names()) rows[std::string(name)] = models.rows(name);
    return rows;
}

/// The reference fold of the log, with its rows captured after each position in `at` (and
/// after the last event, under the key UINT64_MAX).
std::map<std::uint64_t, rows_by_model> reference_rows(store::event_store const& store,
                                                      std::vector<std::uint64_t> const& at) {
    reference::all_models models;
    std::map<std::uint64_t, rows_by_model> captured;
    store.scan(0, [&](recorded_event const& e) {
        auto const data = events::decode_event(e.type, e.schema_version, e.data);
        models.apply(projections::fold_event{.position = e.position, .stream = e.stream,
                                             .occurred_at = e.occurred_at,
                                             .recorded_at = e.recorded_at, .data = &data});
        if (std::find(at.begin(), at.end(), e.position) != at.end()) captured[e.position] = rows_of(models);
        return true;
    });
    captured[UINT64_MAX] = rows_of(models);
    return captured;
}

/// A few positions of the log, spread at random, always with the first and the last.
std::vector<std::uint64_t> some_positions(std::uint64_t events, std::uint64_t seed, int count) {
    std::mt19937_64 rng(seed);
    std::vector<std::uint64_t> positions{0, events - 1};
    for (int i = 0; i < count; ++i) positions.push_back(std::uniform_int_distribution<std::uint64_t>(0, events - 1)(rng));
    return positions;
}

/// Live answers of the runner equal the reference at the head; as-of answers equal it at
/// `positions`.
void require_runner_matches(app::projection_runner const& runner, store::event_store const& store,
                            std::uint64_t seed) {
    REQUIRE(runner.wait_until_caught_up(20s));
    auto const events = store.head().events;
    auto const positions = some_positions(events, seed, 3);
    auto const expected = reference_rows(store, positions);
    for (auto const name : projections::read_model_names()) {
        INFO(name << " at the head (" << events << " events)");
        auto const live = runner.query({.name = std::string(name)});
        REQUIRE(live.has_value());
        CHECK(live->position == events - 1);
        CHECK(live->rows == expected.at(UINT64_MAX).at(std::string(name)));
        for (auto const position : positions) {
            INFO("as of position " << position);
            auto const past = runner.query({.name = std::string(name), .as_of_position = position});
            REQUIRE(past.has_value());
            CHECK(past->rows == expected.at(position).at(std::string(name)));
        }
    }
    // As of a recorded time: the reference at the last event recorded by then.
    auto const middle = store.read_event(positions.back()).value();
    std::uint64_t last_by_then = middle.position;
    while (last_by_then + 1 < events && store.read_event(last_by_then + 1)->recorded_at <= middle.recorded_at) {
        ++last_by_then;
    }
    auto const at_time = reference_rows(store, {last_by_then});
    for (auto const name : projections::read_model_names()) {
        INFO(name << " as of the time of position " << middle.position);
        auto const past = runner.query({.name = std::string(name), .as_of = middle.recorded_at});
        REQUIRE(past.has_value());
        CHECK(past->position == last_by_then);
        CHECK(past->rows == at_time.at(last_by_then).at(std::string(name)));
    }
}

}  // namespace

TEST_CASE("every read model answers what the reference fold answers, after any prefix of a random ledger",
          "[projections][differential]") {
    auto const seed = GENERATE(1u, 2u, 3u, 20240312u);
    bool const retract_applications = seed % 2 == 1;
    INFO("seed " << seed << (retract_applications ? " with retracted applications" : ""));
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = retract_applications});
    store::event_store store(options_in(dir));
    append_generated(store, generator, 3000);

    // Every model replayed alongside the reference, compared every 97 events, and after a
    // snapshot round trip (save, load into a fresh model, fold on) at a few positions.
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());
    auto const events = store.head().events;
    std::vector<std::uint64_t> checked;
    for (std::uint64_t p = 0; p < events; p += 97) checked.push_back(p);
    checked.push_back(events - 1);
    auto const expected = reference_rows(store, checked);
    std::uint64_t from = 0;
    for (auto const position : checked) {
        app::replay_log(store, pointers, {.from_position = from, .to_position = position});
        from = position + 1;
        for (auto& model : models) {
            INFO(model->name() << " after position " << position);
            REQUIRE(model->rows() == expected.at(position).at(std::string(model->name())));
        }
        if (position % 5 == 0) {
            for (auto& model : models) {
                auto reloaded = model->fresh();
                reloaded->load(model->save());
                INFO(model->name() << " reloaded after position " << position);
                REQUIRE(reloaded->same_state(*model));
                REQUIRE(reloaded->rows() == model->rows());
                model = std::move(reloaded);
            }
            pointers.clear();
            for (auto& m : models) pointers.push_back(m.get());
        }
    }
}

TEST_CASE("recruits-per-campaign, funnel and retention fold one shared application table, each event once",
          "[projections][differential][shared]") {
    auto models = projections::make_all_read_models();
    std::shared_ptr<projections::detail::application_table> shared;
    int sharing = 0;
    for (auto const& model : models) {
        auto table = model->shared_table();
        if (table == nullptr) continue;
        if (shared == nullptr) shared = table;
        CHECK(table == shared);
        ++sharing;
    }
    CHECK(sharing == 3);
    // A fresh model (as-of replays) and a copy folded alone keep their own.
    CHECK(models.front()->fresh()->shared_table() != shared);
}

TEST_CASE("the runner answers what the reference fold answers, live and as of, across restarts",
          "[projections][differential][runner]") {
    auto const seed = GENERATE(5u, 6u);
    INFO("seed " << seed);
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 61});
        append_generated(store, generator, 800);
        require_runner_matches(runner, store, seed * 10 + static_cast<std::uint64_t>(round));
        append_generated(store, generator, 1);  // lets the hook persist what is folded
    }
}

namespace {

/// In a forked child: the store and runner on `dir`, appending the generator's events after
/// those already in the log, until killed. Exits 2 if an append is refused (a bug).
/// Reports a byte to `progress` after each committed batch.
[[noreturn]] void append_until_killed(testing::temp_dir const& dir, std::uint64_t seed, int progress) {
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 53});
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    for (std::uint64_t i = 0; i < store.head().events; ++i) (void)generator.next();  // the log is a prefix
    for (;;) {
        std::vector<std::future<store::append_result>> results;
        for (int i = 0; i < 40; ++i) {
            auto done = std::make_shared<std::promise<store::append_result>>();
            results.push_back(done->get_future());
            store.append_async(generator.next().request(),
                               [done](store::append_result r) { done->set_value(std::move(r)); });
        }
        for (auto& r : results) {
            if (!r.get()) _exit(2);
        }
        testing::report(progress, char{1});
    }
}

}  // namespace

TEST_CASE("after kill -9 rounds the runner resumes from its snapshots and answers what the reference fold answers",
          "[projections][differential][crash]") {
    testing::temp_dir dir;
    std::uint64_t const seed = 77;
    std::mt19937 rng(seed);
    for (int round = 0; round < 4; ++round) {
        // Killed once the child has committed a batch, then at a random moment within 400 ms.
        auto const child = testing::run_and_kill([&](int progress) { append_until_killed(dir, seed, progress); },
                                                 {.after_bytes = 1, .max_delay = std::chrono::milliseconds(400)}, rng);
        INFO("round " << round);
        REQUIRE_FALSE(child.waited_out);
        REQUIRE(child.reports.size() >= 1);  // the child has committed a batch
        REQUIRE(WIFSIGNALED(child.status));  // killed, not exited on a refused append
        CHECK(WTERMSIG(child.status) == SIGKILL);
    }
    store::event_store store(options_in(dir));
    REQUIRE(store.head().events > 0);
    app::projection_runner runner(store, {.snapshot_every = 53});
    require_runner_matches(runner, store, seed);
    // A snapshot and the position it covers are written together: a kill never leaves one
    // that must be thrown away (a model never snapshotted yet simply folds from the start).
    CHECK(runner.stats().snapshots_rebuilt == 0);
    CHECK(runner.stats().snapshots_used > 0);
    // Nor entities that disagree with their records (the four keep them in the table).
    CHECK(runner.stats().entity_rebuilds == 0);
}
