#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/projection_snapshot.hpp"
#include "ledger/json_text.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/entity_keys.hpp"
#include "projections/entity_table.hpp"
#include "projections/read_model.hpp"

#include "support/generated_appends.hpp"
#include "support/recruitment_generator.hpp"
#include "support/snapshot_wait.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>
#include <memory>

using namespace ledger;
using namespace std::chrono_literals;

using testing::append_generated;

namespace {

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    // The catalogue's domain rules check that the generated history really abides by them.
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

/// Appends `count` generated events, submitted together so the writer groups them (one fsync
/// per group); positions follow submission order, as the generator assumes.

/// Every read model replayed from scratch over the whole log.
std::vector<std::unique_ptr<projections::read_model>> full_replay(store::event_store const& store) {
    auto models = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers;
    for (auto& m : models) pointers.push_back(m.get());
    app::replay_log(store, pointers, {});
    return models;
}

void require_equals_full_replay(app::projection_runner const& runner, store::event_store const& store) {
    REQUIRE(runner.wait_until_caught_up(10s));
    for (auto const& model : full_replay(store)) {
        auto const live = runner.query({.name = std::string(model->name())});
        REQUIRE(live.has_value());
        INFO(model->name());
        CHECK(live->position == store.head().position());
        CHECK(live->rows == model->rows());
    }
}

/// Waits until the runner has loaded its snapshots (on its catch-up thread).
bool wait_loaded(app::projection_runner const& runner, std::chrono::milliseconds timeout = 10s) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (!runner.loaded()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

/// A ledger in `dir` with `count` generated events and every read model snapshotted at its end.
void build_snapshotted(testing::temp_dir const& dir, testing::recruitment_generator& generator,
                       int count) {
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 97});
    append_generated(store, generator, count);
    REQUIRE(runner.wait_until_caught_up(10s));
    // A model's snapshot is written once 97 of its events are unsaved: append one at a time
    // until every record covers the first `count` (at most ~97 more, bounded).
    auto const covered = static_cast<std::uint64_t>(count);
    for (int extra = 0; extra < 300 && !testing::every_snapshot_covers(store, runner, covered); ++extra) {
        append_generated(store, generator, 1);
        REQUIRE(runner.wait_until_caught_up(10s));
    }
    REQUIRE(testing::wait_for_every_snapshot(store, runner, covered));
}

}  // namespace

TEST_CASE("projections folded incrementally across a restart equal a full replay",
          "[projections][runner][property]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(20240312);
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 97});
        append_generated(store, generator, 5000);
        require_equals_full_replay(runner, store);
        append_generated(store, generator, 1);  // lets the hook persist what is folded
    }
    store::event_store store(options_in(dir));
    auto const snapshot = app::detail::decode_snapshot(
        store.read_projection_record(app::detail::snapshot_key("funnel")).value());
    REQUIRE(snapshot);
    // Resumes from here, no full replay. A snapshot is written at a group's commit once 97
    // events are unsaved, so the last one may lie up to 96 events before the end.
    CHECK(snapshot->next_position + 97 > 5000);
    app::projection_runner runner(store, {.snapshot_every = 97});
    append_generated(store, generator, 5000);
    require_equals_full_replay(runner, store);
}

TEST_CASE("a runner resumes from its snapshots and folds only the tail", "[projections][runner]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(7);
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 1});
        append_generated(store, generator, 300);
        REQUIRE(runner.wait_until_caught_up(10s));
        append_generated(store, generator, 1);
        // The table's snapshot is written by the first commit after the three models share
        // one table, which may be the catch-up thread's own records-only commit on going live:
        // the runner must not be torn down before it (a group during catch-up skips it).
        auto const table_saved = [&] {
            auto const record = store.read_projection_record(app::detail::table_snapshot_key());
            auto const snapshot = record ? app::detail::decode_snapshot(*record) : std::nullopt;
            return snapshot && snapshot->next_position >= 299;
        };
        auto const deadline = std::chrono::steady_clock::now() + 10s;
        while (!table_saved() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);  // polling a condition with a bound
        }
        REQUIRE(table_saved());
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    REQUIRE(wait_loaded(runner));
    for (auto const& summary : runner.list()) {
        INFO(summary.name);
        // Right after start, before any tail is folded, each model is at its snapshot.
        CHECK(summary.position.value_or(0) >= 299);
    }
    require_equals_full_replay(runner, store);
}

