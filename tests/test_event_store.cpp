#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::make_event;
using ledger::testing::make_event_with_id;
using ledger::testing::make_request;
using ledger::testing::one_event;

namespace {

store_options options_in(ledger::testing::temp_dir const& dir) {
    store_options options;
    options.directory = dir / "data";
    return options;
}

}  // namespace

TEST_CASE("appends get dense global positions and per-stream versions from zero", "[store]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));

    auto const a = store.append(one_event("campaign-a"));
    auto const b = store.append(make_request("campaign-b", expected_version::any(),
                                             {make_event(), make_event()}));
    auto const c = store.append(one_event("campaign-a"));
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    REQUIRE(c.has_value());
    CHECK(a->first_position == 0);
    CHECK(a->first_version == 0);
    CHECK(b->first_position == 1);
    CHECK(b->last_position == 2);
    CHECK(b->last_version == 1);
    CHECK(c->first_position == 3);
    CHECK(c->first_version == 1);
    CHECK(store.head().events == 4);
}

TEST_CASE("no_stream accepts only a new stream", "[store][expected_version]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    REQUIRE(store.append(one_event("position-p1", expected_version::no_stream())).has_value());

    auto const again = store.append(one_event("position-p1", expected_version::no_stream()));
    REQUIRE(again.has_error());
    CHECK(again.error().code == error_code::wrong_expected_version);
    CHECK(again.error().details.at("expected") == "no_stream");
    CHECK(again.error().details.at("actual") == 0);
}

TEST_CASE("exists refuses a stream that has no events", "[store][expected_version]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    auto const missing = store.append(one_event("position-p1", expected_version::exists()));
    REQUIRE(missing.has_error());
    CHECK(missing.error().code == error_code::wrong_expected_version);
    CHECK(missing.error().details.at("actual").is_null());

    REQUIRE(store.append(one_event("position-p1")).has_value());
    CHECK(store.append(one_event("position-p1", expected_version::exists())).has_value());
}

TEST_CASE("an exact expected version must name the stream's last version", "[store][expected_version]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    REQUIRE(store.append(one_event("target-t1")).has_value());
    REQUIRE(store.append(one_event("target-t1", expected_version::exact(0))).has_value());

    auto const stale = store.append(one_event("target-t1", expected_version::exact(0)));
    REQUIRE(stale.has_error());
    CHECK(stale.error().code == error_code::wrong_expected_version);
    CHECK(stale.error().details.at("expected") == 0);
    CHECK(stale.error().details.at("actual") == 1);
    CHECK(store.last_version("target-t1") == 1);
}

TEST_CASE("any accepts both a new and an existing stream", "[store][expected_version]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    CHECK(store.append(one_event("target-t1", expected_version::any())).has_value());
    CHECK(store.append(one_event("target-t1", expected_version::any())).has_value());
    CHECK(store.last_version("target-t1") == 1);
}

TEST_CASE("re-sending a batch with the same ids returns the original positions and writes nothing",
          "[store][idempotency]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    REQUIRE(store.append(one_event("campaign-x")).has_value());
    auto const batch = make_request("candidate-c1", expected_version::no_stream(),
                                    {make_event_with_id("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a", "one"),
                                     make_event_with_id("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8b", "two")});
    auto const first = store.append(batch);
    REQUIRE(first.has_value());
    CHECK_FALSE(first->already_recorded);

    auto const retry = store.append(batch);  // no_stream no longer holds, but it is a retry
    REQUIRE(retry.has_value());
    CHECK(retry->already_recorded);
    CHECK(retry->first_position == first->first_position);
    CHECK(retry->last_position == first->last_position);
    CHECK(retry->last_version == 1);
    CHECK(store.head().events == 3);
}

TEST_CASE("an event id reused for a different event is a conflict", "[store][idempotency]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    auto const id = "0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a";
    REQUIRE(store.append(make_request("candidate-c1", expected_version::any(),
                                      {make_event_with_id(id, "original")}))
                .has_value());

    SECTION("different data") {
        auto const r = store.append(make_request("candidate-c1", expected_version::any(),
                                                 {make_event_with_id(id, "changed")}));
        REQUIRE(r.has_error());
        CHECK(r.error().code == error_code::duplicate_event_id);
        CHECK(r.error().details.at("index") == 0);
    }
    SECTION("same event in another stream") {
        auto const r = store.append(make_request("candidate-c2", expected_version::any(),
                                                 {make_event_with_id(id, "original")}));
        REQUIRE(r.has_error());
        CHECK(r.error().code == error_code::duplicate_event_id);
    }
    SECTION("mixed with a new event") {
        auto const r = store.append(make_request(
            "candidate-c1", expected_version::any(),
            {make_event_with_id(id, "original"),
             make_event_with_id("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8c", "new")}));
        REQUIRE(r.has_error());
        CHECK(r.error().code == error_code::duplicate_event_id);
        CHECK(r.error().details.at("index") == 1);
    }
    SECTION("twice in one batch") {
        auto const other = "0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8d";
        auto const r = store.append(make_request("candidate-c3", expected_version::any(),
                                                 {make_event_with_id(other, "a"),
                                                  make_event_with_id(other, "b")}));
        REQUIRE(r.has_error());
        CHECK(r.error().code == error_code::duplicate_event_id);
        CHECK(r.error().details.at("index") == 1);
    }
    CHECK(store.head().events == 1);
}

