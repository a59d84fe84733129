// libFuzzer harness for the HTTP API's request → response logic (http::route), the function
// every request reaches after the session's size limits. Input: five header lines (method,
// target, Content-Type, Accept, Last-Event-ID) and then the body. Properties: no crash, no
// sanitizer report, no exception for any input, never a 5xx other than 503/507, and every
// error response carries the SPEC §6 body {"error": {"code", "message", "details"}}.
// Appends are routed but not submitted, so the store stays as seeded and runs stay fast.

#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/http/api.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

using namespace ledger;

/// A ledger with one campaign stream, in a fresh directory under /tmp, shared by every input.
http::api& seeded_api() {
    static std::string directory = [] {
        std::string pattern = (std::filesystem::temp_directory_path() / "ledger-fuzz-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        return pattern;
    }();
    static store::event_store store(
        store::store_options{.directory = directory,
                             .policy = std::make_shared<app::domain_policy>(),
                             .seal = std::make_shared<app::personal_data_sealer>(
                                 std::make_shared<app::subject_key_cache const>(
                                     std::make_shared<app::key_encryption_key const>(
                                         std::string(app::kek_size, 'F'))))});
    static http::metrics metrics;
    static http::api api{store, nullptr, metrics, std::size_t{64} << 10};
    static bool const seeded = [] {
        http::request append;
        append.method = "POST";
        append.target = "/v1/streams/campaign-seed/events";
        append.content_type = "application/json";
        append.body = R"({"expected_version":"any","events":[{"type":"CampaignPlanned","occurred_at":)"
                      R"("2024-01-10","data":{"name":"Seed","kind":"recruitment_trip","organiser":"x"}}]})";
        return http::handle(append, api).status == 201 || store.head().events > 0;
    }();
    if (!seeded) std::abort();
    return api;
}

/// The next line of `input` (without its '\n'), consumed.
std::string next_line(std::string_view& input) {
    auto const end = input.find('\n');
    auto const line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    return std::string(line);
}

void check_error_body(http::response const& response) {
    boost::system::error_code failure;
    auto const body = boost::json::parse(response.body, failure);
    if (failure || !body.is_object()) std::abort();
    auto const* error = body.as_object().if_contains("error");
    if (error == nullptr || !error->is_object()) std::abort();
    auto const& fields = error->as_object();
    if (!fields.contains("code") || !fields.at("code").is_string() || !fields.contains("message") ||
        !fields.contains("details") || !fields.at("details").is_object()) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view input(reinterpret_cast<char const*>(data), size);
    http::request request;
    request.method = next_line(input);
    request.target = next_line(input);
    request.content_type = next_line(input);
    request.accept = next_line(input);
    request.last_event_id = next_line(input);
    request.body = std::string(input);
    request.content_length = request.body.size();
    auto const response = http::route(request, seeded_api());
    if (response.append) return 0;  // a valid append, left unsubmitted
    if (response.status >= 500 && response.status != 503 && response.status != 507) std::abort();
    if (response.status >= 400) check_error_body(response);
    return 0;
}