TEST_CASE("a runner that caught up with no appends coming writes its snapshots itself",
          "[projections][runner][snapshot]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(11);
    {
        store::event_store store(options_in(dir));
        append_generated(store, generator, 300);  // no runner: nothing folded or saved
    }
    auto const saved_position = [&](store::event_store const& store) -> std::uint64_t {
        // funnel's whole-state record and vacancies' entity table record: the lower.
        auto const record = store.read_projection_record(app::detail::snapshot_key("funnel"));
        auto const entities = store.read_projection_record(app::detail::entity_snapshot_key("vacancies"));
        if (!record || !entities) return 0;
        auto const snapshot = app::detail::decode_snapshot(*record);
        auto const table = app::detail::decode_entity_snapshot_view(*entities);
        return snapshot && table ? std::min(snapshot->next_position, table->next_position) : 0;
    };
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 97});
        REQUIRE(runner.wait_until_caught_up(10s));
        auto const deadline = std::chrono::steady_clock::now() + 10s;
        while (saved_position(store) < 300 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);  // polling a condition with a bound
        }
        CHECK(saved_position(store) == 300);
        CHECK(store.head().events == 300);  // written without an append
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 97});
    REQUIRE(runner.wait_until_caught_up(10s));
    CHECK(runner.stats().snapshots_used == 7);
    CHECK(runner.stats().caught_up_events == 0);  // nothing folded again after the restart
    require_equals_full_replay(runner, store);
}

