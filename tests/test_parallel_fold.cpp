// The parallel replay (parallel_fold.hpp, issue 14): folding on lanes gives every read model
// exactly the state the sequential fold gives, on random rule-abiding ledgers with
// retractions, whatever the batch sizes; errors of the scan and of a lane are rethrown with
// everything before them folded; read models sharing a table stay on one lane.

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/parallel_fold.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/detail/applications.hpp"

#include "support/generated_appends.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

using namespace ledger;

using testing::append_generated;

namespace {

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();  // the ledgers really abide by the rules
    return o;
}

struct model_set {
    std::vector<std::unique_ptr<projections::read_model>> owned = projections::make_all_read_models();
    std::vector<projections::read_model*> pointers() const {
        std::vector<projections::read_model*> out;
        for (auto const& m : owned) out.push_back(m.get());
        return out;
    }
};

/// Every model of `a` has the state and the rows of the same model of `b`.
void require_same(model_set const& a, model_set const& b) {
    REQUIRE(a.owned.size() == b.owned.size());
    for (std::size_t i = 0; i < a.owned.size(); ++i) {
        INFO(a.owned[i]->name());
        REQUIRE(a.owned[i]->same_state(*b.owned[i]));
        REQUIRE(boost::json::serialize(a.owned[i]->rows()) == boost::json::serialize(b.owned[i]->rows()));
    }
}

/// All seven folded over [from, to] on lanes by scan_into_lanes with the given ring shape (the
/// last lane on the scanning thread when `scanner_lane`).
app::replay_outcome fold_on_lanes(store::event_store const& store, model_set& models, std::uint64_t from,
                                  std::uint64_t to, std::size_t batch_events, std::size_t batches,
                                  bool scanner_lane) {
    auto const pointers = models.pointers();
    auto const lanes = app::fold_lanes(pointers);
    app::fold_decoder decoder(pointers);
    return app::scan_into_lanes(store, decoder,
                                {.from_position = from,
                                 .lanes = lanes.size(),
                                 .take = [&](recorded_event const& e) { return e.position <= to; },
                                 .mark = {},
                                 .fold = [&](std::size_t lane, std::span<app::folded_event const> events) {
                                     for (auto const& e : events) {
                                         for (auto* m : lanes[lane]) m->apply(e.view());
                                     }
                                 },
                                 .batch_events = batch_events,
                                 .batches = batches,
                                 .last_lane_on_scanner = scanner_lane});
}

}  // namespace

