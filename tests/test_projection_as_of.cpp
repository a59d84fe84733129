// As-of checkpoints (issue 14): an as-of answer folded from the nearest checkpoint is byte for
// byte the answer folded from position 0 (app::replay_log, the way as-of queries were answered
// before), for every read model, at positions on, just before and just after interval and
// month checkpoints and at random ones, and as of recorded times; across a restart; and a
// damaged or stale checkpoint is never used but taken again.

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_as_of.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/http/command_line.hpp"
#include "ledger/store/event_store.hpp"

#include "support/kill_harness.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include "ledger/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <thread>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace ledger;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t every = 97;  // a checkpoint every 97 events in these tests

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

/// Checkpoint records in chunks of ~512 bytes from 256 bytes on (the server's are ~32 KiB
/// from 64 KiB on), so these small ledgers' records are chunked and share chunks; 0: whole
/// records, as before chunks. Every record a load reads goes into huge pages (the server's
/// from 1 MiB on) unless `huge_pages` is false (then into strings, as these small ones would).
/// Chunks compressed at `compression_level` (0: plain, the form before), the application
/// table's too unless `compress_table` is false (plain chunks, read in place: ledgers from before).
app::projection_runner_options runner_options(unsigned chunk_bits = 9, bool huge_pages = true,
                                              int compression_level = 1, bool compress_table = true) {
    app::projection_runner_options o;
    o.snapshot_every = 61;
    o.checkpoints.every = every;
    o.checkpoints.chunk_bits = chunk_bits;
    o.checkpoints.chunk_threshold = 256;
    o.checkpoints.compression_level = compression_level;
    o.checkpoints.compress_table = compress_table;
    if (huge_pages) o.checkpoints.huge_page_record_bytes = 0;
    return o;
}

/// Appends `count` generated events recorded when they occurred (the generator's clock moves
/// 0–4 hours an event), so recorded time crosses month boundaries every few hundred events.
void append_generated(store::event_store& store, testing::recruitment_generator& generator, int count) {
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < count; ++i) {
        auto const event = generator.next();
        auto request = event.request();
        request.recorded_at = event.occurred_at;
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(std::move(request), [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
}

/// The answer's JSON text, as GET /v1/projections/{name} writes it.
std::string text_of(app::projection_table const& table) { return to_json_text(app::to_json(table)); }

/// The answer folded from position 0 with app::replay_log (as-of queries before checkpoints).
std::string from_scratch(store::event_store const& store, std::string_view name, app::replay_bounds bounds) {
    auto const model = projections::make_read_model(name);
    projections::read_model* const models[] = {model.get()};
    auto const outcome = app::replay_log(store, models, bounds);
    return text_of(app::projection_table{std::string(name), outcome.last_position, model->columns(), model->rows()});
}

/// Every model named in `spoiled` answers as of positions around its spoiled checkpoint exactly
/// as a fold from position 0 does.
void require_answers_around(app::projection_runner& runner, store::event_store const& store,
                            std::vector<std::pair<std::string, std::uint64_t>> const& spoiled) {
    for (auto const& [name, at] : spoiled) {
        INFO(name);
        for (auto const position : {at - 1, at, at + 1, at + 40}) {
            auto const answer = runner.query({.name = name, .as_of_position = position});
            REQUIRE(answer.has_value());
            CHECK(text_of(*answer) == from_scratch(store, name, {.to_position = position}));
        }
    }
}

/// Positions of the log's month starts (the first event recorded in a new month).
std::vector<std::uint64_t> month_starts(store::event_store const& store) {
    std::vector<std::uint64_t> starts;
    std::optional<timestamp> previous;
    store.scan(0, [&](recorded_event const& e) {
        if (previous && !app::detail::same_month(*previous, e.recorded_at)) starts.push_back(e.position);
        previous = e.recorded_at;
        return true;
    });
    return starts;
}

/// as_of_position values on, just before and just after every checkpoint, and some at random.
std::vector<std::uint64_t> positions_to_ask(store::event_store const& store, std::uint64_t seed) {
    auto const events = store.head().events;
    std::set<std::uint64_t> asked{0, events - 1, events + 5};
    auto near = [&](std::uint64_t p) {
        for (auto const q : {p - 2, p - 1, p, p + 1}) {
            if (q < events) asked.insert(q);
        }
    };
    for (std::uint64_t p = every; p < events; p += every) near(p);
    for (auto const p : month_starts(store)) near(p);
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 20; ++i) asked.insert(std::uniform_int_distribution<std::uint64_t>(0, events - 1)(rng));
    return {asked.begin(), asked.end()};
}

/// Every read model as of every position of positions_to_ask and of recorded times around
/// events and month starts answers what folding from 0 answers, byte for byte.
void require_as_of_matches(app::projection_runner const& runner, store::event_store const& store,
                           std::uint64_t seed) {
    auto const positions = positions_to_ask(store, seed);
    std::vector<timestamp> times;
    for (auto const p : positions) {
        auto const e = store.read_event(std::min(p, store.head().events - 1)).value();
        times.push_back(e.recorded_at);
        times.push_back(e.recorded_at - 1us);
    }
    times.push_back(store.read_event(0)->recorded_at - 24h);  // before the first event: nothing
    for (auto const name : projections::read_model_names()) {
        for (auto const position : positions) {
            INFO(name << " as of position " << position);
            app::projection_query const q{.name = std::string(name), .as_of_position = position};
            auto const expected = from_scratch(store, name, {.to_position = position});
            auto const answer = runner.query(q);
            REQUIRE(answer.has_value());
            REQUIRE(text_of(*answer) == expected);
            REQUIRE(runner.query_json(q).value() == expected);
        }
        for (auto const t : times) {
            INFO(name << " as of " << format_timestamp(t));
            app::projection_query const q{.name = std::string(name), .as_of = t};
            auto const expected = from_scratch(store, name, {.recorded_until = t});
            auto const answer = runner.query(q);
            REQUIRE(answer.has_value());
            REQUIRE(text_of(*answer) == expected);
            REQUIRE(runner.query_json(q).value() == expected);
        }
    }
}

/// Appends events one at a time until no captured checkpoint waits for a commit (an appended
/// event may itself be at a boundary).
void flush_checkpoints(store::event_store& store, app::projection_runner const& runner,
                       testing::recruitment_generator& generator) {
    REQUIRE(runner.wait_until_caught_up(20s));
    for (int i = 0; i < 10 && runner.stats().checkpoints.waiting > 0; ++i) {
        append_generated(store, generator, 1);
        REQUIRE(runner.wait_until_caught_up(20s));
    }
    REQUIRE(runner.stats().checkpoints.waiting == 0);
}

}  // namespace

