// Replication on NATS JetStream (SPEC §12, docs/replication.md), end to end: a real
// nats-server and real recruit-ledgerd processes on loopback ports, each with its own
// directories; every wait bounded.

#include "support/http_fixture.hpp"
#include "support/ledger_node.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/uuid.hpp"

#include <nats/nats.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

using namespace ledger;
using namespace ledger::testing;
using boost::beast::http::verb;

namespace {

struct cluster {
    temp_dir directory;
    nats_server nats;
    std::filesystem::path kek = directory / "ledger.kek";
    cluster() {
        auto const made = run_process(RECRUIT_LEDGER, {"keys", "init", "--kek", kek.string()});
        REQUIRE(made.exit_code == 0);
    }
    std::vector<std::string> leader(std::string mode = "sync") const {
        return {"--replicate", nats.url(), "--replication", mode, "--replication-timeout", "2000",
                "--advertise", "http://leader.example:8080"};
    }
    std::vector<std::string> follower() const { return {"--follow", nats.url()}; }
};

/// Appends one CampaignPlanned to a new stream; returns (id, position) when answered 201.
std::optional<std::pair<std::string, std::uint64_t>> append_one(ledger_node const& node, std::string const& stream) {
    auto const id = to_string(make_uuid_v7());
    try {
        auto const reply = node.call(verb::post, "/v1/streams/" + stream + "/events",
                                     append_body("\"no_stream\"", campaign_planned(id)));
        if (reply.result_int() != 201) return std::nullopt;
        auto const body = boost::json::parse(reply.body());
        return std::make_pair(id, body.at("first_position").to_number<std::uint64_t>());
    } catch (...) {
        return std::nullopt;  // the server was killed under the request
    }
}

/// `threads` writers appending `each` events (or until refused); the acknowledged ones.
std::map<std::uint64_t, std::string> load(ledger_node const& node, int threads, int each,
                                          std::atomic<bool> const* stop = nullptr) {
    std::mutex mutex;
    std::map<std::uint64_t, std::string> acked;
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < each && !(stop != nullptr && *stop); ++i) {
                auto const done = append_one(node, "campaign-r" + std::to_string(t) + "x" + std::to_string(i) +
                                                       "y" + std::to_string(make_uuid_v7().data[15]));
                if (!done) {
                    if (stop != nullptr) return;
                    continue;
                }
                std::lock_guard const lock(mutex);
                acked.emplace(done->second, done->first);
            }
        });
    }
    for (auto& w : writers) w.join();
    return acked;
}

/// Every stored event of the (stopped) ledger at `data`, in order.
std::vector<std::string> stored_events(std::filesystem::path const& data) {
    store::event_store ledger({.directory = data, .writer = false});
    std::vector<std::string> out;
    for (std::uint64_t p = 0; auto stored = ledger.stored_event(p); ++p) out.push_back(std::move(*stored));
    return out;
}

/// How many messages the ledger's stream holds (its last sequence).
std::uint64_t stream_events(std::string const& url) {
    natsConnection* connection = nullptr;
    REQUIRE(natsConnection_ConnectTo(&connection, url.c_str()) == NATS_OK);
    jsCtx* js = nullptr;
    REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
    jsStreamInfo* info = nullptr;
    REQUIRE(js_GetStreamInfo(&info, js, "recruit-ledger", nullptr, nullptr) == NATS_OK);
    auto const last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
    return last;
}

std::string verify_head(ledger_node const& node) {
    auto const report = node.get_json("/v1/audit/verify");
    REQUIRE(report.at("ok").as_bool());
    return std::string(report.at("head_hash").as_string());
}

}  // namespace

