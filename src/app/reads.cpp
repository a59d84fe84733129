#include "ledger/app/reads.hpp"

#include "events/catalog.hpp"
#include "ledger/app/envelope_json.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/sha256.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace ledger::app {
namespace {

namespace json = boost::json;

/// A JSON array of envelopes, as text (append_envelope_json: no DOM per page).
void append_events_json(std::string& out, std::vector<recorded_event> const& events) {
    out += '[';
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i != 0) out += ',';
        append_envelope_json(out, events[i]);
    }
    out += ']';
}

std::string optional_number_text(std::optional<std::uint64_t> number) {
    return number ? std::to_string(*number) : std::string("null");
}

json::value optional_number(std::optional<std::uint64_t> number) {
    return number ? json::value(*number) : json::value();
}

json::object head_fields(store::chain_head const& head) {
    return json::object{{"events", head.events},
                        {"head_position", optional_number(head.position())},
                        {"head_hash", to_hex(head.hash)}};
}

/// Where the page after `events` starts, or nullopt when the stream ends in that direction.
std::optional<std::uint64_t> next_version(std::vector<recorded_event> const& events,
                                          stream_read const& read) {
    if (events.size() < read.limit || events.empty()) return std::nullopt;
    auto const last = events.back().version;
    if (read.direction == store::read_direction::backward) {
        return last == 0 ? std::nullopt : std::optional(last - 1);
    }
    return last + 1;
}

}  // namespace

std::optional<error> check_stream_name(std::string_view stream) {
    if (is_valid_stream_name(stream) && events::is_known_category(stream_category(stream))) {
        return std::nullopt;
    }
    json::object details;
    details["stream"] = stream;
    return error{error_code::invalid_stream_name,
                 "stream names are <category>-<id> with a catalogue category "
                 "(campaign, position, candidate, target) and an id of [A-Za-z0-9._:-]{1,128}",
                 std::move(details)};
}

result<std::string> read_stream_json(store::event_store const& store, stream_read const& read) {
    if (auto invalid = check_stream_name(read.stream)) return std::move(*invalid);
    auto events = store.read_stream(read.stream, read.from_version, read.limit, read.direction);
    if (!events) return events.error();
    // Reads show personal fields decrypted, or "[erased]" (docs/privacy.md).
    *events = reveal_personal_data(store, std::move(*events));
    bool const forward = read.direction == store::read_direction::forward;
    std::string out = R"({"stream":)" + json::serialize(json::string_view(read.stream)) +
                      R"(,"direction":)" + (forward ? R"("forward")" : R"("backward")") + R"(,"events":)";
    out.reserve(out.size() + events->size() * 700);  // a typical envelope's size
    append_events_json(out, *events);
    out += R"(,"next_version":)" + optional_number_text(next_version(*events, read)) + "}";
    return out;
}

std::string read_log_json(store::event_store const& store, store::log_query const& query) {
    auto const events = reveal_personal_data(store, store.read_log(query));
    std::optional<std::uint64_t> next;
    if (!events.empty() && events.size() >= query.limit) next = events.back().position + 1;
    std::string out = R"({"events":)";
    out.reserve(events.size() * 700);
    append_events_json(out, events);
    out += R"(,"next_position":)" + optional_number_text(next) + "}";
    return out;
}

json::object verify_json(store::event_store const& store, bool check_indexes) {
    auto const report = store.verify(check_indexes);
    json::object out{{"ok", report.ok}};
    for (auto const& field : head_fields(report.head)) out.insert(field);
    if (!report.ok) {
        out["first_bad_position"] = optional_number(report.first_bad_position);
        out["problem"] = report.problem;
    }
    return out;
}

json::object head_json(store::event_store const& store) { return head_fields(store.head()); }

}  // namespace ledger::app