TEST_CASE("as of any position or recorded time the checkpoints answer what folding from position 0 answers",
          "[projections][as_of][checkpoints]") {
    auto const seed = GENERATE(11u, 12u, 13u);
    auto const chunk_bits = seed == 12 ? 0u : 9u;  // 12: whole records (the form before chunks)
    bool const huge_pages = seed != 13;               // 13: records read into strings
    bool const compress_table = seed != 13;           // 13: the table's chunks plain (a ledger from before)
    INFO("seed " << seed << " chunk bits " << chunk_bits << " huge pages " << huge_pages);
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, runner_options(chunk_bits, huge_pages, 1, compress_table));
        append_generated(store, generator, 700);
        append_generated(store, generator, 600);
        flush_checkpoints(store, runner, generator);
        REQUIRE(month_starts(store).size() >= 2);  // the ledger spans months
        // Every interval checkpoint of every model is stored (but the last event's, which may
        // still wait for the next group) and covers its position.
        for (std::uint64_t p = every; p + 1 < store.head().events; p += every) {
            for (auto const name : projections::read_model_names()) {
                INFO(name << " checkpoint at " << p);
                auto const record = app::detail::read_checkpoint_record(store, app::detail::checkpoint_key(name, p));
                REQUIRE(record.has_value());
                auto const checkpoint = app::detail::decode_checkpoint(*record);
                REQUIRE(checkpoint.has_value());
                CHECK(checkpoint->next_position == p);
            }
        }
        CHECK(runner.stats().checkpoints.written > runner.stats().checkpoints.captured);  // + month records
        require_as_of_matches(runner, store, seed);
        CHECK(runner.stats().checkpoints.used > 0);
        CHECK(runner.stats().checkpoints.unusable == 0);
    }
    INFO("after a restart, from the checkpoints stored");
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, runner_options(chunk_bits, huge_pages, 1, compress_table));
    REQUIRE(runner.wait_until_caught_up(20s));
    auto const captured_before = runner.stats().checkpoints.captured;
    require_as_of_matches(runner, store, seed + 100);
    CHECK(runner.stats().checkpoints.used > 0);
    CHECK(runner.stats().checkpoints.captured == captured_before);  // every one stored and usable
}