TEST_CASE("a read model whose snapshot has another code version is rebuilt from the log",
          "[projections][runner][rebuild]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(99);
    {
        store::event_store store(options_in(dir));
        append_generated(store, generator, 400);
        // A snapshot as an older build would have left it: wrong version, stale position.
        store.set_before_commit_hook([](store::projection_records& records) {
            records.put(app::detail::snapshot_key("vacancies"),
                        app::detail::encode_snapshot({.code_version = 0, .next_position = 10, .state = "old"}));
        });
        append_generated(store, generator, 1);
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    require_equals_full_replay(runner, store);
}

TEST_CASE("as-of queries fold the log up to a position or a recorded time",
          "[projections][runner][as-of]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(3);
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    append_generated(store, generator, 500);
    auto const middle = store.read_event(250).value();

    auto const by_position = runner.query({.name = "recruits-per-campaign", .as_of_position = 250});
    REQUIRE(by_position.has_value());
    CHECK(by_position->position == 250u);
    auto expected = projections::make_read_model("recruits-per-campaign");
    projections::read_model* pointer = expected.get();
    app::replay_log(store, std::span(&pointer, 1), {.to_position = 250});
    CHECK(by_position->rows == expected->rows());
    CHECK(by_position->columns.front() == "campaign_id");

    auto const by_time = runner.query({.name = "funnel", .as_of = middle.recorded_at});
    REQUIRE(by_time.has_value());
    REQUIRE(by_time->position);
    CHECK(*by_time->position >= 250u);
    CHECK(store.read_event(*by_time->position)->recorded_at <= middle.recorded_at);
    if (*by_time->position < 499) CHECK(store.read_event(*by_time->position + 1)->recorded_at > middle.recorded_at);
}

TEST_CASE("projection queries refuse unknown names, two as-of bounds and an unreached min_position",
          "[projections][runner][errors]") {
    testing::temp_dir dir;
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    CHECK(runner.query({.name = "nope"}).error().code == error_code::projection_not_found);
    auto const both = runner.query({.name = "origin", .as_of_position = 1, .as_of = now()});
    CHECK(both.error().code == error_code::bad_request);
    auto const waiting = runner.query({.name = "origin", .min_position = 5, .wait = 20ms});
    REQUIRE(waiting.has_error());
    CHECK(waiting.error().code == error_code::unavailable);
    CHECK(waiting.error().details.at("min_position") == 5);
    CHECK(waiting.error().details.at("position").is_null());
}

TEST_CASE("a query with min_position sees the caller's own append", "[projections][runner]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(11);
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    append_generated(store, generator, 20);
    auto const appended = store.append(generator.next().request()).value();
    auto const table = runner.query({.name = "origin", .min_position = appended.last_position});
    REQUIRE(table.has_value());
    CHECK(table->position == appended.last_position);
    // origin and recruits-per-campaign fold on different lanes while the runner catches up:
    // origin at the position says nothing of the other, so the list is read after waiting for it.
    auto const other = runner.query({.name = "recruits-per-campaign", .min_position = appended.last_position});
    REQUIRE(other.has_value());
    auto const listed = runner.list();
    REQUIRE(listed.size() == 7);
    CHECK(listed.front().name == "recruits-per-campaign");
    CHECK(listed.front().lag == 0);
}

TEST_CASE("a projection's JSON text is its table serialised, kept until the next fold",
          "[projections][runner][json]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(7);
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    append_generated(store, generator, 200);
    REQUIRE(runner.wait_until_caught_up(5s));
    auto const serialised = [&](app::projection_query const& q) {
        return to_json_text(app::to_json(runner.query(q).value()));
    };
    auto const first = runner.query_json({.name = "recruits-per-campaign"});
    REQUIRE(first.has_value());
    CHECK(*first == serialised({.name = "recruits-per-campaign"}));
    CHECK(runner.query_json({.name = "recruits-per-campaign"}).value() == *first);  // the kept text

    append_generated(store, generator, 50);
    auto const last = store.head().events - 1;
    auto const moved = runner.query_json({.name = "recruits-per-campaign", .min_position = last});
    REQUIRE(moved.has_value());
    CHECK(*moved != *first);
    CHECK(*moved == serialised({.name = "recruits-per-campaign"}));
    auto const past = runner.query_json({.name = "recruits-per-campaign", .as_of_position = 199});
    CHECK(past.value() == *first);  // time travel goes through query(), same text
    CHECK(runner.query_json({.name = "nope"}).error().code == error_code::projection_not_found);
}

TEST_CASE("queries from other threads while commits are folded see consistent tables",
          "[projections][runner][threads]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(5);
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 50});
    std::atomic<bool> done{false};
    std::atomic<int> answered{0};
    std::atomic<int> inconsistent{0};
    auto reader = [&](std::string name) {
        std::optional<std::uint64_t> last;
        while (!done) {
            auto const table = runner.query({.name = name});
            // A live read model answers and only moves forward.
            if (!table || (last && (!table->position || *table->position < *last))) ++inconsistent;
            if (table) last = table->position;
            ++answered;
        }
    };
    std::thread first(reader, "recruits-per-campaign");
    std::thread second(reader, "outreach");
    for (int round = 0; round < 20; ++round) append_generated(store, generator, 100);
    done = true;
    first.join();
    second.join();
    CHECK(answered > 0);
    CHECK(inconsistent == 0);
    require_equals_full_replay(runner, store);
}

TEST_CASE("queries made right after a restart see each read model as of the position it reports",
          "[projections][runner][start-up]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(424242);
    build_snapshotted(dir, generator, 3000);
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 97});
    std::vector<std::string> names;
    for (auto const& summary : runner.list()) names.push_back(summary.name);
    // Queried at once, then while a tail is appended and folded: whatever position a live
    // answer reports, its rows are exactly the log folded up to there.
    std::vector<app::projection_table> answers;
    for (auto const& name : names) answers.push_back(runner.query({.name = name}).value());
    append_generated(store, generator, 300);
    for (auto const& name : names) answers.push_back(runner.query({.name = name}).value());
    for (auto const& live : answers) {
        INFO(live.name << " at " << (live.position ? std::to_string(*live.position) : "null"));
        REQUIRE(live.position);  // a live answer waits for the snapshot, so never empty here
        CHECK(*live.position >= 2999);
        auto const replayed = runner.query({.name = live.name, .as_of_position = live.position});
        CHECK(live.rows == replayed.value().rows);
    }
    require_equals_full_replay(runner, store);
}

