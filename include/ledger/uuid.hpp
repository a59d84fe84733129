#pragma once
// Event ids: RFC 9562 UUIDs. Generated ids are version 7 (time-ordered) so that the event-id
// index grows at its end instead of scattering inserts across its pages.

#include <boost/uuid/uuid.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ledger {

using uuid = boost::uuids::uuid;

/// A new UUIDv7: 48 bits of Unix milliseconds, a 12-bit counter, then 62 random bits from
/// OpenSSL's CSPRNG. Thread-safe; the ids one thread makes strictly increase (byte order), so
/// the writer appends them. Throws std::runtime_error if the CSPRNG fails.
uuid make_uuid_v7();

/// Parses the canonical 36-character form ("0190f1c2-6b1e-7c4d-9a2b-3f4e5d6c7b8a"), any case.
std::optional<uuid> parse_uuid(std::string_view text);

/// The canonical lower-case form.
std::string to_string(uuid const& id);

}  // namespace ledger