TEST_CASE("a damaged or stale or misplaced checkpoint is never used and is taken again by the next fold that crosses it",
          "[projections][as_of][checkpoints]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(21, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, runner_options());
        append_generated(store, generator, 500);
        flush_checkpoints(store, runner, generator);
    }
    auto const damaged = app::detail::checkpoint_key("funnel", 2 * every);
    auto const stale = app::detail::checkpoint_key("origin", 3 * every);
    auto const misplaced = app::detail::checkpoint_key("vacancies", 4 * every);
    {
        store::event_store store(options_in(dir));
        auto record = store.read_projection_record(damaged).value();
        record[record.size() - 3] = static_cast<char>(record[record.size() - 3] ^ 0x5a);
        // (A flipped byte of a manifest; the two others put back as whole records.)
        auto const origin = app::detail::decode_checkpoint(app::detail::read_checkpoint_record(store, stale).value()).value();
        auto const vacancies =
            app::detail::decode_checkpoint(app::detail::read_checkpoint_record(store, misplaced).value()).value();
        store.set_before_commit_hook([&](store::projection_records& records) {
            records.put(damaged, record);
            records.put(stale, app::detail::encode_checkpoint({origin.code_version + 1, origin.next_position, origin.state}));
            // The state of 3 * every events under the key of 4 * every.
            records.put(misplaced, app::detail::encode_checkpoint({vacancies.code_version, 3 * every, vacancies.state}));
        });
        append_generated(store, generator, 1);
        store.set_before_commit_hook({});
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    std::vector<std::pair<std::string, std::uint64_t>> const spoiled{
        {"funnel", 2 * every}, {"origin", 3 * every}, {"vacancies", 4 * every}};
    require_answers_around(runner, store, spoiled);
    CHECK(runner.stats().checkpoints.unusable >= 3);
    CHECK(runner.stats().checkpoints.captured >= 3);  // taken again on the way past them
    append_generated(store, generator, 1);            // written with this group
    REQUIRE(runner.wait_until_caught_up(20s));
    for (auto const& [name, at] : spoiled) {
        INFO(name);
        auto const key = app::detail::checkpoint_key(name, at);
        auto const rebuilt = app::detail::decode_checkpoint(app::detail::read_checkpoint_record(store, key).value());
        REQUIRE(rebuilt.has_value());
        CHECK(rebuilt->code_version == projections::make_read_model(name)->code_version());
        CHECK(rebuilt->next_position == at);
    }
}

TEST_CASE("checkpoint boundaries are the interval's multiples and the first event recorded in a new month",
          "[projections][as_of][checkpoints]") {
    using app::detail::month_key;
    auto const t = [](char const* text) { return parse_timestamp(text).value(); };
    CHECK(month_key(t("2024-12-31T23:59:59.999999Z")) == "checkpoint-month/2024-12");
    CHECK(month_key(t("2025-01-01T00:00:00Z")) == "checkpoint-month/2025-01");
    CHECK(app::detail::previous_month_start(t("2025-01-17T10:00:00Z")) == t("2024-12-01T00:00:00Z"));
    CHECK(app::detail::checkpoint_key("funnel", 1'000'000) == "checkpoint/funnel/00000000000001000000");
    CHECK(app::detail::decode_month(app::detail::encode_month(42)) == 42u);
    CHECK_FALSE(app::detail::decode_checkpoint("not a record").has_value());
}