namespace {

// Refuses any batch that contains an event of type "Forbidden".
class refuse_forbidden final : public append_policy {
public:
    std::optional<error> admit(stream_lookup const&, std::string_view, std::uint64_t,
                               std::span<event_to_append const> events,
                               std::string& rule_state) const override {
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (events[i].type == "Forbidden") {
                error e{error_code::rule_violation, "forbidden", {}};
                e.details["index"] = i;
                return e;
            }
        }
        rule_state += std::to_string(events.size()) + ";";
        return std::nullopt;
    }
};

}  // namespace

TEST_CASE("a refused batch writes none of its events", "[store][atomicity]") {
    ledger::testing::temp_dir dir;
    auto options = options_in(dir);
    options.policy = std::make_shared<refuse_forbidden>();
    event_store store(options);
    REQUIRE(store.append(one_event("campaign-a")).has_value());

    auto const refused = store.append(make_request(
        "campaign-a", expected_version::any(),
        {make_event(), make_event(), make_event("Forbidden")}));
    REQUIRE(refused.has_error());
    CHECK(refused.error().code == error_code::rule_violation);
    CHECK(refused.error().details.at("index") == 2);
    CHECK(store.head().events == 1);
    CHECK(store.last_version("campaign-a") == 0);

    auto const next = store.append(one_event("campaign-a"));
    REQUIRE(next.has_value());
    CHECK(next->first_position == 1);
}

TEST_CASE("a batch with a malformed stream name or no events is refused", "[store]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    auto const bad_name = store.append(one_event("../etc/passwd"));
    REQUIRE(bad_name.has_error());
    CHECK(bad_name.error().code == error_code::invalid_stream_name);
    auto const empty = store.append(make_request("campaign-a", expected_version::any(), {}));
    REQUIRE(empty.has_error());
    CHECK(empty.error().code == error_code::bad_request);
    CHECK(store.head().events == 0);
}

TEST_CASE("client ids below and above the generated ones are all indexed, across a reopen",
          "[store][idempotency]") {
    // Generated ids are appended at the end of the event-id index; a client's id that is not
    // the largest must still be put in its place, before and after reopening.
    ledger::testing::temp_dir dir;
    std::vector<uuid> ids;
    for (int round = 0; round < 2; ++round) {
        event_store store(options_in(dir));
        for (auto const* id : {"00000000-0000-7000-8000-000000000001", "ffffffff-ffff-7fff-bfff-ffffffffffff"}) {
            auto event = make_event_with_id(id);
            if (round == 1) event.id->data[15] ^= 0x02;  // a new id each round
            ids.push_back(*event.id);
            REQUIRE(store.append(make_request("note-a", expected_version::any(), {event})).has_value());
            auto const generated = store.append(one_event("note-b"));
            REQUIRE(generated.has_value());
            ids.push_back(store.read_event(generated->first_position)->id);
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            CAPTURE(i);
            auto const position = store.position_of(ids[i]);
            REQUIRE(position.has_value());
            CHECK(store.read_event(*position)->id == ids[i]);
        }
    }
}

TEST_CASE("a reopened ledger keeps its events and continues the chain", "[store][durability]") {
    ledger::testing::temp_dir dir;
    chain_head before;
    {
        event_store store(options_in(dir));
        for (int i = 0; i < 10; ++i) REQUIRE(store.append(one_event("campaign-a")).has_value());
        before = store.head();
    }
    event_store store(options_in(dir));
    CHECK(store.head().events == before.events);
    CHECK(store.head().hash == before.hash);
    auto const next = store.append(one_event("campaign-a"));
    REQUIRE(next.has_value());
    CHECK(next->first_position == 10);
    CHECK(next->first_version == 10);
    CHECK(store.verify().ok);
}

