#pragma once
// An event's JSON `data` read from parser tokens (boost::json::basic_parser callbacks) straight
// into the catalogue's struct, without a DOM: the append path's fast lane (issue 18).
//
// It accepts exactly what event_from_json accepts and builds the same event, and nothing more:
// every token it does not expect (an unknown or repeated member, a wrong type, a value the
// catalogue refuses, a nested object) makes the call return false, and the caller then answers
// from the DOM path, which says why (SPEC §6 error bodies stay in one place, codec.cpp).
// tests/test_append_body_tokens.cpp holds the two to the same results.
//
// Pure; one reader per thread at a time (it keeps the state of one `data` object).

#include "events/recruitment_event.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ledger::events {

class data_token_reader {
public:
    /// Starts a `data` object of catalogue type `type` in `out` (replaced by a default event of
    /// that type). False when the catalogue has no such type.
    bool begin(std::string_view type, recruitment_event& out);

    /// A member name of the object. False for a name the type lacks or one given twice.
    bool key(std::string_view name);

    /// The current member's value, or one item of it when it is an array. False when the
    /// member does not take this token or the catalogue refuses the value.
    bool string(std::string_view text);
    bool int64(std::int64_t number);
    bool uint64(std::uint64_t number);
    bool boolean(bool value);
    bool null();
    bool array_begin();
    bool array_end();

    /// The object's end: true when every required member was given and the event is
    /// consistent (check_consistency), i.e. event_from_json would return the same event.
    bool end();

private:
    recruitment_event* out_ = nullptr;
    std::span<std::string_view const> names_;     // the type's member names, in declaration order
    std::size_t type_index_ = 0;                   // the alternative of recruitment_event
    std::size_t member_ = 0;                       // the current member, in declaration order
    std::uint64_t seen_ = 0;                       // members given, one bit each
    bool in_array_ = false;                        // between the current member's [ and ]
};

}  // namespace ledger::events
