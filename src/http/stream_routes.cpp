// Appends, stream and log reads, and the SSE subscription's request side.

#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include "events/catalog.hpp"
#include "ledger/app/append_body.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/app/reads.hpp"
#include "ledger/app/subject_access.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include <array>
#include <cctype>
#include <charconv>
#include <memory>
#include <span>

namespace ledger::http::detail {
namespace {

namespace json = boost::json;

/// The body as a DOM whose memory comes from `memory` (which must outlive it). json::parse,
/// with this thread's parser: its working stack (a batch's 1,000 values) keeps its memory.
result<json::value> parse_json_body(std::string const& body, json::storage_ptr memory) {
    thread_local json::parser parser;
    parser.reset(std::move(memory));
    boost::system::error_code failure;
    parser.write(body, failure);
    if (failure) {
        parser.reset();  // lets go of `memory` and of what was parsed
        return error{error_code::invalid_json, "the body is not valid JSON", {}};
    }
    return parser.release();
}

result<std::size_t> limit_param(route_input const& in) {
    auto const limit = integer_param(in.query, "limit", app::max_read_limit);
    if (!limit) return limit.error();
    if (*limit == 0) return error{error_code::bad_request, "limit must be at least 1", {}};
    return static_cast<std::size_t>(limit->value_or(app::default_read_limit));
}

result<store::read_direction> direction_param(route_input const& in) {
    auto const direction = text_param(in.query, "direction").value_or("forward");
    if (direction == "forward") return store::read_direction::forward;
    if (direction == "backward") return store::read_direction::backward;
    return error{error_code::bad_request, "direction must be forward or backward", {}};
}

/// An SSE Last-Event-ID: the position of the last event the client saw.
result<std::optional<std::uint64_t>> last_event_id(std::string const& header) {
    if (header.empty()) return std::optional<std::uint64_t>{};
    std::uint64_t position = 0;
    auto const* const end = header.data() + header.size();
    auto const [stop, failure] = std::from_chars(header.data(), end, position);
    if (failure != std::errc{} || stop != end || position == UINT64_MAX) {
        return error{error_code::bad_request, "Last-Event-ID must be an event position", {}};
    }
    return std::optional(position);
}

/// Bodies up to this size are parsed into an arena on the stack.
constexpr std::size_t small_body = 1024;
/// A batch's DOM takes about three times its body's bytes: 1 MiB holds a 1,000-event batch's.
constexpr std::size_t thread_arena_bytes = std::size_t{1} << 20;

/// Memory for larger bodies' DOMs, one block per thread (an I/O thread parses one body at a
/// time, never across a suspension), reused from request to request: no allocation, and pages
/// that stay mapped and warm. A DOM that outgrows it takes the rest from the heap.
std::span<unsigned char> thread_arena() {
    thread_local std::unique_ptr<unsigned char[]> const block(new unsigned char[thread_arena_bytes]);
    return {block.get(), thread_arena_bytes};
}

/// The append request of the body's DOM, or the error that refuses it (SPEC §6).
result<store::append_request> parse_append_dom(route_input const& in) {
    // The DOM lives only for this request: a monotonic arena replaces its many small heap
    // allocations, on the stack for a typical single-event body, else this thread's reused one.
    std::array<unsigned char, 4096> small;
    auto const arena = in.http.body.size() > small_body ? thread_arena() : std::span<unsigned char>(small);
    json::monotonic_resource memory(arena.data(), arena.size());
    auto const body = parse_json_body(in.http.body, &memory);
    if (!body) return body.error();
    return app::parse_append_body(in.path_param, *body, in.caller.name);
}

app::page_budget budget_of(api const& api) {
    return app::page_budget{api.page_bytes, api.scan_events};
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
    auto const media = content_type.substr(0, content_type.find(';'));
    auto const trimmed = media.substr(0, media.find_last_not_of(' ') + 1);
    if (trimmed.size() != 16) return false;
    for (std::size_t i = 0; i < trimmed.size(); ++i) {
        auto const lower = static_cast<char>(std::tolower(static_cast<unsigned char>(trimmed[i])));
        if (lower != "application/json"[i]) return false;
    }
    return true;
}

response append_events(route_input const& in, api& api) {
    if (!is_json_media_type(in.http.content_type)) {
        return error_response(error_code::unsupported_media_type, "appends take application/json");
    }
    if (in.http.body.size() > api.body_limit || in.http.content_length.value_or(0) > api.body_limit) {
        return error_response(error_code::payload_too_large, "the body exceeds the server's limit");
    }
    if (auto invalid = app::check_stream_name(in.path_param)) return error_response(*invalid);
    // The usual body is read from its tokens, without a DOM; anything else (every refusal
    // included) is parsed as a DOM, whose answer stands (app::parse_append_text).
    auto request = app::parse_append_text(in.path_param, in.http.body, in.caller.name);
    if (!request) {
        auto parsed = parse_append_dom(in);
        if (!parsed) return error_response(parsed.error());
        request = std::move(*parsed);
    }
    if (auto refused = app::refuse_direct_erasure(*request)) return error_response(*refused);

    response pending;
    pending.append = std::move(*request);
    return pending;
}

response read_stream(route_input const& in, api& api) {
    auto const from_version = integer_param(in.query, "from_version");
    if (!from_version) return error_response(from_version.error());
    auto const limit = limit_param(in);
    if (!limit) return error_response(limit.error());
    auto const direction = direction_param(in);
    if (!direction) return error_response(direction.error());
    auto page = app::read_stream_json(
        api.store,
        app::stream_read{in.path_param, *from_version, *limit, *direction,
                         app::personal_fields_for(in.caller.granted)},
        budget_of(api));
    if (!page) return error_response(page.error());
    return json_text_response(200, std::move(*page));
}

response read_log(route_input const& in, api& api) {
    auto const from_position = integer_param(in.query, "from_position");
    if (!from_position) return error_response(from_position.error());
    auto const limit = limit_param(in);
    if (!limit) return error_response(limit.error());
    store::log_query query{from_position->value_or(0), *limit,
                           text_param(in.query, "type").value_or(""),
                           text_param(in.query, "category").value_or("")};
    if (!query.type.empty() && !events::is_known_type(query.type)) {
        return error_response(error_code::bad_request, "type is not a catalogue event type");
    }
    if (!query.category.empty() && !events::is_known_category(query.category)) {
        return error_response(error_code::bad_request, "category is not a catalogue category");
    }
    auto const shown = app::personal_fields_for(in.caller.granted);
    if (query.type.empty() && query.category.empty()) {
        return json_text_response(200, app::read_log_json(api.store, query, shown, budget_of(api)));
    }
    // A filtered read may decode up to scan_events events to fill its page: on a worker.
    return offloaded([query = std::move(query), shown, &api] {
        return json_text_response(200, app::read_log_json(api.store, query, shown, budget_of(api)));
    });
}

response subscribe(route_input const& in, api&) {
    auto const from_position = integer_param(in.query, "from_position");
    if (!from_position) return error_response(from_position.error());
    auto const resume_after = last_event_id(in.http.last_event_id);
    if (!resume_after) return error_response(resume_after.error());
    // A reconnecting EventSource repeats the original URL; Last-Event-ID is the newer truth.
    auto const from = *resume_after ? **resume_after + 1 : from_position->value_or(0);
    auto out = text_response(200, "text/event-stream", {});
    out.subscribe = subscription{from, app::reveals_personal_data(in.caller.granted)};
    return out;
}

}  // namespace ledger::http::detail

namespace ledger::http {

response finish_append(store::append_result const& result, std::size_t events, double seconds,
                       api& api) {
    api.metrics.record_append(events, seconds, result.has_value());
    if (!result) {
        auto out = detail::error_response(result.error());
        // A full write queue or a shutdown passes; a client may retry (with the same ids).
        if (result.error().code == error_code::unavailable) out.headers.emplace_back("Retry-After", "1");
        return out;
    }
    return detail::text_response(result->already_recorded ? 200 : 201, "application/json",
                                 app::append_success_json(*result));
}

}  // namespace ledger::http