TEST_CASE("recruit-ledgerd --checkpoint-every sets the interval of as-of checkpoints", "[projections][as_of][http][cli]") {
    using ledger::http::parse_command_line;
    CHECK(std::get<ledger::http::command_line>(parse_command_line({})).options.checkpoint_every == 500'000);
    auto const parsed = parse_command_line({"--checkpoint-every", "250000"});
    REQUIRE(std::holds_alternative<ledger::http::command_line>(parsed));
    CHECK(std::get<ledger::http::command_line>(parsed).options.checkpoint_every == 250'000);
    CHECK(std::holds_alternative<ledger::http::usage_error>(parse_command_line({"--checkpoint-every", "0"})));
    CHECK(std::holds_alternative<ledger::http::usage_error>(parse_command_line({"--checkpoint-every", "x"})));
}

TEST_CASE("recruit-ledgerd --checkpoint-compression-level and --checkpoint-compress-table set how chunks are stored",
          "[projections][as_of][http][cli][compressed]") {
    using ledger::http::parse_command_line;
    auto const defaults = std::get<ledger::http::command_line>(parse_command_line({})).options;
    CHECK(defaults.checkpoint_compression_level == 1);
    CHECK(defaults.checkpoint_compress_table);  // issue 18, branch served-z
    CHECK(app::checkpoint_options{}.compress_table == defaults.checkpoint_compress_table);
    auto const parsed = parse_command_line({"--checkpoint-compression-level", "0", "--checkpoint-compress-table", "0"});
    REQUIRE(std::holds_alternative<ledger::http::command_line>(parsed));
    CHECK(std::get<ledger::http::command_line>(parsed).options.checkpoint_compression_level == 0);
    CHECK_FALSE(std::get<ledger::http::command_line>(parsed).options.checkpoint_compress_table);
    for (auto const& bad : {std::pair{"--checkpoint-compression-level", "20"}, std::pair{"--checkpoint-compression-level", "-1"},
                            std::pair{"--checkpoint-compress-table", "yes"}}) {
        INFO(bad.first << " " << bad.second);
        CHECK(std::holds_alternative<ledger::http::usage_error>(parse_command_line({bad.first, bad.second})));
    }
}

namespace {

/// In a forked child: the store and runner on `dir` (checkpoints every 97 events), appending
/// the generator's events after those already in the log until killed. Reports a byte to
/// `progress` after each committed batch; exits 2 if an append is refused (a bug).
[[noreturn]] void append_until_killed(testing::temp_dir const& dir, std::uint64_t seed, int progress) {
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, runner_options());
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    for (std::uint64_t i = 0; i < store.head().events; ++i) (void)generator.next();  // the log is a prefix
    for (;;) {
        std::vector<std::future<store::append_result>> results;
        for (int i = 0; i < 30; ++i) {
            auto const event = generator.next();
            auto request = event.request();
            request.recorded_at = event.occurred_at;
            auto done = std::make_shared<std::promise<store::append_result>>();
            results.push_back(done->get_future());
            store.append_async(std::move(request), [done](store::append_result r) { done->set_value(std::move(r)); });
        }
        for (auto& r : results) {
            if (!r.get()) _exit(2);
        }
        testing::report(progress, char{1});
    }
}

}  // namespace

TEST_CASE("after kill -9 rounds as-of answers from the checkpoints still equal folding from position 0",
          "[projections][as_of][checkpoints][crash]") {
    testing::temp_dir dir;
    std::uint64_t const seed = 41;
    std::mt19937 rng(seed);
    for (int round = 0; round < 3; ++round) {
        // Killed once the child has committed 3 batches, then at a random moment within 300 ms.
        auto const child = testing::run_and_kill([&](int progress) { append_until_killed(dir, seed, progress); },
                                                 {.after_bytes = 3, .max_delay = std::chrono::milliseconds(300)}, rng);
        INFO("round " << round);
        REQUIRE_FALSE(child.waited_out);
        REQUIRE(child.reports.size() >= 3);
        REQUIRE(WIFSIGNALED(child.status));
    }
    store::event_store store(options_in(dir));
    REQUIRE(store.head().events > 2 * every);  // at least 3 rounds × 3 batches of 30
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    require_as_of_matches(runner, store, seed);
    CHECK(runner.stats().checkpoints.used > 0);
    CHECK(runner.stats().checkpoints.unusable == 0);  // written with a commit or not at all
}

TEST_CASE("a ledger written without checkpoints gets them in the background once an as-of query asks",
          "[projections][as_of][checkpoints][fill]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(51, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        auto options = runner_options();
        options.checkpoints = {.every = 0, .month_starts = false};  // as before checkpoints
        app::projection_runner runner(store, options);
        append_generated(store, generator, 600);
        REQUIRE(runner.wait_until_caught_up(20s));
        append_generated(store, generator, 1);
        REQUIRE(runner.wait_until_caught_up(20s));
        // Saved at the head, as a server's drain does: the groups' hooks save a model only once
        // snapshot_every events are unsaved, so without it the restart would fold a tail whose
        // length depends on the timing of the folds, and could cross a checkpoint boundary.
        REQUIRE(runner.save_records(20s));
        REQUIRE_FALSE(store.read_projection_record(app::detail::checkpoint_key("funnel", every)).has_value());
    }
    store::event_store store(options_in(dir));
    auto const events = store.head().events;
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    auto const all_stored = [&] {
        for (std::uint64_t p = every; p < events; p += every) {
            for (auto const name : projections::read_model_names()) {
                auto const record = app::detail::read_checkpoint_record(store, app::detail::checkpoint_key(name, p));
                if (!record || !app::detail::decode_checkpoint(*record)) return false;
            }
        }
        return true;
    };
    REQUIRE(runner.stats().snapshots_used == 7);  // resumed near the head, no boundary crossed
    CHECK(runner.stats().checkpoints.captured == 0);  // nothing is taken until asked
    // The first as-of query starts the fill (and answers as it would anyway).
    auto const first = runner.query({.name = "funnel", .as_of_position = 5});
    REQUIRE(first.has_value());
    CHECK(text_of(*first) == from_scratch(store, "funnel", {.to_position = 5}));
    // The fill commits each capture itself: no append is needed for every checkpoint to be
    // stored (polled with a bound).
    auto const deadline = std::chrono::steady_clock::now() + 60s;
    while (!all_stored() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);  // polling a condition with a bound, not a sleep as a wait
    }
    REQUIRE(all_stored());
    CHECK(store.head().events == events);  // nothing was appended meanwhile
    CHECK(runner.stats().checkpoints.captured >= 7 * ((events - 1) / every));
    require_as_of_matches(runner, store, 51);
}

