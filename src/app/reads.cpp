#include "ledger/app/reads.hpp"

#include "events/catalog.hpp"
#include "ledger/app/envelope_json.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/sha256.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string>

namespace ledger::app {
namespace {

namespace json = boost::json;

/// A JSON array of envelopes, as text (append_envelope_json: no DOM per page), ending after the
/// envelope that passes `bytes` of `out`. Returns how many events it wrote (at least one).
std::size_t append_events_json(std::string& out, std::vector<recorded_event> const& events,
                               std::size_t bytes) {
    out += '[';
    std::size_t written = 0;
    for (; written < events.size(); ++written) {
        if (written != 0 && out.size() >= bytes) break;
        if (written != 0) out += ',';
        append_envelope_json(out, events[written]);
    }
    out += ']';
    return written;
}

bool passes_filters(store::log_query const& query, recorded_event const& event) {
    return (query.type.empty() || event.type == query.type) &&
           (query.category.empty() || stream_category(event.stream) == query.category);
}

/// The events of a log page, and where the next page starts when this one was cut short.
struct log_page {
    std::vector<recorded_event> events;
    std::optional<std::uint64_t> next;
};

log_page scan_log(store::event_store const& store, store::log_query const& query,
                  std::uint64_t scan_budget) {
    log_page page;
    if (query.limit == 0) return page;
    std::uint64_t scanned = 0;
    store.scan(query.from_position, [&](recorded_event const& event) {
        if (scanned == scan_budget) {
            page.next = event.position;  // budget spent: continue from here
            return false;
        }
        ++scanned;
        if (passes_filters(query, event)) page.events.push_back(event);
        if (page.events.size() < query.limit) return true;
        page.next = event.position + 1;
        return false;
    });
    return page;
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

/// Where the page after the first `written` of `events` starts, or nullopt when the stream ends
/// in that direction.
std::optional<std::uint64_t> next_version(std::vector<recorded_event> const& events, std::size_t written,
                                          stream_read const& read) {
    if (written < events.size()) return events[written].version;  // cut by bytes
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

result<std::string> read_stream_json(store::event_store const& store, stream_read const& read,
                                     page_budget const& budget) {
    if (auto invalid = check_stream_name(read.stream)) return std::move(*invalid);
    auto events = store.read_stream(read.stream, read.from_version, read.limit, read.direction);
    if (!events) return events.error();
    // Reads show personal fields decrypted (or "[erased]") to roles that need them, else
    // "[redacted]" (docs/privacy.md).
    *events = reveal_personal_data(store, std::move(*events), read.shown);
    bool const forward = read.direction == store::read_direction::forward;
    std::string out = R"({"stream":)" + json::serialize(json::string_view(read.stream)) +
                      R"(,"direction":)" + (forward ? R"("forward")" : R"("backward")") + R"(,"events":)";
    out.reserve(out.size() + std::min(events->size() * 700, budget.bytes));  // a typical envelope's size
    auto const written = append_events_json(out, *events, budget.bytes);
    out += R"(,"next_version":)" + optional_number_text(next_version(*events, written, read)) + "}";
    return out;
}

std::string read_log_json(store::event_store const& store, store::log_query const& query,
                          personal_fields shown, page_budget const& budget) {
    auto page = scan_log(store, query, budget.scanned_events);
    auto const events = reveal_personal_data(store, std::move(page.events), shown);
    std::string out = R"({"events":)";
    out.reserve(std::min(events.size() * 700, budget.bytes));
    auto const written = append_events_json(out, events, budget.bytes);
    if (written < events.size()) page.next = events[written].position;  // cut by bytes
    out += R"(,"next_position":)" + optional_number_text(page.next) + "}";
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