TEST_CASE("streams read forward and backward in pages", "[store][read]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    for (int i = 0; i < 5; ++i) {
        REQUIRE(store.append(make_request("candidate-c1", expected_version::any(),
                                          {make_event("NoteRecorded", std::to_string(i))}))
                    .has_value());
        REQUIRE(store.append(one_event("candidate-other")).has_value());
    }
    auto const forward = store.read_stream("candidate-c1", 1, 3, read_direction::forward);
    REQUIRE(forward.has_value());
    REQUIRE(forward->size() == 3);
    CHECK((*forward)[0].version == 1);
    CHECK((*forward)[0].data == "1");
    CHECK((*forward)[2].version == 3);

    auto const backward = store.read_stream("candidate-c1", std::nullopt, 2, read_direction::backward);
    REQUIRE(backward.has_value());
    REQUIRE(backward->size() == 2);
    CHECK((*backward)[0].version == 4);
    CHECK((*backward)[1].version == 3);

    auto const to_start = store.read_stream("candidate-c1", 1, 10, read_direction::backward);
    REQUIRE(to_start.has_value());
    CHECK(to_start->size() == 2);

    auto const past_end = store.read_stream("candidate-c1", 9, 10, read_direction::forward);
    REQUIRE(past_end.has_value());
    CHECK(past_end->empty());

    auto const missing = store.read_stream("candidate-none", std::nullopt, 10, read_direction::forward);
    REQUIRE(missing.has_error());
    CHECK(missing.error().code == error_code::stream_not_found);
}

TEST_CASE("the global log reads from a position with type and category filters", "[store][read]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    REQUIRE(store.append(make_request("campaign-a", expected_version::any(),
                                      {make_event("CampaignPlanned")}))
                .has_value());
    REQUIRE(store.append(make_request("candidate-c1", expected_version::any(),
                                      {make_event("CandidateRegistered")}))
                .has_value());
    REQUIRE(store.append(make_request("campaign-a", expected_version::any(),
                                      {make_event("TripHeld"), make_event("CostRecorded")}))
                .has_value());

    auto const all = store.read_log({.from_position = 1, .limit = 10});
    REQUIRE(all.size() == 3);
    CHECK(all.front().position == 1);

    auto const campaigns = store.read_log({.from_position = 0, .limit = 10, .category = "campaign"});
    REQUIRE(campaigns.size() == 3);
    CHECK(campaigns[1].type == "TripHeld");

    auto const trips = store.read_log({.from_position = 0, .limit = 10, .type = "TripHeld"});
    REQUIRE(trips.size() == 1);
    CHECK(trips[0].position == 2);

    CHECK(store.read_log({.from_position = 0, .limit = 2}).size() == 2);
}

TEST_CASE("events carry their envelope fields and never-decreasing recorded times", "[store]") {
    ledger::testing::temp_dir dir;
    event_store store(options_in(dir));
    auto event = make_event("InterviewBooked", "data-bytes");
    event.metadata = R"({"source":"test"})";
    event.correlation_id = "corr-1";
    REQUIRE(store.append(make_request("candidate-c1", expected_version::any(), {event})).has_value());
    REQUIRE(store.append(one_event("candidate-c1")).has_value());

    auto const first = store.read_event(0);
    auto const second = store.read_event(1);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->type == "InterviewBooked");
    CHECK(first->actor == "test");
    CHECK(first->metadata == R"({"source":"test"})");
    CHECK(first->correlation_id == "corr-1");
    CHECK(first->occurred_at == *parse_timestamp("2024-03-12T10:00:00Z"));
    CHECK(second->recorded_at >= first->recorded_at);
    CHECK(store.position_of(first->id) == 0);
    CHECK((first->id.data[6] >> 4) == 7);  // generated ids are UUIDv7
}

TEST_CASE("the before-commit hook's records are made durable without an append when asked",
          "[store][projection_records]") {
    ledger::testing::temp_dir dir;
    {
        event_store store(options_in(dir));
        REQUIRE(store.append(one_event("target-t1")).has_value());
        int calls = 0;
        store.set_before_commit_hook([&](projection_records& records) {
            ++calls;
            records.put("snapshot/test", "state at 1");
        });
        CHECK_FALSE(store.write_projection_records().has_value());
        CHECK(calls == 1);
        CHECK(store.read_projection_record("snapshot/test") == "state at 1");
        CHECK(store.head().events == 1);  // no event written, the chain untouched
        store.set_before_commit_hook({});
        REQUIRE(store.append(one_event("target-t1")).has_value());  // the writer goes on
    }
    event_store reopened(options_in(dir));
    CHECK(reopened.read_projection_record("snapshot/test") == "state at 1");  // committed
    CHECK(reopened.head().events == 2);
    CHECK(reopened.verify(true).ok);
}

TEST_CASE("a store open for reading refuses to write projection records", "[store][projection_records]") {
    ledger::testing::temp_dir dir;
    { event_store store(options_in(dir)); }
    auto options = options_in(dir);
    options.writer = false;
    event_store store(options);
    auto const refused = store.write_projection_records();
    REQUIRE(refused.has_value());
    CHECK(refused->code == error_code::unavailable);
}
