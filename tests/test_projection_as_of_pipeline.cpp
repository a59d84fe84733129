// The as-of fold that loads its checkpoint on the fold lane while the caller already scans and
// decodes the tail (projection_as_of.cpp, issue 14 at 10,000,000 events): byte for byte what
// the plain sequential fold from position 0 answers, on random ledgers with retractions, when
// the first checkpoint tried is usable, damaged or missing; split_scan folds in log order after
// its start and stops on an error; states handed to release_later are freed. The whole answer
// written as each row is rendered (fold_as_of_json) is the plain fold's text too, around
// interval and month checkpoints, damaged (the model's record or the shared table's) or missing.

#include "ledger/app/checkpoint_keeper.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/split_scan.hpp"
#include "ledger/app/projection_as_of.hpp"
#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/state_release.hpp"
#include "ledger/json_text.hpp"
#include "projections/read_model.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/detail/applications.hpp"

#include "support/generated_appends.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace ledger;

namespace {

constexpr std::uint64_t every = 97;

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

std::string text_of(app::projection_table const& table) { return to_json_text(app::to_json(table)); }

/// The answer of the plain fold: sequential, from position 0, no checkpoint.
std::string plain_fold(store::event_store const& store, std::string_view name, std::uint64_t last) {
    auto const model = projections::make_read_model(name);
    projections::read_model* const models[] = {model.get()};
    auto const outcome = app::replay_log(store, models, {.to_position = last}, app::replay_threads::sequential);
    return text_of(app::projection_table{std::string(name), outcome.last_position, model->columns(), model->rows()});
}

/// Appends `count` generated events recorded when they occurred (the generator's clock moves
/// 0–4 hours an event), so that the log has month starts, each a checkpoint of its own.
void append_over_months(store::event_store& store, testing::recruitment_generator& generator, int count) {
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

/// A keeper over `store` that writes what it captures with the store's next commit.
struct stored_keeper {
    stored_keeper(store::event_store& store, std::uint64_t interval)
        : keeper(store, app::checkpoint_options{.every = interval}) {
        store.set_before_commit_hook([this](store::projection_records& records) { keeper.write_pending(records); });
        keeper.set_commit([&store] { (void)store.write_projection_records(); });
    }
    app::checkpoint_keeper keeper;
};

/// Positions on, just before and just after every interval checkpoint and every month start
/// (a checkpoint of its own), and the last.
std::vector<std::uint64_t> positions_near_checkpoints(store::event_store const& store, std::uint64_t events) {
    std::vector<std::uint64_t> starts;
    for (std::uint64_t p = every; p < events; p += every) starts.push_back(p);
    std::size_t months = 0;
    for (std::uint64_t p = 1; p < events; ++p) {
        if (!app::detail::same_month(store.read_event(p - 1)->recorded_at, store.read_event(p)->recorded_at)) {
            starts.push_back(p);
            ++months;
        }
    }
    REQUIRE(months >= 1);  // the ledger spans a month start (700 events: about two months)
    std::vector<std::uint64_t> out;
    for (auto const p : starts) {
        for (auto const q : {p - 1, p, p + 1, p + every / 2}) {
            if (q < events) out.push_back(q);
        }
    }
    out.push_back(events - 1);
    return out;
}

/// The whole answer both ways (the rows kept, then the text; the text as rendered) equals
/// the plain fold's.
void require_plain(store::event_store const& store, app::checkpoint_keeper& keeper, std::string_view name,
                   std::uint64_t position) {
    INFO(name << " as of position " << position);
    auto const prototype = projections::make_read_model(name);
    auto const plain = plain_fold(store, name, position);
    REQUIRE(text_of(app::fold_as_of(store, &keeper, *prototype, position)) == plain);
    REQUIRE(app::fold_as_of_json(store, &keeper, *prototype, position) == plain);
}

}  // namespace

TEST_CASE("an as-of fold loading its checkpoint while scanning the tail answers what the plain fold from 0 answers",
          "[projections][as_of][pipeline]") {
    auto const seed = GENERATE(31u, 32u);
    INFO("seed " << seed);
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    store::event_store store(options_in(dir));
    append_over_months(store, generator, 700);
    auto const events = store.head().events;
    stored_keeper stored(store, every);
    auto& keeper = stored.keeper;
    std::atomic<bool> const stopping{false};
    for (auto const name : projections::read_model_names()) {
        auto const prototype = projections::make_read_model(name);
        app::fill_checkpoints(store, keeper, *prototype, events, stopping);
    }
    REQUIRE(keeper.stats().waiting == 0);

    SECTION("from usable checkpoints") {
        for (auto const name : projections::read_model_names()) {
            auto const prototype = projections::make_read_model(name);
            for (auto const position : positions_near_checkpoints(store, events)) {
                INFO(name << " as of position " << position);
                auto const candidate = keeper.first_candidate(position + 1);
                REQUIRE(candidate >= position + 1 - (position + 1) % every);  // or a later month start
                REQUIRE(candidate <= position + 1);
                require_plain(store, keeper, name, position);
            }
        }
        CHECK(keeper.stats().used > 0);
        CHECK(keeper.stats().unusable == 0);
    }

    SECTION("when the first checkpoint tried is damaged: from the one before, taking it again") {
        auto const key = app::detail::checkpoint_key("funnel", 3 * every);
        auto record = store.read_projection_record(key).value();
        record[record.size() - 2] = static_cast<char>(record[record.size() - 2] ^ 0x33);
        store.set_before_commit_hook([&](store::projection_records& records) { records.put(key, record); });
        REQUIRE_FALSE(store.write_projection_records().has_value());
        stored_keeper fresh(store, every);  // knows nothing yet: reads the damaged record
        for (auto const position : {3 * every, 3 * every + 5, 4 * every - 1}) {
            require_plain(store, fresh.keeper, "funnel", position);
        }
        CHECK(fresh.keeper.stats().unusable >= 1);
        CHECK(fresh.keeper.stats().captured >= 1);  // taken again on the way past it
    }

    SECTION("when the shared application table of the first checkpoint tried is damaged: never served") {
        auto const key = app::detail::checkpoint_table_key(2 * every);
        auto record = store.read_projection_record(key).value();
        record[record.size() / 2] = static_cast<char>(record[record.size() / 2] ^ 0x5a);
        store.set_before_commit_hook([&](store::projection_records& records) { records.put(key, record); });
        REQUIRE_FALSE(store.write_projection_records().has_value());
        stored_keeper fresh(store, every);
        for (auto const name : {"recruits-per-campaign", "retention", "funnel"}) {
            for (auto const position : {2 * every, 3 * every - 2}) require_plain(store, fresh.keeper, name, position);
        }
        CHECK(fresh.keeper.stats().unusable >= 1);
        CHECK(fresh.keeper.stats().captured >= 1);
    }

    SECTION("when the first checkpoint tried is not stored: from an earlier one or from 0") {
        stored_keeper other(store, 50);  // multiples of 50: not stored (but 4850's)
        for (auto const name : {"funnel", "vacancies", "retention"}) {
            for (auto const position : {std::uint64_t{49}, std::uint64_t{120}, std::uint64_t{399}, events - 1}) {
                require_plain(store, other.keeper, name, position);
            }
        }
    }
}

// ---- rm-asof, third pass: the application table's record read in place under a lease ----

TEST_CASE("a checkpoint's application table read in place under a lease loads what its copy loads",
          "[projections][as_of][pipeline][lease]") {
    // Whole records and records in plain chunks of ~512 bytes (both read in place), records in
    // compressed chunks (each chunk decompressed into its own place, decoded from those pieces).
    auto const chunk_bits = GENERATE(0u, 9u);
    bool const compress_table = GENERATE(false, true);
    // A record copied or put together goes into huge pages (0: every one) or a string (these
    // small records are below the server's 1 MiB).
    auto const huge_from = GENERATE(std::size_t{0}, app::checkpoint_options{}.huge_page_record_bytes);
    INFO("chunk bits " << chunk_bits << " compressed table " << compress_table << " huge pages from " << huge_from
                       << " bytes");
    testing::temp_dir dir;
    testing::recruitment_generator generator(33, {.retract_applications = true});
    store::event_store store(options_in(dir));
    append_over_months(store, generator, 700);
    auto const events = store.head().events;
    app::checkpoint_options const options{
        .every = every, .chunk_bits = chunk_bits, .chunk_threshold = 256, .compress_table = compress_table,
        .huge_page_record_bytes = huge_from};
    app::checkpoint_keeper keeper(store, options);
    store.set_before_commit_hook([&](store::projection_records& records) { keeper.write_pending(records); });
    keeper.set_commit([&store] { (void)store.write_projection_records(); });
    std::atomic<bool> const stopping{false};
    for (auto const name : {"recruits-per-campaign", "retention", "funnel", "vacancies"}) {
        app::fill_checkpoints(store, keeper, *projections::make_read_model(name), events, stopping);
    }
    REQUIRE(keeper.stats().waiting == 0);
    for (auto const name : {"recruits-per-campaign", "retention", "funnel", "vacancies"}) {
        INFO(name);
        auto const prototype = projections::make_read_model(name);
        for (auto const at : {every, 3 * every, 5 * every}) {
            INFO("checkpoint at " << at);
            auto const copied = keeper.load(*prototype, at);
            std::shared_ptr<app::record_lease> lease;
            auto const in_place = keeper.load(*prototype, at, &lease);
            REQUIRE(copied);
            REQUIRE(in_place);
            // A table record whole or in plain chunks is read in place; a model without the table
            // never is.
            bool const plain_table = (chunk_bits == 0 || !compress_table) && prototype->shared_table() != nullptr;
            REQUIRE(static_cast<bool>(lease) == plain_table);
            // The same state, and the same as the plain fold's; then the same tail folds on.
            REQUIRE(in_place->save() == copied->save());
            projections::read_model* const both[] = {copied.get(), in_place.get()};
            app::replay_log(store, both, {.from_position = at, .to_position = at + every / 2},
                            app::replay_threads::sequential);
            REQUIRE(to_json_text(boost::json::value(in_place->rows())) ==
                    to_json_text(boost::json::value(copied->rows())));
            REQUIRE(in_place->save() == copied->save());
            if (lease) {
                REQUIRE(lease->reader() != nullptr);
                lease->end();  // the model reads no more of its record: its transaction ends
                CHECK(lease->reader() == nullptr);
            }
        }
    }
    CHECK(keeper.stats().unusable == 0);

    SECTION("a damaged table record read in place is never served, and its lease is given back") {
        auto const key = app::detail::checkpoint_table_key(2 * every);
        auto const stored = store.read_projection_record(key).value();
        // The record itself (whole), or a chunk of it changed in the store (same length): the
        // state's checksum, computed over the chunks where they lie, refuses it.
        std::string damaged_key = key;
        std::string damaged = stored;
        std::size_t flipped = damaged.size() / 2;
        if (chunk_bits != 0) {
            auto const manifest = app::detail::decode_manifest(stored).value();
            damaged_key = manifest[manifest.size() / 2].key;
            damaged = store.read_projection_record(damaged_key).value();
            // Compressed: a frame that does not decompress to its length.
            flipped = compress_table ? damaged.size() - 1 : damaged.size() / 2;
        }
        damaged[flipped] = static_cast<char>(damaged[flipped] ^ 0x5a);
        store.set_before_commit_hook([&](store::projection_records& records) { records.put(damaged_key, damaged); });
        REQUIRE_FALSE(store.write_projection_records().has_value());
        app::checkpoint_keeper fresh(store, options);
        std::shared_ptr<app::record_lease> lease;
        REQUIRE_FALSE(fresh.load(*projections::make_read_model("funnel"), 2 * every, &lease));
        CHECK_FALSE(lease);
        CHECK(fresh.stats().unusable == 1);
    }
}

TEST_CASE("a split scan folds in log order after start, marks boundaries, and stops on an error, with any scanners and batches ahead",
          "[projections][replay][parallel][pipeline]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(5, {.retract_applications = true});
    store::event_store store(options_in(dir));
    testing::append_generated(store, generator, 300);
    auto const model = projections::make_read_model("funnel");
    projections::read_model* const models[] = {model.get()};

    std::vector<std::uint64_t> folded;
    int starts = 0;
    bool folded_before_start = false;
    // More batches ahead while starting than after it (or not), one to three scanners.
    std::size_t const scanners = GENERATE(1u, 2u, 3u);
    std::size_t const while_starting = GENERATE(0u, 12u, 100u);
    INFO(scanners << " scanners, " << while_starting << " batches while starting");
    auto job = [&](std::uint64_t from, std::uint64_t last, bool fail) {
        return app::split_scan_job{
            .from_position = from,
            .last_position = last,
            .reads = models,
            .boundaries = app::checkpoint_options{.every = 50},
            .start = [&, fail] {
                ++starts;
                if (fail) throw std::runtime_error("checkpoint unusable");
            },
            .fold = [&](std::span<app::folded_event const> events) {
                if (starts == 0) folded_before_start = true;
                for (auto const& e : events) {
                    folded.push_back(e.position);
                    CHECK(static_cast<bool>(e.boundary) == (e.position % 50 == 0));
                }
            },
            .scanners = scanners,
            .batch_events = 16,
            .batches = 4,
            .batches_while_starting = while_starting};
    };
    auto const outcome = app::split_scan(store, job(7, 250, false));
    CHECK(starts == 1);
    CHECK_FALSE(folded_before_start);
    CHECK(outcome.events == 244);
    CHECK(outcome.last_position == 250);
    REQUIRE(folded.size() == 244);
    for (std::uint64_t i = 0; i < folded.size(); ++i) REQUIRE(folded[i] == 7 + i);

    starts = 0;
    folded.clear();
    REQUIRE_THROWS_WITH(app::split_scan(store, job(0, 299, true)), "checkpoint unusable");
    CHECK(starts == 1);
    CHECK(folded.empty());

    INFO("a stretch past the head is an error, after folding what is there");
    folded.clear();
    REQUIRE_THROWS(app::split_scan(store, job(290, 320, false)));
    CHECK(folded.size() <= 10);
}

TEST_CASE("read model states handed to release_later are freed, by the release thread or by the caller",
          "[projections][as_of][pipeline]") {
    std::vector<std::weak_ptr<projections::detail::application_table const>> tables;
    for (int i = 0; i < 12; ++i) {
        auto state = projections::make_read_model("funnel");
        tables.emplace_back(state->shared_table());
        REQUIRE_FALSE(tables.back().expired());
        app::release_later(std::move(state));
    }
    app::wait_released();
    for (auto const& table : tables) CHECK(table.expired());
}

// ---- rm-asoflast: the application table loaded lazily, rows rendered as text and in parts ----

TEST_CASE("an application table loaded lazily saves the same bytes and folds on to the same state as one loaded whole",
          "[projections][as_of][pipeline][lazy]") {
    auto const seed = GENERATE(41u, 42u);
    INFO("seed " << seed);
    testing::temp_dir dir;
    testing::recruitment_generator generator(seed, {.retract_applications = true});
    store::event_store store(options_in(dir));
    append_over_months(store, generator, 700);
    auto const upto = store.head().events / 2;
    for (auto const name : {"recruits-per-campaign", "retention", "funnel"}) {
        INFO(name);
        auto const model = projections::make_read_model(name);
        projections::read_model* const models[] = {model.get()};
        app::replay_log(store, models, {.to_position = upto - 1}, app::replay_threads::sequential);
        auto const record = std::make_shared<std::string const>(projections::save_table(*model->shared_table()));
        auto const own = model->save_without_table();
        auto const whole = projections::load_table(*record);
        auto const lazy = projections::load_table_lazily(record, *record);
        REQUIRE(whole->candidates.size() > 10);
        REQUIRE(lazy->candidates.lazy());
        REQUIRE(projections::save_table(*lazy) == *record);
        REQUIRE(*lazy == *whole);

        // The tail folded into each (retractions read entries of either side of the split).
        auto const from_whole = model->fresh();
        from_whole->load_with_table(own, whole);
        auto const from_lazy = model->fresh();
        from_lazy->load_with_table(own, lazy);
        projections::read_model* const both[] = {from_whole.get(), from_lazy.get()};
        app::replay_log(store, both, {.from_position = upto}, app::replay_threads::sequential);
        REQUIRE(lazy->candidates.lazy());  // some entries decoded, the rest still bytes
        auto const expected = projections::save_table(*whole);
        REQUIRE(projections::save_table(*lazy) == expected);
        REQUIRE(to_json_text(boost::json::value(from_lazy->rows())) == to_json_text(boost::json::value(from_whole->rows())));
        REQUIRE(from_lazy->save() == from_whole->save());

        // A copy shares the bytes and saves the same; iterating decodes every entry.
        auto const copy = *lazy;
        REQUIRE(projections::save_table(copy) == expected);
        std::size_t applications = 0;
        for (auto const& person : lazy->candidates) applications += person.applications.size();
        CHECK(applications > 0);
        REQUIRE_FALSE(lazy->candidates.lazy());
        REQUIRE(projections::save_table(*lazy) == expected);
        REQUIRE(*lazy == *whole);
    }
}

TEST_CASE("an application table loaded lazily from pieces of its record loads what the record in one piece loads",
          "[projections][as_of][pipeline][lazy][pieces]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(45u, {.retract_applications = true});
    store::event_store store(options_in(dir));
    append_over_months(store, generator, 700);
    auto const upto = store.head().events / 2;
    auto const model = projections::make_read_model("recruits-per-campaign");
    projections::read_model* const models[] = {model.get()};
    app::replay_log(store, models, {.to_position = upto - 1}, app::replay_threads::sequential);
    auto const record = std::make_shared<std::string const>(projections::save_table(*model->shared_table()));
    auto const own = model->save_without_table();
    auto const whole = projections::load_table(*record);
    // Pieces of one byte (every read crosses), of sizes that leave entries across two or more,
    // and empty pieces between them; each piece a copy of its own, so that nothing reads on
    // from one into the next by accident.
    for (std::size_t const size : {std::size_t{1}, std::size_t{7}, std::size_t{61}, std::size_t{1000}}) {
        INFO("pieces of " << size << " bytes");
        auto copies = std::make_shared<std::vector<std::string>>();
        for (std::size_t at = 0; at < record->size(); at += size) {
            copies->push_back(record->substr(at, size));
            if (at % (3 * size) == 0) copies->emplace_back();
        }
        std::vector<std::string_view> pieces(copies->begin(), copies->end());
        auto const lazy = projections::load_table_lazily(copies, pieces);
        pieces.clear();  // the table needs the bytes, not the list of them
        REQUIRE(lazy->candidates.lazy());
        REQUIRE(projections::save_table(*lazy) == *record);
        REQUIRE(*lazy == *whole);
        {
            // A copy outlives its original: the entries joined across pieces are shared too.
            auto original = projections::load_table_lazily(copies, std::vector<std::string_view>(copies->begin(), copies->end()));
            auto const copy = std::make_unique<projections::detail::application_table>(*original);
            original.reset();
            REQUIRE(projections::save_table(*copy) == *record);
        }
        auto const from_whole = model->fresh();
        from_whole->load_with_table(own, projections::load_table(*record));
        auto const from_pieces = model->fresh();
        from_pieces->load_with_table(own, lazy);
        projections::read_model* const both[] = {from_whole.get(), from_pieces.get()};
        app::replay_log(store, both, {.from_position = upto}, app::replay_threads::sequential);
        REQUIRE(to_json_text(boost::json::value(from_pieces->rows())) ==
                to_json_text(boost::json::value(from_whole->rows())));
        REQUIRE(from_pieces->save() == from_whole->save());
        std::size_t applications = 0;
        for (auto const& person : lazy->candidates) applications += person.applications.size();
        CHECK(applications > 0);
        REQUIRE(*lazy == *from_whole->shared_table());
    }
    // Pieces that end short of the record, or hold a byte more, are refused.
    std::vector<std::string_view> const short_of_it{std::string_view(*record).substr(0, record->size() - 1)};
    REQUIRE_THROWS_AS(projections::load_table_lazily(record, short_of_it), codec_error);
    std::string const extra = "x";
    std::vector<std::string_view> const with_more{*record, extra};
    REQUIRE_THROWS_AS(projections::load_table_lazily(record, with_more), codec_error);
}

TEST_CASE("a lazily loaded application table refuses a candidate naming a text its pool lacks",
          "[projections][as_of][pipeline][lazy]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(43u, {});
    store::event_store store(options_in(dir));
    append_over_months(store, generator, 300);
    auto const model = projections::make_read_model("funnel");
    projections::read_model* const models[] = {model.get()};
    app::replay_log(store, models, {}, app::replay_threads::sequential);
    auto damaged = *model->shared_table();
    std::size_t changed = 0;
    for (std::uint32_t number = 0; number < damaged.candidates.size() && changed == 0; ++number) {
        auto* const person = damaged.candidates.find(damaged.candidates.id(number));
        for (auto& entry : person->applications) {
            for (auto& r : entry.receipts) {
                r.campaign_id = static_cast<std::uint32_t>(damaged.texts.size() + 5);
                ++changed;
            }
        }
    }
    REQUIRE(changed > 0);
    auto const record = std::make_shared<std::string const>(projections::save_table(damaged));
    REQUIRE_THROWS_AS(projections::load_table(*record), codec_error);
    REQUIRE_THROWS_AS(projections::load_table_lazily(record, *record), codec_error);
}

TEST_CASE("a read model rendered in parts, as text or as objects, gives rows() in order",
          "[projections][as_of][pipeline][render]") {
    testing::temp_dir dir;
    testing::recruitment_generator generator(44u, {.retract_applications = true});
    store::event_store store(options_in(dir));
    append_over_months(store, generator, 500);
    /// Takes every row, as text when asked to: each row's text followed by ','.
    struct text_rows final : projections::row_sink {
        std::string out;
        bool as_text = false;
        bool takes_every_row() const noexcept override { return true; }
        verdict consider(boost::json::object const& /*head*/) override { return verdict::take; }
        void take(boost::json::object row) override {
            append_json_text(out, boost::json::value(std::move(row)));
            out.push_back(',');
        }
        std::string* text() noexcept override { return as_text ? &out : nullptr; }
    };
    for (auto const name : projections::read_model_names()) {
        auto const model = projections::make_read_model(name);
        projections::read_model* const models[] = {model.get()};
        app::replay_log(store, models, {}, app::replay_threads::sequential);
        std::string expected;
        for (auto const& row : model->rows()) {
            append_json_text(expected, row);
            expected.push_back(',');
        }
        REQUIRE(expected.size() > 1);
        for (bool const as_text : {false, true}) {
            for (std::size_t parts = 1; parts <= 3; ++parts) {
                INFO(name << " as text " << as_text << " in " << parts << " parts");
                std::string all;
                for (std::size_t part = 0; part < parts; ++part) {
                    text_rows sink;
                    sink.as_text = as_text;
                    model->render_part(sink, part, parts);
                    all += sink.out;
                }
                REQUIRE(all == expected);
            }
        }
    }
}

TEST_CASE("heap trims from many threads at once, the first of the process among them, do not crash",
          "[projections][as_of][pipeline]") {
    // The first malloc_trim of a process whose malloc is replaced (ASan, TSan) sets glibc's
    // allocator up; two at once crashed in glibc (state_release.cpp). Meaningful in the
    // sanitizer builds, where every test case is a process whose first trim is this one.
    std::latch start(8);
    std::atomic<int> trimmed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            start.arrive_and_wait();
            app::trim_heap();
            ++trimmed;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(trimmed == 8);
}