TEST_CASE("until its snapshots are loaded a runner answers live queries unavailable and saves none",
          "[projections][runner][start-up]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(8080);
    build_snapshotted(dir, generator, 1000);
    {
        store::event_store store(options_in(dir));
        auto const stored_at = [&] {
            auto const record = store.read_projection_record(app::detail::snapshot_key("funnel"));
            return app::detail::decode_snapshot(record.value()).value().next_position;
        };
        auto const stored = stored_at();
        REQUIRE(stored >= 1000);
        std::promise<void> release;
        std::shared_future<void> const released = release.get_future().share();
        // snapshot_every 0: the hook snapshots at every commit, as eagerly as it can.
        app::projection_runner runner(store, {.snapshot_every = 0, .load_wait = 20ms,
                                              .before_loading = [released] { released.wait(); }});
        CHECK_FALSE(runner.loaded());
        auto const loading = runner.query({.name = "funnel"});
        REQUIRE(loading.has_error());
        CHECK(loading.error().code == error_code::unavailable);
        CHECK(loading.error().message == "read models are loading; try again shortly");
        CHECK(runner.query_json({.name = "funnel"}).error().code == error_code::unavailable);
        auto const listed = runner.list();
        CHECK_FALSE(listed.front().position);
        CHECK(listed.front().lag == store.head().events);
        CHECK(runner.query({.name = "funnel", .as_of_position = 10}).value().position == 10u);
        // Appends go on, and leave the stored snapshot alone.
        append_generated(store, generator, 20);
        CHECK(stored_at() == stored);
        release.set_value();
        REQUIRE(wait_loaded(runner));
        require_equals_full_replay(runner, store);
        append_generated(store, generator, 20);  // now snapshots move on
        CHECK(stored_at() > stored);
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store);
    require_equals_full_replay(runner, store);
}

TEST_CASE("a runner destroyed while loading its snapshots stops promptly",
          "[projections][runner][start-up]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(1);
    build_snapshotted(dir, generator, 500);
    store::event_store store(options_in(dir));
    for (int round = 0; round < 20; ++round) {
        auto const start = std::chrono::steady_clock::now();
        { app::projection_runner runner(store); }
        CHECK(std::chrono::steady_clock::now() - start < 2s);
    }
    app::projection_runner runner(store);
    require_equals_full_replay(runner, store);
}

TEST_CASE("a runner resumes from valid snapshots, folding only the tail, and rebuilds damaged or stale ones from the log",
          "[projections][runner][snapshot]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(31337);
    build_snapshotted(dir, generator, 2000);
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 97});
        require_equals_full_replay(runner, store);
        auto const stats = runner.stats();
        CHECK(stats.snapshots_used == 7);
        CHECK(stats.snapshots_rebuilt == 0);
        // Snapshots are written at most 97 events apart: only a short tail is folded.
        CHECK(stats.caught_up_events < 200);
    }
    {
        // One snapshot with a flipped byte in its state, one claiming more events than the log has.
        store::event_store store(options_in(dir));
        // (retention's own part is its clock; funnel's is empty: the table holds its state)
        auto damaged = store.read_projection_record(app::detail::snapshot_key("retention")).value();
        damaged[damaged.size() - 3] = static_cast<char>(damaged[damaged.size() - 3] ^ 0x5A);
        // origin keeps its entities in the table: its record there claims too much.
        auto const origin = store.read_projection_record(app::detail::entity_snapshot_key("origin")).value();
        auto const view = app::detail::decode_entity_snapshot_view(origin).value();
        app::detail::projection_snapshot const stale{view.code_version, store.head().events + 10, std::string(view.state)};
        store.set_before_commit_hook([&](store::projection_records& records) {
            records.put(app::detail::snapshot_key("retention"), damaged);
            records.put(app::detail::entity_snapshot_key("origin"), app::detail::encode_entity_snapshot(stale));
        });
        append_generated(store, generator, 1);
        store.set_before_commit_hook({});
        std::string problem;
        CHECK_FALSE(app::detail::decode_snapshot(damaged, &problem));
        CHECK(problem == "the state does not match its checksum");
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 1'000'000});
    require_equals_full_replay(runner, store);
    auto const stats = runner.stats();
    CHECK(stats.snapshots_used == 5);
    CHECK(stats.snapshots_rebuilt == 2);
    CHECK(stats.caught_up_events == store.head().events);  // the rebuilt ones folded everything
}

