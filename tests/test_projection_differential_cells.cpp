// Differential property tests of the application read models' maintained cells (issue 14) at
// the fold level: random event sequences of campaigns and candidates — more varied than the
// domain rules allow (retracted and repeated campaign plans, plans arriving after the
// applications, receipts naming unplanned campaigns, repeated receipts, offers and contracts,
// employment starting before or after a contract and ending, any of them retracted) — folded
// into recruits-per-campaign, funnel and retention sharing one application table, and into the
// reference fold (tests/reference/), compared as JSON rows after every event and after snapshot
// round trips (whole, and the table saved once and shared). No LMDB: a retraction comes with
// the event it names, as the runner hands it over.

#include "projections/detail/application_cells.hpp"
#include "projections/detail/applications.hpp"
#include "projections/detail/common.hpp"
#include "projections/entity_keys.hpp"
#include "projections/entity_table.hpp"
#include "projections/read_model.hpp"

#include "reference/reference_models.hpp"
#include "support/fake_entity_table.hpp"
#include "support/random_application_events.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <set>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace ledger;

using testing::random_ledger;
using testing::raw_event;

TEST_CASE("recruits-per-campaign, funnel and retention answer what the reference fold answers on random event sequences",
          "[projections][differential][fold][cells]") {
    auto const seed = GENERATE(range(1u, 25u));
    INFO("seed " << seed);
    random_ledger ledger(seed);
    std::deque<raw_event> log;  // a deque keeps addresses: views point into it
    std::deque<projections::fold_event> views;

    // The three sharing one table, as the runner holds them.
    std::vector<std::unique_ptr<projections::read_model>> models;
    for (auto& model : projections::make_all_read_models()) {
        if (model->shared_table() != nullptr) models.push_back(std::move(model));
    }
    REQUIRE(models.size() == 3);
    reference::all_models reference;

    for (std::uint64_t position = 0; position < 600; ++position) {
        auto const& e = log.emplace_back(ledger.next(position));
        auto const& view = testing::append_view(views, e);
        reference.apply(view);
        for (auto& model : models) {
            model->apply(view);
            INFO(model->name() << " after position " << position);
            REQUIRE(model->rows() == reference.rows(model->name()));
        }
        if (position % 50 == 24) {  // whole snapshots: each model then folds a table of its own
            for (auto& model : models) {
                auto reloaded = model->fresh();
                reloaded->load(model->save());
                INFO(model->name() << " reloaded after position " << position);
                REQUIRE(reloaded->same_state(*model));
                REQUIRE(reloaded->rows() == model->rows());
                model = std::move(reloaded);
            }
        } else if (position % 50 == 49) {  // the runner's snapshots: the table saved once, shared
            auto const saved = projections::save_table(*models.front()->shared_table());
            auto const table = projections::load_table(saved);
            // The cells are saved and loaded, not recounted: loaded, they save what was saved.
            REQUIRE(projections::save_table(*table) == saved);
            for (auto& model : models) {
                auto reloaded = model->fresh();
                reloaded->load_with_table(model->save_without_table(), table);
                INFO(model->name() << " reloaded with a shared table after position " << position);
                REQUIRE(reloaded->same_state(*model));
                REQUIRE(reloaded->rows() == model->rows());
                model = std::move(reloaded);
            }
        }
    }
}

namespace {

/// recruits-per-campaign, funnel and retention sharing one application table, as the runner
/// holds them.
std::vector<std::unique_ptr<projections::read_model>> table_models() {
    std::vector<std::unique_ptr<projections::read_model>> models;
    for (auto& model : projections::make_all_read_models()) {
        if (model->shared_table() != nullptr) models.push_back(std::move(model));
    }
    return models;
}

/// What the runner writes for the three in one transaction: the table's record and each
/// model's own part, and the events they cover.
struct table_record {
    std::string table;
    std::vector<std::string> own;
    std::uint64_t next = 0;
};

}  // namespace

