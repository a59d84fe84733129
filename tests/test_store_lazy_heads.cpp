// Store format 8 (docs/storage.md "Format 8"): the writer keeps a head whose rule state a
// request did not change in memory and puts it every few commits; meanwhile readers bring heads
// up to date from the run records since meta's heads_pending_from, a clean stop puts them, and a
// writer's open after a kill -9 puts them from the runs. Format 7 keeps putting heads at once.

#include "support/plain_log.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/pending_heads.hpp"
#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::format_of;
using ledger::testing::one_event;

namespace {

/// What `streams` and meta hold underneath an open store (a write transaction, aborted).
struct underneath {
    std::optional<std::uint64_t> pending_from;
    std::optional<detail::stream_head> record;  // of the stream asked for
};

underneath look_underneath(event_store& store, std::string const& stream) {
    lmdb::write_txn txn(store.environment());
    auto const db = detail::tables::open(txn);
    underneath seen;
    if (auto const from = txn.get(db.meta, detail::meta_heads_pending_from)) seen.pending_from = detail::decode_u64(*from);
    seen.record = detail::read_stored_head(txn, db, stream);
    return seen;
}

std::string stream_name(int i) { return "candidate-s" + std::to_string(i); }

/// Changes the ledger underneath the store: `change` gets the write transaction and tables.
void tamper(std::filesystem::path const& data,
            std::function<void(lmdb::write_txn&, detail::tables const&)> const& change) {
    lmdb::env env({.directory = data});
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    change(txn, db);
    txn.commit();
}

/// A policy whose rule state counts the events of `campaign-*` streams (one byte per event) and
/// leaves every other stream's empty: the campaigns' heads change, the others' do not.
class campaign_counting_policy final : public append_policy {
public:
    std::optional<error> admit(stream_lookup const&, std::string_view stream, std::uint64_t,
                               std::span<event_to_append const> events, std::string& rule_state) const override {
        if (stream.starts_with("campaign-")) rule_state.append(events.size(), 'x');
        return std::nullopt;
    }
};

/// Round 0 creates ten streams; each later round appends one event to each (one commit each).
void write_rounds(event_store& store, int first_round, int rounds) {
    for (int round = first_round; round < first_round + rounds; ++round) {
        for (int i = 0; i < 10; ++i) {
            auto const expected = round == 0 ? expected_version::no_stream() : expected_version::any();
            REQUIRE(store.append(one_event(stream_name(i), expected)).has_value());
        }
    }
}

/// DIR/copy: a compacted copy of a ledger taken while heads are pending (three rounds: 20
/// commits with pending heads, put at the 8th and 16th).
std::filesystem::path copy_with_heads_pending(ledger::testing::temp_dir const& dir) {
    auto const copy = dir / "copy";
    event_store store({.directory = dir / "data"});
    write_rounds(store, 0, 3);
    REQUIRE(look_underneath(store, stream_name(9)).pending_from.has_value());
    std::filesystem::create_directories(copy);
    store.environment().copy_compacted(copy);
    return copy;
}

}  // namespace

TEST_CASE("a format 8 writer defers unchanged heads, readers derive them, and every 8th commit puts them",
          "[store][lazy_heads]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_rounds(store, 0, 1);  // created: heads put at once, nothing pending
        CHECK_FALSE(look_underneath(store, stream_name(0)).pending_from);
        CHECK(look_underneath(store, stream_name(0)).record->last_version == 0);

        REQUIRE(store.append(one_event(stream_name(3), expected_version::exact(0))).has_value());  // position 10
        auto seen = look_underneath(store, stream_name(3));
        CHECK(seen.pending_from == 10u);
        CHECK(seen.record->last_version == 0);  // the record waits
        CHECK(store.last_version(stream_name(3)) == 1u);  // readers derive it from the run at 10
        auto const read = store.read_stream(stream_name(3), 0, 10, read_direction::forward);
        REQUIRE(read.has_value());
        REQUIRE(read->size() == 2);
        CHECK(read->back().position == 10);
        CHECK(store.verify(true).ok);

        // Commits 2..7 with pending heads keep them; the 8th puts every one and drops the marker.
        for (std::uint64_t v = 2; v <= 7; ++v) {
            REQUIRE(store.append(one_event(stream_name(3), expected_version::exact(v - 1))).has_value());
        }
        seen = look_underneath(store, stream_name(3));
        CHECK(seen.pending_from == 10u);
        CHECK(seen.record->last_version == 0);
        CHECK(store.last_version(stream_name(3)) == 7u);
        CHECK(store.verify(true).ok);
        REQUIRE(store.append(one_event(stream_name(4), expected_version::exact(0))).has_value());
        seen = look_underneath(store, stream_name(3));
        CHECK_FALSE(seen.pending_from);
        CHECK(seen.record->last_version == 7);
        CHECK(look_underneath(store, stream_name(4)).record->last_version == 1);
        CHECK(store.verify(true).ok);

        // A clean stop puts what is pending.
        write_rounds(store, 1, 1);
        CHECK(look_underneath(store, stream_name(0)).pending_from.has_value());
    }
    CHECK(format_of(data) == 8);
    {
        event_store store({.directory = data});
        auto const seen = look_underneath(store, stream_name(0));
        CHECK_FALSE(seen.pending_from);
        CHECK(seen.record->last_version == 1);
        CHECK(look_underneath(store, stream_name(3)).record->last_version == 8);
        CHECK(store.verify(true).ok);
    }
}

