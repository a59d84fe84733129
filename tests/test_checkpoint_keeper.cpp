// The as-of checkpoints' keeper and the writer's transaction (checkpoint_keeper.hpp): a record
// put by the before-commit hook counts as waiting, and is read from memory, until the
// transaction that holds it has committed; a transaction that fails after the hook (the map
// filling at its commit: the group is retried) loses nothing, the retried hook puts it again.
// Each is driven by a hook of the test's own, so the moment that used to lose a checkpoint is
// reached every time (as-of checkpoints test: the checkpoint at 776 missing after nothing
// waited, while a records-only commit was still under way).

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <lmdb.h>

#include <future>
#include <memory>

using namespace ledger;

namespace {

constexpr std::uint64_t every = 10;

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

void append_generated(store::event_store& store, testing::recruitment_generator& generator, int count) {
    for (int i = 0; i < count; ++i) REQUIRE(store.append(generator.next().request()).has_value());
}

/// A checkpoint of a read model without the shared table captured at `every`: one record.
void capture_one(store::event_store const& store, app::checkpoint_keeper& keeper, projections::read_model const& model) {
    keeper.capture(model, every, app::checkpoint_boundary{.interval = true}, store.read_event(every - 1)->recorded_at);
    REQUIRE(keeper.stats().waiting == 1);
}

}  // namespace

TEST_CASE("a checkpoint put into a group's transaction waits, and is read from memory, until that transaction commits",
          "[checkpoints][as_of]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(41);
    store::event_store store(options_in(dir));
    append_generated(store, generator, 2 * every);
    app::checkpoint_keeper keeper(store, app::checkpoint_options{.every = every});
    auto const prototype = projections::make_read_model("vacancies");
    capture_one(store, keeper, *prototype);

    std::promise<void> entered;
    std::promise<void> release;
    auto const released = release.get_future().share();
    int calls = 0;
    store.set_before_commit_hook([&](store::projection_records& records) {
        keeper.write_pending(records);
        if (calls++ == 0) {
            entered.set_value();
            released.wait();  // the transaction holds the record and has not committed
        }
    });
    auto appended = std::async(std::launch::async, [&] { return store.append(generator.next().request()); });
    entered.get_future().wait();
    auto const key = app::detail::checkpoint_key(prototype->name(), every);
    CHECK_FALSE(store.read_projection_record(key).has_value());
    CHECK(keeper.stats().waiting == 1);
    CHECK(keeper.stats().written == 0);
    CHECK(keeper.load(*prototype, every) != nullptr);
    release.set_value();
    REQUIRE(appended.get().has_value());

    CHECK(store.read_projection_record(key).has_value());
    CHECK(keeper.stats().waiting == 0);
    CHECK(keeper.stats().written == 1);
    store.set_before_commit_hook({});
}

TEST_CASE("checkpoints put into a transaction that does not commit are put again by the group's retried hook",
          "[checkpoints][as_of]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(42);
    store::event_store store(options_in(dir));
    append_generated(store, generator, 2 * every);
    auto const prototype = projections::make_read_model("vacancies");
    {
        app::checkpoint_keeper keeper(store, app::checkpoint_options{.every = every});
        capture_one(store, keeper, *prototype);
        int calls = 0;
        store.set_before_commit_hook([&](store::projection_records& records) {
            keeper.write_pending(records);
            // As when the map fills at the commit, after the hook: the writer grows the map
            // and writes the whole group again, running the hook again.
            if (calls++ == 0) throw store::lmdb::map_full("mdb_txn_commit", MDB_MAP_FULL);
        });
        append_generated(store, generator, 1);
        store.set_before_commit_hook({});
        CHECK(calls == 2);
        CHECK(keeper.stats().waiting == 0);
        CHECK(keeper.stats().written == 1);
    }
    auto const record = store.read_projection_record(app::detail::checkpoint_key(prototype->name(), every));
    REQUIRE(record.has_value());
    auto const checkpoint = app::detail::decode_checkpoint(*record);
    REQUIRE(checkpoint.has_value());
    CHECK(checkpoint->next_position == every);
    INFO("a keeper of a later run finds it listed and loads it");
    app::checkpoint_keeper later(store, app::checkpoint_options{.every = every});
    CHECK(later.indexed(app::detail::checkpoint_key(prototype->name(), every), prototype->code_version()));
    CHECK(later.load(*prototype, every) != nullptr);
}
