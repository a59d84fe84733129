// The session writes a response as detail::response_head + its body instead of through Beast's
// serializer: the bytes must be exactly Beast's, for every kind of answer the server makes.

#include "../src/http/detail/response_head.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace bhttp = boost::beast::http;
using beast_response = bhttp::response<bhttp::string_body>;

/// What Beast's serializer writes for `message` (operator<< drives it).
std::string beast_bytes(beast_response const& message) {
    std::ostringstream out;
    out << message;
    return out.str();
}

/// A response built the way session.cpp's to_beast builds one.
beast_response make(unsigned status, unsigned version, bool keep_alive, std::string content_type,
                    std::vector<std::pair<std::string, std::string>> const& headers, std::string body) {
    beast_response out{static_cast<bhttp::status>(status), version};
    out.set(bhttp::field::server, "recruit-ledgerd");
    if (!content_type.empty()) out.set(bhttp::field::content_type, content_type);
    out.set("X-Request-Id", "req-0badf00d-17");
    for (auto const& [name, value] : headers) out.set(name, value);
    out.keep_alive(keep_alive);
    out.body() = std::move(body);
    out.prepare_payload();
    return out;
}

/// What the session writes: the head, then the body.
std::string detail_bytes(beast_response const& message) {
    return ledger::http::detail::response_head(message) + message.body();
}

}  // namespace

TEST_CASE("a response's head and body are the bytes Beast's serializer writes", "[http][response_head]") {
    std::vector<beast_response> cases;
    cases.push_back(make(201, 11, true, "application/json", {},
                         R"({"stream":"campaign-bench-17","first_version":1,"last_version":1,"first_position":65,"last_position":65})"));
    cases.push_back(make(200, 11, true, "application/json", {}, "{}"));
    cases.push_back(make(400, 11, true, "application/json", {}, R"({"error":{"code":"invalid_json"}})"));
    cases.push_back(make(413, 11, false, "application/json", {}, R"({"error":{}})"));
    cases.push_back(make(405, 10, true, "application/json", {{"Allow", "GET"}}, "x"));
    cases.push_back(make(405, 10, false, "application/json", {{"Allow", "GET, POST"}}, "x"));
    cases.push_back(make(503, 11, true, "application/json", {{"Retry-After", "1"}}, "busy"));
    cases.push_back(make(401, 11, true, "application/json", {{"WWW-Authenticate", "Bearer"}}, "no"));
    cases.push_back(make(204, 11, true, "", {{"Access-Control-Allow-Methods", "GET, HEAD, POST"}}, ""));
    cases.push_back(make(200, 11, true, "text/csv; charset=utf-8",
                         {{"Content-Disposition", "attachment; filename=\"funnel.csv\""}},
                         std::string(200'000, 'c')));
    // set() replaces a field of the same name, whatever its case, where it stood.
    cases.push_back(make(200, 11, true, "text/plain", {{"content-type", "application/json"}, {"Vary", "Origin"}}, "v"));
    cases.push_back(make(304, 11, true, "", {{"ETag", "\"abc\""}}, ""));
    cases.push_back(make(500, 11, false, "application/json", {}, "internal"));
    cases.push_back(make(299, 11, true, "application/json", {}, "an unknown status"));
    {
        auto with_reason = make(200, 11, true, "application/json", {}, "r");
        with_reason.reason("Fine");
        cases.push_back(std::move(with_reason));
    }
    // Random ones: statuses, versions, keep-alive, extra headers and bodies of any length.
    std::mt19937 random(20261202);
    std::vector<unsigned> const statuses{100, 200, 201, 204, 206, 301, 304, 400, 401, 403, 404, 405, 409, 413,
                                         415, 422, 429, 500, 503, 599};
    std::vector<std::string> const names{"Allow", "Retry-After", "Vary", "Access-Control-Allow-Origin",
                                         "X-Custom", "Cache-Control", "ETag", "x-request-id", "Server"};
    for (int i = 0; i < 500; ++i) {
        auto const status = statuses[random() % statuses.size()];
        bool const no_body = status < 200 || status == 204 || status == 304;
        std::vector<std::pair<std::string, std::string>> headers;
        for (auto n = random() % 4; n > 0; --n) {
            headers.emplace_back(names[random() % names.size()], std::string(random() % 40, 'v'));
        }
        cases.push_back(make(status, random() % 2 == 0 ? 10 : 11, random() % 2 == 0,
                             random() % 3 == 0 ? "" : "application/json", headers,
                             no_body ? "" : std::string(random() % 3000, 'b')));
    }
    for (auto const& message : cases) {
        REQUIRE_FALSE(message.chunked());
        CHECK(detail_bytes(message) == beast_bytes(message));
    }
}