TEST_CASE("a parallel replay leaves every read model as the sequential replay does, on random ledgers",
          "[projections][replay][parallel]") {
    auto const seed = GENERATE(5u, 6u, 77u);
    bool const retract_applications = seed % 2 == 1;
    INFO("seed " << seed << (retract_applications ? " with retracted applications" : ""));
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = retract_applications});
    store::event_store store(options_in(dir));
    append_generated(store, generator, 2500);
    auto const events = store.head().events;

    // The whole log, then in random stretches (as the runner's catch-up and as-of folds go).
    model_set sequential;
    model_set parallel;
    auto const whole_seq = app::replay_log(store, sequential.pointers(), {}, app::replay_threads::sequential);
    auto const whole_par = app::replay_log(store, parallel.pointers(), {}, app::replay_threads::parallel);
    CHECK(whole_par.events == whole_seq.events);
    CHECK(whole_par.last_position == whole_seq.last_position);
    require_same(sequential, parallel);

    model_set stepped_seq;
    model_set stepped_par;
    model_set stepped_log;  // replay_log in parallel: a lane thread, the other lane on the scanning thread
    std::mt19937_64 rng(seed);
    for (std::uint64_t from = 0; from < events;) {
        auto const to = std::min(events - 1, from + std::uniform_int_distribution<std::uint64_t>(0, 700)(rng));
        auto const batch_events = std::uniform_int_distribution<std::size_t>(1, 64)(rng);
        auto const batches = std::uniform_int_distribution<std::size_t>(2, 5)(rng);
        bool const scanner_lane = rng() % 2 == 0;
        INFO("positions " << from << ".." << to << " in batches of " << batch_events << ", " << batches
                          << " in flight" << (scanner_lane ? ", the last lane on the scanning thread" : ""));
        app::replay_log(store, stepped_seq.pointers(), {.from_position = from, .to_position = to},
                        app::replay_threads::sequential);
        auto const folded = fold_on_lanes(store, stepped_par, from, to, batch_events, batches, scanner_lane);
        REQUIRE(folded.events == to - from + 1);
        REQUIRE(folded.last_position == to);
        require_same(stepped_seq, stepped_par);
        auto const replayed = app::replay_log(store, stepped_log.pointers(), {.from_position = from, .to_position = to},
                                              app::replay_threads::parallel);
        REQUIRE(replayed.events == to - from + 1);
        REQUIRE(replayed.last_position == to);
        require_same(stepped_seq, stepped_log);
        from = to + 1;
    }
    require_same(stepped_par, sequential);
    require_same(stepped_log, sequential);
    // Past the head, and a stretch ending past it: what is there.
    CHECK(app::replay_log(store, stepped_log.pointers(), {.from_position = events}, app::replay_threads::parallel).events == 0);
    model_set tail_seq;
    model_set tail_par;
    auto const tail_a = app::replay_log(store, tail_seq.pointers(), {.from_position = events - 5, .to_position = events + 9},
                                        app::replay_threads::sequential);
    auto const tail_b = app::replay_log(store, tail_par.pointers(), {.from_position = events - 5, .to_position = events + 9},
                                        app::replay_threads::parallel);
    CHECK(tail_b.events == tail_a.events);
    CHECK(tail_b.last_position == tail_a.last_position);
    require_same(tail_seq, tail_par);

    // Up to a recorded time: the same prefix both ways.
    auto const middle = store.read_event(events / 2).value();
    model_set until_seq;
    model_set until_par;
    auto const a = app::replay_log(store, until_seq.pointers(), {.recorded_until = middle.recorded_at},
                                   app::replay_threads::sequential);
    auto const b = app::replay_log(store, until_par.pointers(), {.recorded_until = middle.recorded_at},
                                   app::replay_threads::parallel);
    CHECK(a.last_position == b.last_position);
    CHECK(b.last_position >= middle.position);
    require_same(until_seq, until_par);
}

TEST_CASE("fold lanes keep the read models sharing the application table together on one lane",
          "[projections][replay][parallel]") {
    model_set all;
    auto const pointers = all.pointers();
    auto const lanes = app::fold_lanes(pointers);
    REQUIRE(lanes.size() == 2);
    // The table's three and origin, which evens the lanes' work, on lane 0.
    for (auto* m : lanes[0]) CHECK((m->shared_table() != nullptr || m->name() == "origin"));
    for (auto* m : lanes[1]) CHECK(m->shared_table() == nullptr);
    CHECK(lanes[0].size() + lanes[1].size() == pointers.size());
    CHECK(lanes[0].size() == 4);

    CHECK(app::fold_lanes(pointers, 1).size() == 1);
    auto const lone = projections::make_read_model("vacancies");
    projections::read_model* const one[] = {lone.get()};
    CHECK(app::fold_lanes(one).size() == 1);
    CHECK(app::fold_lanes({}).empty());
    // Without a table, independent models are spread over the lanes.
    std::vector<projections::read_model*> untabled;
    for (auto* m : pointers) {
        if (m->shared_table() == nullptr) untabled.push_back(m);
    }
    auto const spread = app::fold_lanes(untabled);
    REQUIRE(spread.size() == 2);
    CHECK(spread[0].size() == 2);
    CHECK(spread[1].size() == 2);

    // A table kept in the store (the runner's live one) folds on the heap: origin stays off its lane.
    model_set live;
    auto const live_pointers = live.pointers();
    for (auto* m : live_pointers) {
        if (m->shared_table() != nullptr && !m->shared_table()->in_table()) m->shared_table()->keep_in_table(nullptr, 1, {});
    }
    auto const live_lanes = app::fold_lanes(live_pointers);
    REQUIRE(live_lanes.size() == 2);
    CHECK(live_lanes[0].size() == 3);
    for (auto* m : live_lanes[0]) CHECK(m->shared_table() != nullptr);
}