TEST_CASE("the application table is saved once for the three models sharing it, and a damaged one rebuilds the three",
          "[projections][runner][snapshot]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(4711);
    build_snapshotted(dir, generator, 1500);
    {
        store::event_store store(options_in(dir));
        auto const table = app::detail::decode_snapshot(
            store.read_projection_record(app::detail::table_snapshot_key()).value());
        REQUIRE(table);
        for (auto const name : {"recruits-per-campaign", "funnel", "retention"}) {
            INFO(name);
            auto const own = app::detail::decode_snapshot(
                store.read_projection_record(app::detail::snapshot_key(name)).value());
            REQUIRE(own);
            CHECK(own->next_position == table->next_position);  // saved together
            CHECK(own->state.size() < 16);  // the table is not in it (retention: its clock)
        }
        auto damaged = store.read_projection_record(app::detail::table_snapshot_key()).value();
        damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x5A);
        store.set_before_commit_hook([&](store::projection_records& records) {
            records.put(app::detail::table_snapshot_key(), damaged);
        });
        append_generated(store, generator, 1);
        store.set_before_commit_hook({});
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 1'000'000});
    require_equals_full_replay(runner, store);
    auto const stats = runner.stats();
    CHECK(stats.snapshots_used == 4);
    CHECK(stats.snapshots_rebuilt == 3);
}

namespace {

/// Every entity record of `model` in the store's table.
std::vector<std::string> entity_keys(store::event_store const& store, std::string_view model) {
    std::vector<std::string> keys;
    auto const reader = store.read_projections();
    auto const prefix = projections::entity_model_prefix(model);
    reader->scan(prefix, prefix, [&](std::string_view key, std::string_view) {
        if (key.find("/i/") != std::string_view::npos) keys.emplace_back(key);
        return true;
    });
    // The ordered form: "E<code><epoch, 4 bytes>" is the generation record, a longer key an
    // entity's.
    auto const ordered = projections::ordered_entity_model_prefix(model);
    reader->scan(projections::entity_epoch_prefix(model, projections::ordered_entities_epoch), ordered,
                 [&](std::string_view key, std::string_view) {
                     if (key.size() > ordered.size() + 4) keys.emplace_back(key);
                     return true;
                 });
    return keys;
}

/// Whether the four table-backed read models' records, and the application table's, cover the
/// whole log (the runner writes them when it goes live, the entity tables possibly first).
bool entity_records_at_head(store::event_store const& store) {
    auto const table = store.read_projection_record(app::detail::table_snapshot_key());
    auto const decoded = table ? app::detail::decode_snapshot(*table) : std::nullopt;
    if (!decoded || decoded->next_position != store.head().events) return false;
    for (auto const name : {"vacancies", "outreach", "origin", "hires-vs-target"}) {
        auto const record = store.read_projection_record(app::detail::entity_snapshot_key(name));
        auto const view = record ? app::detail::decode_entity_snapshot_view(*record) : std::nullopt;
        if (!view || view->next_position != store.head().events) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("a restart of table-backed read models reads their records and no entity until a fold needs one",
          "[projections][runner][entity_table]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(2024);
    build_snapshotted(dir, generator, 1500);
    {
        // A restart that goes live writes what it folded (no appends needed; every record is
        // due with snapshot_every = 1).
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 1});
        REQUIRE(runner.wait_until_caught_up(10s));
        auto const deadline = std::chrono::steady_clock::now() + 10s;
        while (!entity_records_at_head(store) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);  // polling a condition with a bound
        }
        REQUIRE(entity_records_at_head(store));
        for (auto const name : {"vacancies", "outreach", "origin", "hires-vs-target"}) {
            INFO(name);
            CHECK_FALSE(store.read_projection_record(app::detail::snapshot_key(name)));  // no whole state
            CHECK(store.read_projection_record(app::detail::entity_snapshot_key(name)));
            CHECK_FALSE(entity_keys(store, name).empty());
        }
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 97});
    require_equals_full_replay(runner, store);
    auto const restarted = runner.stats();
    CHECK(restarted.snapshots_used == 7);
    CHECK(restarted.snapshots_rebuilt == 0);
    CHECK(restarted.caught_up_events == 0);  // the hook wrote every record at the last append
    CHECK(restarted.entity_reads == 0);      // and nothing was decoded to get there
    CHECK(restarted.cached_entities == 0);
    // Folding on reads only the entities the new events name (a few per event at most).
    append_generated(store, generator, 40);
    require_equals_full_replay(runner, store);
    auto const after = runner.stats();
    CHECK(after.entity_reads > 0);
    CHECK(after.entity_reads <= 40 * 2);
    CHECK(after.entity_rebuilds == 0);
}

