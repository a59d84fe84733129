#pragma once
// The stored form of an envelope: cereal portable binary of every field in declaration order,
// the 32-byte hash last. The bytes before the hash are the envelope's canonical bytes, the input
// of the hash chain, so verification never re-encodes anything.

#include "ledger/envelope.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace ledger {

/// Thrown when stored bytes cannot be decoded: a corrupted or foreign value.
class codec_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Canonical bytes: every field except `hash`.
std::string encode_canonical(recorded_event const& event);

/// Appends the canonical bytes of `event` to `out` (reserving room for the hash as well).
void encode_canonical_into(recorded_event const& event, std::string& out);

/// Appends the 32 hash bytes to canonical bytes, giving the stored value.
std::string with_hash(std::string canonical, sha256_digest const& hash);

/// The stored value: encode_canonical(event) followed by event.hash.
std::string encode_stored(recorded_event const& event);

/// Decodes a stored value. Throws codec_error on malformed input.
recorded_event decode_stored(std::string_view stored);

/// Decodes a stored value into `event`, reusing its strings' memory (scans decode every event
/// of the log into one object). Throws codec_error on malformed input; `event` is then
/// unspecified.
void decode_stored_into(std::string_view stored, recorded_event& event);

/// The canonical bytes inside a stored value (everything but the trailing hash).
/// Throws codec_error when `stored` is too short to hold a hash.
std::string_view canonical_part(std::string_view stored);

/// The hash stored at the end of a stored value. Throws codec_error when too short.
sha256_digest stored_hash(std::string_view stored);

}  // namespace ledger
