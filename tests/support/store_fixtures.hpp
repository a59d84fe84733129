#pragma once
// Small builders for store tests: events and requests with readable defaults.

#include "ledger/store/append.hpp"
#include "ledger/time.hpp"

#include <string>
#include <vector>

namespace ledger::testing {

inline store::event_to_append make_event(std::string type = "NoteRecorded",
                                         std::string data = "payload") {
    store::event_to_append e;
    e.type = std::move(type);
    e.occurred_at = *parse_timestamp("2024-03-12T10:00:00Z");
    e.data = std::move(data);
    return e;
}

inline store::event_to_append make_event_with_id(std::string const& id, std::string data = "payload") {
    auto e = make_event("NoteRecorded", std::move(data));
    e.id = parse_uuid(id);
    return e;
}

inline store::append_request make_request(std::string stream,
                                          store::expected_version expected,
                                          std::vector<store::event_to_append> events) {
    return store::append_request{std::move(stream), expected, "test", std::move(events)};
}

inline store::append_request one_event(std::string stream,
                                       store::expected_version expected = store::expected_version::any()) {
    return make_request(std::move(stream), expected, {make_event()});
}

}  // namespace ledger::testing
