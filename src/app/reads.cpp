#include "ledger/app/reads.hpp"

#include "events/catalog.hpp"
#include "ledger/app/envelope_json.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/sha256.hpp"

#include <boost/json/array.hpp>

namespace ledger::app {
namespace {

namespace json = boost::json;

// Reads show personal fields decrypted, or "[erased]" (docs/privacy.md).
json::array events_json(store::event_store const& store, std::vector<recorded_event> const& events) {
    json::array out;
    out.reserve(events.size());
    for (auto const& event : events) {
        out.push_back(envelope_to_json(reveal_personal_data(store, event)));
    }
    return out;
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

result<json::object> read_stream_json(store::event_store const& store, stream_read const& read) {
    if (auto invalid = check_stream_name(read.stream)) return std::move(*invalid);
    auto events = store.read_stream(read.stream, read.from_version, read.limit, read.direction);
    if (!events) return events.error();
    bool const forward = read.direction == store::read_direction::forward;
    return json::object{{"stream", read.stream},
                        {"direction", forward ? "forward" : "backward"},
                        {"events", events_json(store, *events)},
                        {"next_version", optional_number(next_version(*events, read))}};
}

json::object read_log_json(store::event_store const& store, store::log_query const& query) {
    auto const events = store.read_log(query);
    std::optional<std::uint64_t> next;
    if (!events.empty() && events.size() >= query.limit) next = events.back().position + 1;
    return json::object{{"events", events_json(store, events)}, {"next_position", optional_number(next)}};
}

json::object verify_json(store::event_store const& store) {
    auto const report = store.verify();
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
