// Full disk (SPEC §3, §10): the real recruit-ledgerd on a tiny tmpfs that the test mounts.
// Appends go on until the filesystem is full; then they fail with 507 storage_full (never
// another 5xx), everything acknowledged before is intact and verifies, and appends succeed
// again once space is freed by deleting a ballast file on the same filesystem.
// Needs permission to mount (root in CI); elsewhere the test warns and does nothing.

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

using namespace ledger::testing;

namespace {

/// A tmpfs of `size` mounted on `directory` for the scope's lifetime.
class tmpfs_mount {
public:
    tmpfs_mount(std::filesystem::path directory, std::string const& size) : directory_(std::move(directory)) {
        std::filesystem::create_directories(directory_);
        auto const command = "mount -t tmpfs -o size=" + size + " tmpfs '" + directory_.string() + "' 2>/dev/null";
        mounted_ = std::system(command.c_str()) == 0;
    }
    ~tmpfs_mount() {
        if (mounted_) std::system(("umount -l '" + directory_.string() + "'").c_str());
    }
    tmpfs_mount(tmpfs_mount const&) = delete;
    tmpfs_mount& operator=(tmpfs_mount const&) = delete;
    bool mounted() const noexcept { return mounted_; }

private:
    std::filesystem::path directory_;
    bool mounted_ = false;
};

/// One append of `count` CostRecorded events to campaign-full (opened by CampaignPlanned).
std::string cost_batch(int count) {
    std::string events;
    for (int i = 0; i < count; ++i) {
        if (!events.empty()) events += ",";
        events += R"({"type":"CostRecorded","occurred_at":"2024-02-01","data":{"category":"travel",)"
                  R"("amount_minor":)" + std::to_string(i + 1) + R"(,"currency":"SEK"}})";
    }
    return R"({"expected_version":"any","events":[)" + events + "]}";
}

constexpr auto target = "/v1/streams/campaign-full/events";

/// The log's event count as /v1/audit/verify reports it, after checking the chain is ok.
std::uint64_t verified_events(raw_client& client) {
    auto const reply = client.call(http_request("GET", "/v1/audit/verify"));
    REQUIRE(reply.status == 200);
    auto const report = boost::json::parse(reply.body);
    CHECK(report.at("ok") == true);
    return report.at("events").to_number<std::uint64_t>();
}

}  // namespace

TEST_CASE("a full disk gives 507 storage_full, keeps every stored event and recovers when space is freed",
          "[reliability][storage]") {
    temp_dir directory;
    tmpfs_mount disk(directory / "disk", "8m");
    if (!disk.mounted()) {
        WARN("skipped: mounting a tmpfs is not permitted here (the test needs root)");
        return;
    }
    auto const ballast = directory / "disk" / "ballast";
    std::ofstream(ballast) << std::string(std::size_t{2} << 20, 'b');
    ledgerd server(directory / "disk" / "data");
    REQUIRE(server.start());
    raw_client client(server.port());
    REQUIRE(client.call(http_request("POST", target, R"({"expected_version":"no_stream","events":[)"
                                     R"({"type":"CampaignPlanned","occurred_at":"2024-01-10","data":)"
                                     R"({"name":"Full","kind":"recruitment_trip","organiser":"x"}}]})")).status == 201);
    std::uint64_t acknowledged = 1;
    raw_response refused;
    for (int request = 0; request < 2000 && refused.status == 0; ++request) {
        auto reply = client.call(http_request("POST", target, cost_batch(200)));
        if (reply.status == 201) {
            acknowledged += 200;
        } else {
            refused = std::move(reply);
        }
    }
    INFO(refused.head << refused.body);
    REQUIRE(refused.status == 507);
    CHECK(boost::json::parse(refused.body).at("error").at("code") == "storage_full");
    raw_client checker(server.port());
    CHECK(verified_events(checker) == acknowledged);
    // Still full: a second attempt is refused the same way, and nothing changes.
    CHECK(checker.call(http_request("POST", target, cost_batch(200))).status == 507);
    CHECK(verified_events(checker) == acknowledged);

    std::filesystem::remove(ballast);
    CHECK(checker.call(http_request("POST", target, cost_batch(200))).status == 201);
    CHECK(verified_events(checker) == acknowledged + 200);
    REQUIRE(server.running());
}
