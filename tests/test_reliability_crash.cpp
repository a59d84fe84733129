// Process-level crash test (SPEC §10): the real recruit-ledgerd under concurrent keep-alive
// HTTP appends from several clients is killed with SIGKILL at a random moment, then the ledger
// is reopened: every event the server acknowledged (201) must be there exactly once and the
// hash chain and its indexes must verify. Then the server restarts on the same data directory
// for the next round. At the end every read model, as the restarted server keeps it, must equal
// a fresh replay of the same log.

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>

using namespace ledger;
using namespace ledger::testing;

namespace {

constexpr int rounds = 20;
constexpr int clients = 4;

std::string event_id(int round, int client, int sequence) {
    char text[40];
    std::snprintf(text, sizeof text, "%08x-0000-7000-8000-%012x", static_cast<unsigned>(round * 16 + client),
                  static_cast<unsigned>(sequence));
    return text;
}

/// CampaignPlanned opens the stream; CostRecorded may follow any number of times.
std::string event_json(std::string const& id, int sequence) {
    if (sequence == 0) {
        return R"({"id":")" + id + R"(","type":"CampaignPlanned","occurred_at":"2024-01-10",)"
               R"("data":{"name":"Crash trip","kind":"recruitment_trip","organiser":"region-jonkoping"}})";
    }
    return R"({"id":")" + id + R"(","type":"CostRecorded","occurred_at":"2024-02-01",)"
           R"("data":{"category":"travel","amount_minor":)" + std::to_string(sequence * 100) +
           R"(,"currency":"SEK"}})";
}

struct acknowledgements {
    std::mutex mutex;
    std::map<std::string, std::string> stream_of_id;  // every event id answered with 201
    std::atomic<int> count{0};
    std::atomic<int> server_errors{0};  // 5xx other than 503/507: a bug

    void add(std::string id, std::string stream) {
        std::scoped_lock lock(mutex);
        stream_of_id.emplace(std::move(id), std::move(stream));
        ++count;
    }
};

/// One keep-alive client appending to its own campaign stream until the connection dies.
void append_until_refused(std::uint16_t port, int round, int client, acknowledgements& acks) {
    raw_client connection(port, std::chrono::seconds(5));
    if (!connection.connected()) return;
    auto const stream = "campaign-crash-r" + std::to_string(round) + "-c" + std::to_string(client);
    for (int sequence = 0; sequence < 100'000; ++sequence) {
        auto const id = event_id(round, client, sequence);
        auto const body = R"({"expected_version":"any","events":[)" + event_json(id, sequence) + "]}";
        auto const reply = connection.call(http_request("POST", "/v1/streams/" + stream + "/events", body));
        if (reply.status == 201) {
            acks.add(id, stream);
        } else {
            if (reply.status >= 500 && reply.status != 503 && reply.status != 507) ++acks.server_errors;
            return;  // killed (status 0) or refused: this client's round is over
        }
    }
}

/// Every acknowledged id occurs exactly once in the log, in the stream it was sent to.
void check_acknowledged_once(std::filesystem::path const& data, acknowledgements& acks) {
    store::event_store store({.directory = data});
    auto const report = store.verify(true);
    REQUIRE(report.ok);
    std::map<std::string, int> occurrences;
    std::map<std::string, std::string> stream_of;
    for (std::uint64_t from = 0;;) {
        auto const page = store.read_log({from, 1000, {}, {}});
        if (page.empty()) break;
        for (auto const& event : page) {
            auto const id = to_string(event.id);
            ++occurrences[id];
            stream_of[id] = event.stream;
        }
        from = page.back().position + 1;
    }
    std::scoped_lock lock(acks.mutex);
    for (auto const& [id, stream] : acks.stream_of_id) {
        INFO("acknowledged event " << id << " in " << stream);
        REQUIRE(occurrences[id] == 1);
        REQUIRE(stream_of[id] == stream);
    }
    for (auto const& [id, count] : occurrences) REQUIRE(count == 1);
}

}  // namespace

TEST_CASE("acknowledged HTTP appends survive kill -9 of the server, exactly once, chain intact",
          "[reliability][crash]") {
    temp_dir directory;
    auto const data = directory / "data";
    ledgerd server(data, {"--threads", "2"});
    acknowledgements acks;
    std::mt19937 random{std::random_device{}()};
    for (int round = 0; round < rounds; ++round) {
        REQUIRE(server.start());
        std::vector<std::jthread> load;
        for (int client = 0; client < clients; ++client) {
            load.emplace_back(append_until_refused, server.port(), round, client, std::ref(acks));
        }
        // Kill at a random moment once this round has had some acknowledged appends.
        auto const before = acks.count.load();
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (acks.count.load() < before + 5 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution(0, 150)(random)));
        REQUIRE(server.kill(SIGKILL));
        load.clear();  // joins: every client sees its connection die
        CHECK(acks.count.load() > before);
        check_acknowledged_once(data, acks);
    }
    CHECK(acks.server_errors.load() == 0);

    // The restarted server agrees: the chain verifies over HTTP too.
    REQUIRE(server.start());
    raw_client client(server.port());
    auto const verified = client.call(http_request("GET", "/v1/audit/verify"));
    CHECK(verified.status == 200);
    CHECK(verified.body.find(R"("ok":true)") != std::string::npos);

    // The live read models (resumed and caught up after twenty kills) equal a fresh replay.
    auto const head = std::to_string(boost::json::parse(verified.body).at("head_position").as_int64());
    for (std::string const name : {"recruits-per-campaign", "funnel", "hires-vs-target", "vacancies",
                                   "outreach", "origin", "retention"}) {
        auto const live = client.call(http_request("GET", "/v1/projections/" + name + "?min_position=" + head));
        auto const replayed = client.call(http_request("GET", "/v1/projections/" + name + "?as_of_position=" + head));
        INFO(name);
        CHECK(live.status == 200);
        CHECK(live.body == replayed.body);
    }
}