TEST_CASE("a damaged entity record makes its read model rebuild from the log, answering what a full replay answers",
          "[projections][runner][entity_table][rebuild]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(808);
    build_snapshotted(dir, generator, 1200);
    {
        // Every entity of outreach with a flipped byte (its CRC no longer matches).
        store::event_store store(options_in(dir));
        std::vector<std::pair<std::string, std::string>> damaged;
        for (auto const& key : entity_keys(store, "outreach")) {
            auto value = std::string(store.read_projections()->get(key).value());
            value.back() = static_cast<char>(value.back() ^ 0x5A);
            damaged.emplace_back(key, std::move(value));
        }
        REQUIRE_FALSE(damaged.empty());
        store.set_before_commit_hook([&](store::projection_records& records) {
            for (auto const& [key, value] : damaged) records.put(key, value);
        });
        append_generated(store, generator, 1);
        store.set_before_commit_hook({});
    }
    store::event_store store(options_in(dir));
    // Checkpoints every 50 events: the live fold's capture saves every entity, so it finds the
    // damage whichever candidates the next events name.
    app::projection_runner runner(store, {.snapshot_every = 97, .checkpoints = {.every = 50}});
    REQUIRE(runner.wait_until_caught_up(10s));
    append_generated(store, generator, 120);
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while (runner.stats().entity_rebuilds == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);  // polling a condition with a bound
    }
    CHECK(runner.stats().entity_rebuilds >= 1);
    require_equals_full_replay(runner, store);
    // The rebuilt state is what the next start resumes from.
    append_generated(store, generator, 1);
}

TEST_CASE("a restart reads the application table's record and no candidate, and a fold reads only the candidates it names",
          "[projections][runner][entity_table][apptable]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(1414);
    build_snapshotted(dir, generator, 1500);
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, {.snapshot_every = 1});
        REQUIRE(runner.wait_until_caught_up(10s));
        auto const deadline = std::chrono::steady_clock::now() + 10s;
        while (!entity_records_at_head(store) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);  // polling a condition with a bound
        }
        REQUIRE(entity_records_at_head(store));
        // The record holds no candidate: they are in the table.
        auto const record = app::detail::decode_snapshot(store.read_projection_record(app::detail::table_snapshot_key()).value());
        REQUIRE(record);
        CHECK(record->code_version == projections::application_table_store_code_version());
        CHECK_FALSE(entity_keys(store, "applications").empty());
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, {.snapshot_every = 97});
    require_equals_full_replay(runner, store);
    auto const restarted = runner.stats();
    CHECK(restarted.snapshots_used == 7);
    CHECK(restarted.snapshots_rebuilt == 0);
    CHECK(restarted.caught_up_events == 0);
    CHECK(restarted.table_reads == 0);
    CHECK(restarted.table_cached == 0);
    append_generated(store, generator, 40);
    require_equals_full_replay(runner, store);
    auto const after = runner.stats();
    CHECK(after.table_reads <= 40);  // one candidate per event at most
    CHECK(after.table_rebuilds == 0);
}