TEST_CASE("with its candidates in a table the application table answers what the reference fold answers and saves what it does in memory, across flushes, lost flushes, restarts and rebuilds",
          "[projections][differential][fold][cells][entity_table]") {
    auto const seed = GENERATE(range(1u, 13u));
    INFO("seed " << seed);
    random_ledger ledger(seed);
    std::mt19937_64 rng(seed * 104729);
    auto const chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
    std::deque<raw_event> log;
    std::deque<projections::fold_event> views;
    testing::fake_table store;
    auto reader = std::make_shared<testing::fake_reader>(store);
    reference::all_models reference;

    auto memory = table_models();
    auto in_table = table_models();
    REQUIRE(in_table.size() == 3);
    // A table begun before the short keys (epoch 1, "entity/applications/…"), one begun with
    // the short keys (n/ records, plain entries), one of the compact form (text keys, packed
    // entries) and one of today's ordered form, in turn; a rebuild moves any older form to the
    // ordered one.
    auto const first_epoch = seed % 4 == 1   ? 1
                             : seed % 4 == 2 ? projections::short_keys_epoch
                             : seed % 4 == 3 ? projections::compact_entities_epoch
                                             : projections::ordered_entities_epoch;
    in_table.front()->shared_table()->keep_in_table(reader, first_epoch, {});
    std::optional<table_record> record;  // the last committed one
    std::uint64_t next = 0;
    std::string history;  // what happened to in_table lately (shown when a check fails)
    auto const table = [&] { return in_table.front()->shared_table(); };
    auto const fold = [&](std::uint64_t position) {
        for (auto& model : in_table) model->apply(views[position]);
        next = position + 1;
    };
    auto const same_as_memory = [&] {
        for (std::size_t i = 0; i < memory.size(); ++i) {
            INFO(memory[i]->name());
            REQUIRE(in_table[i]->rows() == memory[i]->rows());
            REQUIRE(in_table[i]->save() == memory[i]->save());  // the whole state, the same bytes
        }
    };

    for (std::uint64_t position = 0; position < 600; ++position) {
        auto const& e = log.emplace_back(ledger.next(position));
        auto const& view = testing::append_view(views, e);
        INFO("at position " << position << "; lately: " << history);
        if (history.size() > 300) history.erase(0, history.size() - 300);
        reference.apply(view);
        table()->candidates.settle();  // as the runner does before folding
        for (auto& model : memory) model->apply(view);
        fold(position);
        for (auto& model : in_table) {
            INFO(model->name());
            REQUIRE(model->rows() == reference.rows(model->name()));
        }
        if (chance(8)) {
            // The runner's flush in a group transaction; one in five is never committed.
            testing::fake_transaction txn(store);
            table()->candidates.flush(txn);
            table_record written{projections::save_table_state(*table()), {}, next};
            for (auto& model : in_table) written.own.push_back(model->save_without_table());
            if (!chance(20)) {
                txn.commit();
                record = std::move(written);
                history += " flush@";
            } else {
                history += " lost-flush@";
            }
            history += std::to_string(next);
        }
        if (chance(2) && record) {
            // A restart from the last committed record: no candidate read, the tail folded again.
            auto restarted = std::make_shared<projections::detail::application_table>();
            restarted->keep_in_table(reader, 0, {});
            projections::load_table_state(record->table, *restarted);
            CHECK(restarted->candidates.reads() == 0);
            CHECK(restarted->candidates.cached_entries() == 0);
            auto models = table_models();
            for (std::size_t i = 0; i < models.size(); ++i) models[i]->load_with_table(record->own[i], restarted);
            in_table = std::move(models);
            history += " restart-from@" + std::to_string(record->next);
            for (auto from = record->next; from <= position; ++from) fold(from);
            same_as_memory();
        }
        if (chance(1)) {
            // A rebuild: a new epoch, everything folded again, the old one erased by flushes.
            table()->restart_in_table();
            for (auto& model : in_table) model->load_with_table(model->fresh()->save_without_table(), table());
            history += " rebuild";
            for (std::uint64_t from = 0; from <= position; ++from) fold(from);
            same_as_memory();
        }
        if (position % 50 == 49) {
            same_as_memory();
            // A copy of a table-backed state is in memory and folds on by itself.
            auto copy = projections::load_table(projections::save_table(*table()));
            REQUIRE(projections::save_table(*copy) == projections::save_table(*memory.front()->shared_table()));
            REQUIRE(*copy == *memory.front()->shared_table());
        }
    }
    // Enough flushes erase every stale epoch: only the current one is left in the table.
    for (int i = 0; i < 3; ++i) {
        testing::fake_transaction txn(store);
        table()->candidates.flush(txn);
        txn.commit();
    }
    table()->candidates.settle();
    CHECK(table()->candidates.cached_entries() == 0);
    std::string_view const model = projections::detail::application_table::entity_model;
    CHECK(projections::entity_epochs(*reader, model).size() == 1);  // either key form
    same_as_memory();
}

