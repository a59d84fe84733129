// Every read model served over HTTP writes its numbers as plain decimals (SPEC §6), on a
// generated, rule-abiding history large enough to have ratios and medians.

#include "support/json_tokens.hpp"
#include "support/recruitment_generator.hpp"
#include "support/temp_dir.hpp"

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/http/api.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

using namespace ledger;
using namespace std::chrono_literals;

namespace {

store::store_options options_in(testing::temp_dir const& dir) {
    store::store_options o;
    o.directory = dir.path();
    o.initial_map_size = std::size_t{64} << 20;
    o.policy = std::make_shared<app::domain_policy>();
    return o;
}

/// Appends `count` generated events, submitted together (grouped commits, in order).
void append_generated(store::event_store& store, std::uint64_t seed, int count) {
    testing::recruitment_generator generator(seed);
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < count; ++i) {
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(generator.next().request(),
                           [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) REQUIRE(r.get().has_value());
}

http::response get(http::api& api, std::string target) {
    http::request request;
    request.method = "GET";
    request.target = std::move(target);
    return http::handle(request, api);
}

/// How many number tokens of `text` have a fraction; fails the test on an exponent.
std::size_t fractions_in(std::string const& text) {
    std::size_t fractions = 0;
    for (auto const& token : testing::json_number_tokens(text)) {
        INFO(token);
        CHECK(token.find_first_of("eE") == std::string::npos);
        if (token.find('.') != std::string::npos) ++fractions;
    }
    return fractions;
}

}  // namespace

TEST_CASE("every read model answers JSON numbers as plain decimals", "[http][projections][json]") {
    testing::temp_dir dir;
    store::event_store store(options_in(dir));
    append_generated(store, 20261130, 3000);
    app::projection_runner runner(store);
    REQUIRE(runner.wait_until_caught_up(30s));
    http::metrics metrics;
    http::api api{store, &runner, metrics};

    std::size_t fractions = 0;
    for (auto const& summary : runner.list()) {
        INFO(summary.name);
        // Live (the runner's cached text) and as of a position (serialised per query).
        for (auto const& query : {std::string(), std::string("?as_of_position=2000")}) {
            auto const response = get(api, "/v1/projections/" + summary.name + query);
            REQUIRE(response.status == 200);
            fractions += fractions_in(response.body);
        }
    }
    CHECK(fractions > 0);
    // The funnel's conversions are among them: ratios strictly between 0 and 1.
    auto const funnel = boost::json::parse(get(api, "/v1/projections/funnel").body);
    std::size_t ratios = 0;
    for (auto const& row : funnel.at("rows").as_array()) {
        for (auto const& stage : row.at("conversion").as_object()) {
            auto const& value = stage.value();
            if (value.is_double() && value.as_double() > 0 && value.as_double() < 1) ++ratios;
        }
    }
    CHECK(ratios > 0);
}
