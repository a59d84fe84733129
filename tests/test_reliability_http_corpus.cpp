// The HTTP handler's fuzz corpus (tests/fuzz/corpus/http_handler), replayed under the normal
// suite (and its ASan+UBSan build) through the pure handler http::route, with the harness's
// properties (tests/fuzz/fuzz_http_handler.cpp): no exception, never a 5xx other than 503/507,
// and every error response carries the SPEC §6 body.

#include "support/http_fixture.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ledger;
using namespace ledger::testing;

namespace {

/// The next line of `input` (without its '\n'), consumed: the harness's input format.
std::string next_line(std::string_view& input) {
    auto const end = input.find('\n');
    auto const line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    return std::string(line);
}

http::request request_from(std::string_view input) {
    http::request request;
    request.method = next_line(input);
    request.target = next_line(input);
    request.content_type = next_line(input);
    request.accept = next_line(input);
    request.last_event_id = next_line(input);
    request.body = std::string(input);
    request.content_length = request.body.size();
    return request;
}

bool has_error_body(http::response const& response) {
    boost::system::error_code failure;
    auto const body = boost::json::parse(response.body, failure);
    if (failure || !body.is_object()) return false;
    auto const* error = body.as_object().if_contains("error");
    if (error == nullptr || !error->is_object()) return false;
    auto const& fields = error->as_object();
    return fields.contains("code") && fields.at("code").is_string() && fields.contains("message") &&
           fields.contains("details") && fields.at("details").is_object();
}

}  // namespace

TEST_CASE("every input of the HTTP handler's fuzz corpus gets a 4xx with an error body or a success",
          "[reliability][hostile][fuzz]") {
    http_fixture f;
    f.api.body_limit = std::size_t{64} << 10;  // as the harness
    REQUIRE(f.append("campaign-seed", append_body("\"any\"", campaign_planned())).status == 201);
    auto const corpus = std::filesystem::path(LEDGER_SOURCE_DIR) / "tests/fuzz/corpus/http_handler";
    std::size_t replayed = 0;
    for (auto const& file : std::filesystem::directory_iterator(corpus)) {
        std::ifstream in(file.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        INFO(file.path().filename().string());
        http::response response;
        REQUIRE_NOTHROW(response = http::route(request_from(bytes.str()), f.api));
        ++replayed;
        if (response.append) continue;  // a valid append, left unsubmitted like the harness
        CHECK((response.status < 500 || response.status == 503 || response.status == 507));
        if (response.status >= 400) CHECK(has_error_body(response));
    }
    CHECK(replayed >= 10);
}