TEST_CASE("a damaged candidate record of the application table makes the three models sharing it rebuild from the log, answering what a full replay answers",
          "[projections][runner][entity_table][apptable][rebuild]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(909);
    build_snapshotted(dir, generator, 1200);
    {
        // Every candidate with a flipped byte (its CRC no longer matches).
        store::event_store store(options_in(dir));
        std::vector<std::pair<std::string, std::string>> damaged;
        for (auto const& key : entity_keys(store, "applications")) {
            auto value = std::string(store.read_projections()->get(key).value());
            value.back() = static_cast<char>(value.back() ^ 0x5A);
            damaged.emplace_back(key, std::move(value));
        }
        REQUIRE_FALSE(damaged.empty());
        store.set_before_commit_hook([&](store::projection_records& records) {
            for (auto const& [key, value] : damaged) records.put(key, value);
        });
        append_generated(store, generator, 1);
        store.set_before_commit_hook({});
    }
    store::event_store store(options_in(dir));
    // Checkpoints every 50 events: the live fold's capture saves every candidate, so it finds
    // the damage whichever candidates the next events name.
    app::projection_runner runner(store, {.snapshot_every = 97, .checkpoints = {.every = 50}});
    REQUIRE(runner.wait_until_caught_up(10s));
    append_generated(store, generator, 120);
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while (runner.stats().table_rebuilds == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);  // polling a condition with a bound
    }
    CHECK(runner.stats().table_rebuilds >= 1);
    require_equals_full_replay(runner, store);
    append_generated(store, generator, 1);
    require_equals_full_replay(runner, store);
}

namespace {

/// The next_position of the record under `key` (a snapshot or an entity table's), or 0.
std::uint64_t covered_by(store::event_store const& store, std::string const& key, bool entity_table) {
    auto const record = store.read_projection_record(key);
    if (!record) return 0;
    auto const view = entity_table ? app::detail::decode_entity_snapshot_view(*record)
                                   : app::detail::decode_snapshot_view(*record);
    return view ? view->next_position : 0;
}

/// After `count` events appended in small groups under `options`: the events the application
/// table's record covers, and those vacancies' (saved every snapshot_every) cover.
std::pair<std::uint64_t, std::uint64_t> table_and_vacancies_covered(testing::temp_dir const& dir,
                                                                    app::projection_runner_options options) {
    testing::recruitment_generator generator(31337);
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, std::move(options));
    for (int group = 0; group < 60; ++group) {
        append_generated(store, generator, 10);
        REQUIRE(runner.wait_until_caught_up(10s));
    }
    // Vacancies' entities are saved every snapshot_every: wait until its record is recent.
    auto const head = store.head().events;
    for (int round = 0; round < 500 && covered_by(store, app::detail::entity_snapshot_key("vacancies"), true) + 40 < head;
         ++round) {
        std::this_thread::sleep_for(10ms);
    }
    return {covered_by(store, app::detail::table_snapshot_key(), false),
            covered_by(store, app::detail::entity_snapshot_key("vacancies"), true)};
}

}  // namespace

TEST_CASE("the application table's record is rewritten once per its bytes over table_record_bytes_per_event events and at a clean stop",
          "[projections][runner][snapshot]") {
    testing::temp_dir spaced_dir, every_dir;
    // One byte per event: the record waits as many events as it has bytes (hundreds, then
    // thousands); 0: every 20.
    auto const [spaced_table, spaced_vacancies] =
        table_and_vacancies_covered(spaced_dir, {.snapshot_every = 20, .table_record_bytes_per_event = 1});
    auto const [every_table, every_vacancies] =
        table_and_vacancies_covered(every_dir, {.snapshot_every = 20, .table_record_bytes_per_event = 0});
    CHECK(every_table + 40 >= 600);        // rewritten every 20 events or so
    CHECK(spaced_table + 100 < every_table);  // far fewer rewrites: it is well behind
    CHECK(spaced_vacancies + 40 >= 600);   // the models not sharing it: every 20 as before
    CHECK(every_vacancies + 40 >= 600);
    {
        // A clean stop saves the table at the head; a restart resumes from it and answers as a
        // full replay does.
        store::event_store store(options_in(spaced_dir));
        {
            app::projection_runner runner(store, {.snapshot_every = 20, .table_record_bytes_per_event = 1});
            REQUIRE(runner.wait_until_caught_up(10s));
            REQUIRE(runner.save_records());
        }
        CHECK(covered_by(store, app::detail::table_snapshot_key(), false) == store.head().events);
        app::projection_runner runner(store, {.snapshot_every = 20, .table_record_bytes_per_event = 1});
        require_equals_full_replay(runner, store);
        CHECK(runner.stats().snapshots_rebuilt == 0);
    }
}