namespace {

/// Bytes the `projections` table holds for checkpoints (whole records, manifests and chunks)
/// and the bytes of the whole records they stand for.
struct checkpoint_bytes {
    std::uint64_t stored = 0;
    std::uint64_t whole = 0;
    std::uint64_t chunks = 0;
};

checkpoint_bytes measure_checkpoints(store::event_store const& store) {
    checkpoint_bytes total;
    std::vector<std::string> keys;
    auto const reader = store.read_projections();
    reader->scan("checkpoint", "checkpoint", [&](std::string_view key, std::string_view value) {
        total.stored += value.size();
        if (app::detail::is_chunk_key(key)) ++total.chunks;
        else if (key.starts_with("checkpoint/") || key.starts_with("checkpoint-table/")) keys.emplace_back(key);
        return true;
    });
    for (auto const& key : keys) total.whole += app::detail::read_checkpoint_record(store, key).value().size();
    return total;
}

}  // namespace

TEST_CASE("a damaged or missing chunk is never served: checkpoints listing it fold from earlier ones and it is put again",
          "[projections][as_of][checkpoints]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(23, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, runner_options());
        append_generated(store, generator, 500);
        flush_checkpoints(store, runner, generator);
    }
    auto const damaged_at = app::detail::checkpoint_key("origin", 3 * every);
    auto const missing_at = app::detail::checkpoint_table_key(2 * every);
    std::string damaged_chunk;
    std::string damaged_bytes;
    std::string missing_chunk;
    {
        store::event_store store(options_in(dir));
        auto const pick = [&](std::string const& key) {
            auto const manifest = store.read_projection_record(key).value();
            REQUIRE(app::detail::is_manifest(manifest));
            auto const entries = app::detail::decode_manifest(manifest).value();
            REQUIRE(entries.size() >= 2);
            return entries[entries.size() / 2].key;
        };
        damaged_chunk = pick(damaged_at);
        missing_chunk = pick(missing_at);
        REQUIRE(damaged_chunk != missing_chunk);
        damaged_bytes = store.read_projection_record(damaged_chunk).value();
        auto spoiled = damaged_bytes;
        spoiled[spoiled.size() / 2] = static_cast<char>(spoiled[spoiled.size() / 2] ^ 0x5a);
        std::size_t erased = 0;
        store.set_before_commit_hook([&](store::projection_records& records) {
            records.put(damaged_chunk, spoiled);
            erased = records.erase_prefix(missing_chunk, 1);
        });
        REQUIRE_FALSE(store.write_projection_records().has_value());
        CHECK(erased == 1);
        store.set_before_commit_hook({});
        REQUIRE_FALSE(store.read_projection_record(missing_chunk).has_value());
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    std::vector<std::pair<std::string, std::uint64_t>> const spoiled{
        {"origin", 3 * every}, {"funnel", 2 * every}, {"retention", 2 * every}};
    require_answers_around(runner, store, spoiled);
    CHECK(runner.stats().checkpoints.unusable >= 2);
    append_generated(store, generator, 1);  // written with this group
    REQUIRE(runner.wait_until_caught_up(20s));
    REQUIRE(runner.stats().checkpoints.waiting == 0);
    CHECK(store.read_projection_record(damaged_chunk) == damaged_bytes);
    CHECK(store.read_projection_record(missing_chunk).has_value());
    for (auto const& key : {damaged_at, missing_at}) {
        INFO(key);
        auto const rebuilt = app::detail::decode_checkpoint(app::detail::read_checkpoint_record(store, key).value());
        REQUIRE(rebuilt.has_value());
    }
    require_as_of_matches(runner, store, 23);
}