TEST_CASE("a follower keeps a byte-identical ledger of a sync leader under concurrent appends and refuses appends read_only",
          "[replication]") {
    cluster c;
    ledger_node leader(c.directory / "leader", c.kek, c.leader("sync"));
    ledger_node follower(c.directory / "follower", c.kek, c.follower());
    // A live subscriber of the follower sees the leader's events as they arrive.
    test_connection subscriber(follower.port());
    auto subscribe = make_request(verb::get, "/v1/subscribe?from_position=0");
    subscriber.write(subscribe);
    REQUIRE(subscriber.read_header() == 200);
    // Personal data travels sealed, with its candidate key.
    auto const registered = leader.call(verb::post, "/v1/streams/candidate-c-0192/events",
        append_body("\"no_stream\"", R"({"type":"CandidateRegistered","occurred_at":"2024-01-10","data":{"name":"Lucía García","email":"lucia@example.es","country_of_training":"ES","graduation_year":2016,"career_stage":"specialist"}})"));
    REQUIRE(registered.result_int() == 201);

    auto const acked = load(leader, 4, 40);
    CHECK(acked.size() == 160);
    auto const total = leader.events();
    REQUIRE(eventually([&] { return follower.events() == total; }));
    CHECK(verify_head(follower) == verify_head(leader));
    CHECK(follower.call(verb::get, "/v1/streams/candidate-c-0192").body().find("Lucía García") != std::string::npos);
    CHECK(subscriber.read_until(acked.rbegin()->second).find(acked.rbegin()->second) != std::string::npos);

    auto const refused = follower.call(verb::post, "/v1/streams/campaign-x-1/events",
                                       append_body("\"no_stream\"", campaign_planned()));
    CHECK(refused.result_int() == 503);
    auto const error = boost::json::parse(refused.body()).at("error");
    CHECK(error.at("code") == "read_only");
    CHECK(error.at("details").at("leader") == "http://leader.example:8080");
    auto const ready = ready_json(follower);
    CHECK(ready.at("replication").at("role") == "follower");

    leader.stop();
    follower.stop();
    auto const ours = stored_events(leader.data());
    CHECK(ours.size() == total);
    CHECK(stored_events(follower.data()) == ours);
}

TEST_CASE("kill -9 of a sync leader loses no acknowledged event: the promoted follower appends on and the old leader is fenced",
          "[replication]") {
    cluster c;
    auto leader = std::make_unique<ledger_node>(c.directory / "leader", c.kek, c.leader("sync"));
    ledger_node follower(c.directory / "follower", c.kek, c.follower());

    std::atomic<bool> stop{false};
    std::map<std::uint64_t, std::string> acked;
    std::thread writers([&] { acked = load(*leader, 4, 1000, &stop); });
    REQUIRE(eventually([&] { return follower.events() >= 100; }));
    leader->kill9();
    stop = true;
    writers.join();
    REQUIRE(!acked.empty());
    auto const last_acked = acked.rbegin()->first;
    REQUIRE(eventually([&] { return follower.events() > last_acked; }));
    for (auto const& [position, id] : acked) {
        auto const page = follower.get_json("/v1/events?from_position=" + std::to_string(position) + "&limit=1");
        CHECK(page.at("events").at(0).at("id").as_string() == id);
    }

    // The leader may have got events into the stream that it never acknowledged: promote
    // wants them all on the follower.
    auto const in_stream = stream_events(c.nats.url());
    CHECK(in_stream > last_acked);
    REQUIRE(eventually([&] { return follower.events() == in_stream; }));
    REQUIRE(follower.stop());
    auto const promoted = run_process(RECRUIT_LEDGER, {"promote", "--data", follower.data().string()});
    INFO(promoted.err);
    REQUIRE(promoted.exit_code == 0);
    follower.set_replication(c.leader("sync"));
    follower.start();
    CHECK(append_one(follower, "campaign-after-failover").has_value());
    verify_head(follower);

    // The old leader comes back on its own ledger: the stream has moved on without it. (Its
    // /readyz shows the fence once its read models have loaded: ready_json waits for that.)
    leader->start();
    auto const refused = leader->call(verb::post, "/v1/streams/campaign-y-1/events",
                                      append_body("\"no_stream\"", campaign_planned()));
    CHECK(refused.result_int() == 503);
    CHECK(boost::json::parse(refused.body()).at("error").at("code") == "read_only");
    CHECK(ready_json(*leader).at("replication").at("fenced").as_bool());
}