TEST_CASE("no format 8 commit leaves the marker more than max_pending_events behind the log's end",
          "[store][lazy_heads]") {
    // The bound is what a reader's walk of pending runs costs; a group of many events to one
    // stream is one run but counts by its events, the first group that would start the marker too.
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    write_rounds(store, 0, 1);
    auto const limit = detail::pending_heads::max_pending_events;
    auto append = [&](int stream, std::size_t events) {
        std::vector<store::event_to_append> many(events, ledger::testing::make_event());
        return store.append(ledger::testing::make_request(stream_name(stream), expected_version::exact(0), many));
    };
    REQUIRE(append(1, limit + 1).has_value());
    CHECK_FALSE(look_underneath(store, stream_name(1)).pending_from);  // past the limit on its own: put at once
    CHECK(look_underneath(store, stream_name(1)).record->last_version == limit + 1);

    REQUIRE(append(2, limit - 1).has_value());
    CHECK(look_underneath(store, stream_name(2)).pending_from == 10u + limit + 1);  // within it: waits
    REQUIRE(append(3, 2).has_value());
    auto const seen = look_underneath(store, stream_name(2));
    CHECK_FALSE(seen.pending_from);  // the group that crossed it put every pending head
    CHECK(seen.record->last_version == limit - 1);
    CHECK(look_underneath(store, stream_name(3)).record->last_version == 2);
    CHECK(store.verify(true).ok);
}

TEST_CASE("a format 8 writer puts a head at once when the request changed its rule state",
          "[store][lazy_heads]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data", .policy = std::make_shared<campaign_counting_policy>()});
    REQUIRE(store.append(one_event("campaign-a")).has_value());
    REQUIRE(store.append(one_event("candidate-b")).has_value());
    REQUIRE(store.append(one_event("campaign-a")).has_value());
    REQUIRE(store.append(one_event("candidate-b")).has_value());
    auto const campaign = look_underneath(store, "campaign-a");
    CHECK(campaign.record->last_version == 1);  // its rule state grew: put at once
    CHECK(campaign.record->rule_state == "xx");
    auto const candidate = look_underneath(store, "candidate-b");
    CHECK(candidate.record->last_version == 0);  // unchanged (empty): pending
    CHECK(candidate.pending_from == 3u);
    CHECK(store.last_version("candidate-b") == 1u);
    CHECK(store.verify(true).ok);
}