TEST_CASE("whole checkpoint records of a ledger from before chunks answer as they are and later ones are taken in chunks",
          "[projections][as_of][checkpoints]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(31, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, runner_options(0));
        append_generated(store, generator, 400);
        flush_checkpoints(store, runner, generator);
        CHECK(measure_checkpoints(store).chunks == 0);
    }
    store::event_store store(options_in(dir));
    auto const old_events = store.head().events;
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    auto const captured_before = runner.stats().checkpoints.captured;
    require_as_of_matches(runner, store, 31);
    CHECK(runner.stats().checkpoints.captured == captured_before);  // every whole record usable
    CHECK(runner.stats().checkpoints.unusable == 0);
    append_generated(store, generator, 600);
    flush_checkpoints(store, runner, generator);
    for (std::uint64_t p = (old_events / every + 1) * every; p + 1 < store.head().events; p += every) {
        INFO("checkpoint at " << p);
        auto const table = store.read_projection_record(app::detail::checkpoint_table_key(p)).value();
        CHECK(app::detail::is_manifest(table));
    }
    require_as_of_matches(runner, store, 32);
    CHECK(runner.stats().checkpoints.unusable == 0);
}

TEST_CASE("checkpoints in chunks store what changed: fewer bytes than the sum of their whole records",
          "[projections][as_of][checkpoints]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(33, {.retract_applications = true});
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, runner_options());
    append_generated(store, generator, 1500);
    flush_checkpoints(store, runner, generator);
    auto const bytes = measure_checkpoints(store);
    INFO("stored " << bytes.stored << " bytes for whole records of " << bytes.whole << " in " << bytes.chunks
                   << " chunks");
    CHECK(bytes.chunks > 0);
    // Fewer bytes than the whole records (0.86x here: tiny states and ~512-byte chunks, where
    // a change of 97 events touches a large share of them; the demo ledger's 200,000-event
    // checkpoints in ~32 KiB chunks take 0.25x after nine, bench-checkpoint_growth).
    CHECK(bytes.stored < bytes.whole);
}

namespace {

/// The chunk in the middle of the manifest stored under `key`, and the manifest's form.
std::pair<std::string, bool> middle_chunk(store::event_store const& store, std::string const& key) {
    auto const manifest = store.read_projection_record(key).value();
    REQUIRE(app::detail::is_manifest(manifest));
    auto const entries = app::detail::decode_manifest(manifest).value();
    REQUIRE(entries.size() >= 2);
    return {entries[entries.size() / 2].key, app::detail::is_compressed_manifest(manifest)};
}

}  // namespace

