#pragma once
// A store in a temporary directory behind http::handle, and small request builders, for
// handler tests without sockets.

#include "support/temp_dir.hpp"
#include "support/test_keys.hpp"

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/http/api.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace ledger::testing {

inline std::string campaign_planned(std::string const& id = "",
                                    std::string const& name = "Spain 2024") {
    std::string event = R"({"type":"CampaignPlanned","occurred_at":"2024-01-10",)"
                        R"("data":{"name":")" + name +
                        R"(","kind":"recruitment_trip","organiser":"region-jonkoping"})";
    if (!id.empty()) event += R"(,"id":")" + id + "\"";
    return event + "}";
}

/// A campaign event that may follow CampaignPlanned any number of times.
inline std::string shortage_check(std::string const& country = "ES") {
    return R"({"type":"ShortageCheckRecorded","occurred_at":"2024-01-11",)"
           R"("data":{"country":")" + country + R"(","shortage":false}})";
}

/// {"expected_version": <expected>, "events": [<events>]}
inline std::string append_body(std::string const& expected, std::string const& events) {
    return R"({"expected_version":)" + expected + R"(,"events":[)" + events + "]}";
}

struct http_fixture {
    temp_dir directory;
    // With the domain rules, as recruit-ledgerd runs.
    store::event_store store{
        store::store_options{.directory = directory.path(),
                             .policy = std::make_shared<app::domain_policy>(),
                             .seal = test_sealer()}};
    http::metrics metrics;
    http::api api{store, nullptr, metrics};
    /// The Authorization header every request below carries ("" for none).
    std::string authorization;

    http::response get(std::string target, std::string accept = "") {
        http::request request;
        request.authorization = authorization;
        request.method = "GET";
        request.target = std::move(target);
        request.accept = std::move(accept);
        return http::handle(request, api);
    }

    http::response post(std::string target, std::string body,
                        std::string content_type = "application/json") {
        http::request request;
        request.authorization = authorization;
        request.method = "POST";
        request.target = std::move(target);
        request.content_type = std::move(content_type);
        request.content_length = body.size();
        request.body = std::move(body);
        return http::handle(request, api);
    }

    http::response append(std::string const& stream, std::string const& body) {
        return post("/v1/streams/" + stream + "/events", body);
    }
};

inline boost::json::value json_of(http::response const& response) {
    return boost::json::parse(response.body);
}

/// The error code of an error response ("" when the body is not an error).
inline std::string error_code_of(http::response const& response) {
    auto const body = json_of(response);
    auto const* error = body.as_object().if_contains("error");
    return error ? std::string(error->at("code").as_string()) : std::string();
}

}  // namespace ledger::testing