TEST_CASE("a reader on another thread sees exactly the heads of the events in its snapshot",
          "[store][lazy_heads][threads]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    constexpr int streams = 24;
    for (int i = 0; i < streams; ++i) REQUIRE(store.append(one_event(stream_name(i))).has_value());
    detail::tables db;
    {
        lmdb::write_txn txn(store.environment());
        db = detail::tables::open(txn);
    }
    std::atomic<bool> done{false};
    std::atomic<int> refused{0};
    std::vector<std::jthread> writers;
    for (int w = 0; w < 3; ++w) {
        writers.emplace_back([&, w] {
            for (int n = 0; n < 300; ++n) {
                if (!store.append(one_event(stream_name((w * 7 + n * 5) % streams)))) ++refused;
            }
        });
    }
    std::jthread stopper([&] {
        for (auto& writer : writers) writer.join();
        done = true;
    });
    int checked = 0, pending_seen = 0;
    std::string scratch;
    while (!done || checked < 3) {
        lmdb::read_txn txn(store.environment());
        if (detail::heads_pending_from(txn, db)) ++pending_seen;
        // Every stream's last version and newest run, counted from the snapshot's log.
        std::vector<std::int64_t> last(streams, -1);
        std::vector<std::uint64_t> newest_run(streams, 0);
        lmdb::cursor log(txn, db.log);
        for (auto entry = log.first(); entry; entry = log.next()) {
            auto const position = detail::decode_u64(entry->first);
            auto const e = decode_stored(db.log_codec->decode(position, entry->second, scratch));
            auto const i = std::stoi(e.stream.substr(std::string("candidate-s").size()));
            REQUIRE(static_cast<std::int64_t>(e.version) == last[static_cast<std::size_t>(i)] + 1);
            last[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(e.version);
            if (txn.get(db.stream_runs, detail::view(detail::encode_u64(position)))) {
                newest_run[static_cast<std::size_t>(i)] = position;
            }
        }
        for (int i = 0; i < streams; ++i) {
            auto const head = detail::read_stream_head(txn, db, stream_name(i));
            REQUIRE(head);
            CHECK(static_cast<std::int64_t>(head->last_version) == last[static_cast<std::size_t>(i)]);
            CHECK(head->last_run == newest_run[static_cast<std::size_t>(i)]);
        }
        ++checked;
        // The appenders need the cores more than the reader needs every snapshot.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    INFO(checked << " snapshots, " << pending_seen << " with heads pending");
    CHECK(pending_seen > 0);
    CHECK(refused == 0);
    CHECK(store.verify(true).ok);
}

TEST_CASE("a backup taken while heads are pending verifies, and tampering with the pending state fails verify",
          "[store][lazy_heads][tamper]") {
    ledger::testing::temp_dir dir;
    auto const copy = copy_with_heads_pending(dir);
    using change = std::function<void(lmdb::write_txn&, detail::tables const&)>;
    std::vector<std::pair<std::string, change>> const tampering{
        {"untouched", change([](lmdb::write_txn&, detail::tables const&) {})},
        {"the marker is gone", change([](lmdb::write_txn& txn, detail::tables const& db) {
             REQUIRE(txn.remove(db.meta, detail::meta_heads_pending_from));
         })},
        {"the marker is past a pending run", change([](lmdb::write_txn& txn, detail::tables const& db) {
             txn.put(db.meta, detail::meta_heads_pending_from, detail::view(detail::encode_u64(29)));
         })},
        {"a pending run is gone", change([](lmdb::write_txn& txn, detail::tables const& db) {
             lmdb::cursor runs(txn, db.stream_runs);
             auto const last = runs.last();
             REQUIRE(last);
             std::string const key(last->first);
             txn.remove(db.stream_runs, key);
         })},
    };
    for (auto const& [what, edit] : tampering) {
        SECTION(what) {
            auto const data = dir / "tampered";
            std::filesystem::create_directories(data);
            {
                lmdb::env env({.directory = copy});
                env.copy_compacted(data);
            }
            tamper(data, edit);
            event_store reader({.directory = data, .writer = false});
            CHECK(reader.verify(false).ok);  // the chain itself is intact
            if (what == "untouched") {
                CHECK(reader.verify(true).ok);
                CHECK(reader.last_version(stream_name(9)) == 2u);
                // A writer's open puts the pending heads from the runs.
                event_store writer({.directory = dir / "copy"});
                auto const seen = look_underneath(writer, stream_name(9));
                CHECK_FALSE(seen.pending_from);
                CHECK(seen.record->last_version == 2);
                CHECK(writer.verify(true).ok);
            } else {
                CHECK_FALSE(reader.verify(true).ok);
            }
        }
    }
}

TEST_CASE("a writer's open puts pending heads in a grown map when the ledger fills the map it opens with",
          "[store][lazy_heads]") {
    ledger::testing::temp_dir dir;
    auto const copy = copy_with_heads_pending(dir);  // compacted: no free page, any put needs new ones
    // Asked for less than the ledger uses, LMDB maps exactly what is used: the open's puts of
    // the pending heads fill it at once and must grow it, as a group does.
    auto const small = std::size_t{16} << 10;
    REQUIRE(std::filesystem::file_size(copy / "data.mdb") > small);
    event_store writer({.directory = copy, .initial_map_size = small});
    CHECK_FALSE(look_underneath(writer, stream_name(9)).pending_from);
    CHECK(look_underneath(writer, stream_name(9)).record->last_version == 2);
    CHECK(writer.verify(true).ok);
    auto const next = writer.append(one_event(stream_name(9), expected_version::exact(2)));
    REQUIRE(next.has_value());
    CHECK(next->first_version == 3);
}

TEST_CASE("a format 7 ledger keeps putting heads at once", "[store][lazy_heads][layout]") {
    ledger::testing::temp_dir dir;
    auto const data = dir / "data";
    {
        event_store store({.directory = data});
        write_rounds(store, 0, 1);
    }
    ledger::testing::rewrite_as_format_7(data);
    {
        event_store store({.directory = data});
        write_rounds(store, 1, 2);
        auto const seen = look_underneath(store, stream_name(5));
        CHECK_FALSE(seen.pending_from);
        CHECK(seen.record->last_version == 2);
        CHECK(store.verify(true).ok);
        std::filesystem::create_directories(dir / "copy");
        store.environment().copy_compacted(dir / "copy");
    }
    CHECK(format_of(data) == 7);
    event_store copy({.directory = dir / "copy"});
    CHECK(copy.verify(true).ok);
    CHECK(copy.last_version(stream_name(5)) == 2u);
}