TEST_CASE("checkpoints in plain chunks (a ledger from before compression) answer as they are and later ones are compressed",
          "[projections][as_of][checkpoints][compressed]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(35, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, runner_options(9, true, 0));
        append_generated(store, generator, 400);
        flush_checkpoints(store, runner, generator);
        CHECK(measure_checkpoints(store).chunks > 0);
        CHECK_FALSE(middle_chunk(store, app::detail::checkpoint_table_key(2 * every)).second);
    }
    store::event_store store(options_in(dir));
    auto const old_events = store.head().events;
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    auto const captured_before = runner.stats().checkpoints.captured;
    require_as_of_matches(runner, store, 35);
    CHECK(runner.stats().checkpoints.captured == captured_before);  // every plain one usable
    CHECK(runner.stats().checkpoints.unusable == 0);
    append_generated(store, generator, 600);
    flush_checkpoints(store, runner, generator);
    for (std::uint64_t p = (old_events / every + 1) * every; p + 1 < store.head().events; p += every) {
        INFO("checkpoint at " << p);
        for (auto const& key : {app::detail::checkpoint_table_key(p), app::detail::checkpoint_key("origin", p)}) {
            auto const [chunk, compressed] = middle_chunk(store, key);
            CHECK(compressed);
            CHECK(chunk.starts_with(app::detail::compressed_chunk_prefix));
        }
    }
    require_as_of_matches(runner, store, 36);
    CHECK(runner.stats().checkpoints.unusable == 0);
}

TEST_CASE("a compressed chunk that is not its frame (plain bytes under its key, a damaged frame) is never served and is put again",
          "[projections][as_of][checkpoints][compressed]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(37, {.retract_applications = true});
    {
        store::event_store store(options_in(dir));
        app::projection_runner runner(store, runner_options());
        append_generated(store, generator, 500);
        flush_checkpoints(store, runner, generator);
    }
    auto const plain_at = app::detail::checkpoint_key("origin", 3 * every);
    auto const damaged_at = app::detail::checkpoint_table_key(2 * every);
    std::string plain_chunk, plain_original, damaged_chunk, damaged_original;
    {
        store::event_store store(options_in(dir));
        bool compressed = false;
        std::tie(plain_chunk, compressed) = middle_chunk(store, plain_at);
        REQUIRE(compressed);
        std::tie(damaged_chunk, compressed) = middle_chunk(store, damaged_at);
        REQUIRE(compressed);
        REQUIRE(plain_chunk != damaged_chunk);
        plain_original = store.read_projection_record(plain_chunk).value();
        damaged_original = store.read_projection_record(damaged_chunk).value();
        // The chunk's plain bytes (the form before compression) under its compressed key.
        auto const manifest = store.read_projection_record(plain_at).value();
        auto const entries = app::detail::decode_manifest(manifest).value();
        auto const listed = std::ranges::find(entries, plain_chunk, &app::detail::manifest_entry::key);
        REQUIRE(listed != entries.end());
        std::string plain(listed->size, '\0');
        REQUIRE(app::detail::decompress_chunk(plain_original, plain.data(), plain.size()));
        auto spoiled = damaged_original;
        spoiled[spoiled.size() / 2] = static_cast<char>(spoiled[spoiled.size() / 2] ^ 0x5a);
        store.set_before_commit_hook([&](store::projection_records& records) {
            records.put(plain_chunk, plain);
            records.put(damaged_chunk, spoiled);
        });
        REQUIRE_FALSE(store.write_projection_records().has_value());
        store.set_before_commit_hook({});
        REQUIRE(store.read_projection_record(plain_chunk) == plain);
    }
    store::event_store store(options_in(dir));
    app::projection_runner runner(store, runner_options());
    REQUIRE(runner.wait_until_caught_up(20s));
    std::vector<std::pair<std::string, std::uint64_t>> const spoiled{
        {"origin", 3 * every}, {"funnel", 2 * every}, {"recruits-per-campaign", 2 * every}};
    require_answers_around(runner, store, spoiled);
    CHECK(runner.stats().checkpoints.unusable >= 2);
    append_generated(store, generator, 1);  // written with this group
    REQUIRE(runner.wait_until_caught_up(20s));
    REQUIRE(runner.stats().checkpoints.waiting == 0);
    CHECK(store.read_projection_record(plain_chunk) == plain_original);  // compressed again, the same frame
    CHECK(store.read_projection_record(damaged_chunk) == damaged_original);
    require_as_of_matches(runner, store, 37);
}