TEST_CASE("a follower killed with -9 and restarted resumes with no duplicate and no gap", "[replication]") {
    cluster c;
    ledger_node leader(c.directory / "leader", c.kek, c.leader("async"));
    ledger_node follower(c.directory / "follower", c.kek, c.follower());
    std::thread writers([&] { load(leader, 2, 150); });
    REQUIRE(eventually([&] { return follower.events() >= 50; }));
    follower.kill9();
    writers.join();
    follower.start();
    auto const total = leader.events();
    REQUIRE(eventually([&] { return follower.events() == total; }));
    auto const lead = ready_json(leader).at("replication");
    CHECK(lead.at("mode") == "async");
    CHECK(lead.at("lag_events").is_number());
    CHECK(leader.call(verb::get, "/metrics").body().find("ledger_replication_lag_events ") != std::string::npos);
    CHECK(verify_head(follower) == verify_head(leader));
    CHECK(follower.get_json("/v1/audit/verify?indexes=true").at("ok").as_bool());
}

TEST_CASE("a forged message in the stream stops the follower with nothing of it stored", "[replication]") {
    cluster c;
    ledger_node leader(c.directory / "leader", c.kek, c.leader("sync"));
    for (int i = 0; i < 5; ++i) REQUIRE(append_one(leader, "campaign-f-" + std::to_string(i)));
    REQUIRE(leader.stop());
    auto forged = stored_events(leader.data()).back();
    forged[forged.size() / 2] ^= 0x01;  // a changed byte: the stored hash no longer chains

    natsConnection* connection = nullptr;
    REQUIRE(natsConnection_ConnectTo(&connection, c.nats.url().c_str()) == NATS_OK);
    jsCtx* js = nullptr;
    REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
    natsMsg* msg = nullptr;
    REQUIRE(natsMsg_Create(&msg, "recruit-ledger.events", nullptr, forged.data(), static_cast<int>(forged.size())) == NATS_OK);
    REQUIRE(natsMsgHeader_Set(msg, "Ledger-Position", "5") == NATS_OK);
    jsPubAck* ack = nullptr;
    REQUIRE(js_PublishMsg(&ack, js, msg, nullptr, nullptr) == NATS_OK);
    CHECK(ack->Sequence == 6);
    jsPubAck_Destroy(ack);
    natsMsg_Destroy(msg);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);

    ledger_node follower(c.directory / "follower", c.kek, c.follower());
    // Any 503 is not enough: a follower just started answers 503 "read models are loading"
    // before its first fetch. Wait for the stop itself (it is for good, so it stays below).
    auto const stop_reason = [&] {
        auto const reply = follower.call(verb::get, "/readyz");
        if (reply.result_int() != 503) return std::string();
        auto const details = boost::json::parse(reply.body()).at("error").at("details");
        auto const* reason = details.as_object().if_contains("reason");
        return reason != nullptr && reason->is_string() ? std::string(reason->as_string()) : std::string();
    };
    REQUIRE(eventually([&] { return stop_reason() == "replication_stopped"; }));
    CHECK(follower.events() == 5);
    auto const ready = boost::json::parse(follower.call(verb::get, "/readyz").body());
    CHECK(ready.at("error").at("details").at("reason") == "replication_stopped");
    CHECK(file_text(follower.log()).find("does not chain") != std::string::npos);
}

TEST_CASE("with a three-node JetStream cluster (R3) sync appends go on after one NATS node is killed",
          "[replication][cluster]") {
    temp_dir directory;
    nats_cluster nats;
    auto const kek = directory / "ledger.kek";
    REQUIRE(run_process(RECRUIT_LEDGER, {"keys", "init", "--kek", kek.string()}).exit_code == 0);
    ledger_node leader(directory / "leader", kek,
                       {"--replicate", nats.urls(), "--replication", "sync", "--replicas", "3",
                        "--replication-timeout", "2000"});
    ledger_node follower(directory / "follower", kek, {"--follow", nats.urls()});
    // Each append is re-sent with the same event id until it is acknowledged (a re-send of a
    // stored one answers 200 with its position): none may stay unacknowledged.
    auto append_until_acked = [&](std::string const& stream) {
        auto const id = to_string(make_uuid_v7());
        return eventually([&] {
            try {
                auto const reply = leader.call(verb::post, "/v1/streams/" + stream + "/events",
                                               append_body("\"any\"", campaign_planned(id)));
                return reply.result_int() == 201 || reply.result_int() == 200;
            } catch (...) {
                return false;
            }
        }, std::chrono::seconds(20));
    };
    for (int i = 0; i < 10; ++i) REQUIRE(append_until_acked("campaign-before-" + std::to_string(i)));
    nats.kill9(0);
    for (int i = 0; i < 10; ++i) CHECK(append_until_acked("campaign-after-" + std::to_string(i)));
    auto const total = leader.events();
    CHECK(total == 20);
    REQUIRE(eventually([&] { return follower.events() == total; }));
    CHECK(verify_head(follower) == verify_head(leader));
}