TEST_CASE("a damaged candidate record of the application table is refused, never folded or saved",
          "[projections][fold][cells][entity_table]") {
    random_ledger ledger(5);
    std::deque<raw_event> log;
    std::deque<projections::fold_event> views;
    testing::fake_table store;
    auto reader = std::make_shared<testing::fake_reader>(store);
    auto models = table_models();
    auto const table = models.front()->shared_table();
    auto const epoch =
        GENERATE(std::uint32_t{1}, projections::compact_entities_epoch, projections::ordered_entities_epoch);
    INFO("epoch " << epoch);
    table->keep_in_table(reader, epoch, {});
    // A candidate's record: "…/i/<id>", or in the ordered form any key longer than the epoch's
    // prefix (which is the generation record's key).
    auto const ordered_prefix =
        projections::entity_epoch_prefix(projections::detail::application_table::entity_model, epoch);
    auto const is_item = [&](std::string const& key) {
        if (!projections::ordered_entities(epoch)) return key.find("/i/") != std::string::npos;
        return key.starts_with(ordered_prefix) && key.size() > ordered_prefix.size();
    };
    for (std::uint64_t position = 0; position < 300; ++position) {
        auto const& e = log.emplace_back(ledger.next(position));
        auto const& view = testing::append_view(views, e);
        for (auto& model : models) model->apply(view);
    }
    testing::fake_transaction txn(store);
    table->candidates.flush(txn);
    txn.commit();
    auto const state = projections::save_table_state(*table);
    auto const saved = projections::save_table(*table);
    std::size_t damaged = 0;
    auto const flip = [&] {
        for (auto& [key, value] : store.committed) {
            if (!is_item(key)) continue;
            value[value.size() - 1] = static_cast<char>(value[value.size() - 1] ^ 0x21);  // the entry, not its CRC
            ++damaged;
        }
    };
    flip();
    REQUIRE(damaged > 0);
    auto restarted = std::make_shared<projections::detail::application_table>();
    restarted->keep_in_table(reader, 0, {});
    projections::load_table_state(state, *restarted);  // the record itself is fine
    REQUIRE_THROWS_AS(projections::save_table(*restarted), projections::damaged_entity);
    // A fold that reads one throws too (the runner then rebuilds the three).
    auto const started = std::find_if(log.begin(), log.end(), [](raw_event const& e) {
        return std::holds_alternative<events::employment_started>(e.data);
    });
    REQUIRE(started != log.end());
    raw_event again = *started;
    again.position = log.size();
    projections::fold_event const view{.position = again.position, .stream = again.stream,
                                       .occurred_at = again.occurred, .recorded_at = again.occurred,
                                       .data = &again.data};
    REQUIRE_THROWS_AS(restarted->fold_once(view), projections::damaged_entity);
    // Undamaged, the same record and candidates save what the table saved.
    flip();
    auto undamaged = std::make_shared<projections::detail::application_table>();
    undamaged->keep_in_table(reader, 0, {});
    projections::load_table_state(state, *undamaged);
    CHECK(projections::save_table(*undamaged) == saved);
}

TEST_CASE("a median merged from day histograms is the median of the samples they hold",
          "[projections][cells]") {
    std::mt19937_64 rng(7);
    auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); };
    for (int round = 0; round < 2000; ++round) {
        // Two histograms with samples added and some removed again, as cells are.
        std::vector<projections::detail::day_histogram> histograms(2);
        std::vector<std::int64_t> samples;
        auto const n = pick(0, 12);
        // Now and then values up to 80,000 days apart: median_of merges those by sorting.
        auto const wide = round % 5 == 0;
        for (int i = 0; i < n; ++i) {
            auto const days = static_cast<std::int64_t>(wide ? pick(-40000, 40000) : pick(-5, 40));
            histograms[static_cast<std::size_t>(pick(0, 1))].add(days, +1);
            samples.push_back(days);
        }
        if (!samples.empty() && pick(0, 1) == 0) {  // take one back out of a histogram holding it
            for (auto& histogram : histograms) {
                if (histogram.empty()) continue;
                auto const days = histogram.samples().front().first;
                histogram.add(days, -1);
                samples.erase(std::find(samples.begin(), samples.end(), days));
                break;
            }
        }
        std::vector<projections::detail::day_histogram::sample> merged;
        for (auto const& histogram : histograms) {
            merged.insert(merged.end(), histogram.samples().begin(), histogram.samples().end());
        }
        INFO("round " << round << ", " << samples.size() << " samples");
        auto const expected = projections::detail::median_days(samples);
        auto const got = projections::detail::median_of(merged);
        REQUIRE(got == expected);
        REQUIRE(got.kind() == expected.kind());  // 12 and 12.0 would write differently
        auto const counted = projections::detail::median_of(
            std::vector<projections::detail::day_histogram const*>{&histograms[0], &histograms[1]});
        REQUIRE(counted == expected);
        REQUIRE(counted.kind() == expected.kind());
    }
}
