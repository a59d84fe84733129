#pragma once
// The event envelope (SPEC §4): one immutable, recorded fact in the global log.

#include "ledger/sha256.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger {

struct recorded_event {
    std::uint64_t position = 0;  // global, dense, from 0
    std::string stream;          // "<category>-<id>"
    std::uint64_t version = 0;   // within the stream, dense, from 0
    uuid id{};
    std::string type;  // catalogue type name, e.g. "InterviewBooked"
    std::uint16_t schema_version = 1;
    timestamp occurred_at{};  // business time, from the client
    timestamp recorded_at{};  // server time, never decreasing along the log
    std::string actor;        // the authenticated token's name, "local" without tokens
    std::optional<std::string> correlation_id;
    std::optional<std::string> causation_id;
    std::string data;      // the catalogue's binary encoding of the event's fields
    std::string metadata;  // a JSON object as text; empty when the client sent none
    sha256_digest hash{};  // SHA-256(previous hash ‖ canonical bytes of everything above)

    friend bool operator==(recorded_event const&, recorded_event const&) = default;
};

/// The category of a stream name: the text before the first '-' ("candidate" of
/// "candidate-c-0192"); the whole name when it has no '-'.
std::string_view stream_category(std::string_view stream) noexcept;

/// The id part of a stream name: the text after the first '-'; empty when there is none.
std::string_view stream_id_part(std::string_view stream) noexcept;

/// Whether `stream` has the SPEC §4 shape `[a-z][a-z0-9_]*-[A-Za-z0-9._:-]{1,128}`.
/// (Whether the category is one the catalogue knows is the catalogue's business.)
bool is_valid_stream_name(std::string_view stream) noexcept;

}  // namespace ledger