TEST_CASE("a leader started while its R3 cluster still lacks a node waits for the node instead of failing its start",
          "[replication][cluster]") {
    temp_dir directory;
    nats_cluster nats(2);  // a quorum elects a metadata leader, but three copies have nowhere to go
    auto const kek = directory / "ledger.kek";
    REQUIRE(run_process(RECRUIT_LEDGER, {"keys", "init", "--kek", kek.string()}).exit_code == 0);
    // The third node starts only once the leader says it waits: the leader's start (and its
    // port file, which ledger_node waits for) spans the cluster's forming, whatever the load.
    bool waited = false;
    std::thread third([&] {
        waited = wait_for_text(directory / "leader.log", "cannot hold the stream yet", std::chrono::seconds(20));
        nats.start(2);
    });
    std::optional<ledger_node> leader;
    try {
        leader.emplace(directory / "leader", kek,
                       std::vector<std::string>{"--replicate", nats.urls(), "--replication", "sync", "--replicas", "3"});
    } catch (...) {
        third.join();  // a failed start (the REQUIRE of its port) must not leave the thread joinable
        throw;
    }
    third.join();
    CHECK(waited);
    CHECK(append_one(*leader, "campaign-after-the-cluster-formed").has_value());
    CHECK(leader->events() == 1);
}

TEST_CASE("a sync leader answers no append as stored while JetStream is down and catches the stream up when it is back",
          "[replication]") {
    cluster c;
    ledger_node leader(c.directory / "leader", c.kek,
                       {"--replicate", c.nats.url(), "--replication", "sync", "--replication-timeout", "500"});
    REQUIRE(append_one(leader, "campaign-o-1"));
    c.nats.kill9();
    auto const id = to_string(make_uuid_v7());
    auto const body = append_body("\"no_stream\"", campaign_planned(id));
    auto const during = leader.call(verb::post, "/v1/streams/campaign-o-2/events", body);
    CHECK(during.result_int() == 503);
    CHECK(boost::json::parse(during.body()).at("error").at("details").at("reason") == "replication_timeout");
    auto const next = leader.call(verb::post, "/v1/streams/campaign-o-3/events",
                                  append_body("\"no_stream\"", campaign_planned()));
    CHECK(next.result_int() == 503);  // refused: the stream lags the ledger

    c.nats.start();
    // The background publisher catches the stream up; then the re-sent append is answered
    // with its original position, and new ones are taken again.
    REQUIRE(eventually([&] {
        return leader.call(verb::post, "/v1/streams/campaign-o-2/events", body).result_int() == 200;
    }));
    CHECK(append_one(leader, "campaign-o-4").has_value());
    ledger_node follower(c.directory / "follower", c.kek, c.follower());
    auto const total = leader.events();
    CHECK(total == 3);
    REQUIRE(eventually([&] { return follower.events() == total; }));
    CHECK(verify_head(follower) == verify_head(leader));
}

TEST_CASE("a second leader that writes the same stream at the same time is fenced and takes no more appends",
          "[replication]") {
    cluster c;
    ledger_node first(c.directory / "first", c.kek, c.leader("sync"));
    ledger_node second(c.directory / "second", c.kek, c.leader("sync"));
    REQUIRE(append_one(first, "campaign-one-1"));
    // The second commits its event locally, but the stream already holds position 0.
    auto const refused = second.call(verb::post, "/v1/streams/campaign-two-1/events",
                                     append_body("\"no_stream\"", campaign_planned()));
    CHECK(refused.result_int() == 503);
    CHECK(boost::json::parse(refused.body()).at("error").at("code") == "read_only");
    auto const again = second.call(verb::post, "/v1/streams/campaign-two-2/events",
                                   append_body("\"no_stream\"", campaign_planned()));
    CHECK(boost::json::parse(again.body()).at("error").at("details").at("reason") == "fenced");
    CHECK(ready_json(second).at("replication").at("fenced").as_bool());
    CHECK(append_one(first, "campaign-one-2").has_value());
    CHECK(stream_events(c.nats.url()) == 2);
}