TEST_CASE("a failing scan is rethrown after the lanes fold every event before it, and a failing lane stops the scan",
          "[projections][replay][parallel]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(9);
    store::event_store store(options_in(dir));
    append_generated(store, generator, 600);

    // Lane 1 on a thread of its own, then on the scanning thread (lane_scan::last_lane_on_scanner).
    bool const scanner_lane = GENERATE(false, true);
    INFO((scanner_lane ? "the last lane on the scanning thread" : "every lane on its own thread"));
    std::vector<std::uint64_t> folded_by_lane[2];
    auto run = [&](std::uint64_t scan_fails_at, std::optional<std::uint64_t> lane_fails_at, std::size_t failing_lane) {
        folded_by_lane[0].clear();
        folded_by_lane[1].clear();
        model_set models;
        auto const pointers = models.pointers();
        app::fold_decoder decoder(pointers);
        app::scan_into_lanes(store, decoder,
                             {.from_position = 0,
                              .lanes = 2,
                              .take = [&](recorded_event const& e) {
                                  if (e.position == scan_fails_at) throw std::runtime_error("scan failed");
                                  return true;
                              },
                              .mark = {},
                              .fold = [&](std::size_t lane, std::span<app::folded_event const> events) {
                                  for (auto const& e : events) {
                                      if (lane == failing_lane && lane_fails_at && e.position == *lane_fails_at) {
                                          throw std::runtime_error("lane failed");
                                      }
                                      folded_by_lane[lane].push_back(e.position);
                                  }
                              },
                              .batch_events = 16,
                              .batches = 3,
                              .last_lane_on_scanner = scanner_lane});
    };

    REQUIRE_THROWS_WITH(run(333, std::nullopt, 1), "scan failed");
    for (auto const& folded : folded_by_lane) {
        REQUIRE(folded.size() == 333);
        for (std::uint64_t p = 0; p < 333; ++p) REQUIRE(folded[p] == p);
    }

    // Either lane failing stops the scan and the other lane, with its own error.
    for (std::size_t const failing : {std::size_t{1}, std::size_t{0}}) {
        INFO("lane " << failing << " fails");
        REQUIRE_THROWS_WITH(run(UINT64_MAX, 100, failing), "lane failed");
        CHECK(folded_by_lane[failing].size() == 100);
        CHECK(folded_by_lane[1 - failing].size() < 600);  // the scan stopped: at most the ring's worth past it
    }
}

namespace {

/// A read model that folds as `inner` does until the event at `fails_at`, where it throws.
class failing_model final : public projections::read_model {
public:
    failing_model(std::unique_ptr<projections::read_model> inner, std::uint64_t fails_at)
        : inner_(std::move(inner)), fails_at_(fails_at) {}
    std::string_view name() const noexcept override { return inner_->name(); }
    std::string_view description() const noexcept override { return inner_->description(); }
    std::uint32_t code_version() const noexcept override { return inner_->code_version(); }
    std::vector<std::string> columns() const override { return inner_->columns(); }
    bool reads(std::string_view type) const noexcept override { return inner_->reads(type); }
    void apply(projections::fold_event const& event) override {
        if (event.position == fails_at_) throw std::runtime_error("fold failed");
        inner_->apply(event);
        ++folded;
    }
    boost::json::array rows() const override { return inner_->rows(); }
    std::string save() const override { return inner_->save(); }
    void load(std::string_view bytes) override { inner_->load(bytes); }
    std::unique_ptr<read_model> fresh() const override { return inner_->fresh(); }
    bool same_state(read_model const& other) const override { return inner_->same_state(other); }

    std::uint64_t folded = 0;

private:
    std::unique_ptr<projections::read_model> inner_;
    std::uint64_t fails_at_;
};

}  // namespace

TEST_CASE("a read model failing in a parallel replay stops it with its error after every event before it",
          "[projections][replay][parallel]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(11);
    store::event_store store(options_in(dir));
    append_generated(store, generator, 5000);  // more than two batches of 2,048
    // Beside the table's models (their lane on a thread, this one on the scanning thread), then
    // alone (one lane, on a thread).
    for (bool const beside : {true, false}) {
        INFO((beside ? "beside the table's lane" : "alone"));
        model_set models;
        failing_model failing(projections::make_read_model("vacancies"), 4321);
        std::vector<projections::read_model*> pointers;
        if (beside) pointers = models.pointers();
        pointers.push_back(&failing);
        REQUIRE_THROWS_WITH(app::replay_log(store, pointers, {}, app::replay_threads::parallel), "fold failed");
        CHECK(failing.folded == 4321);
    }
}
