#pragma once
// Business and server times. Everything is UTC; the ledger stores microseconds since the epoch.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using date = std::chrono::sys_days;

/// Parses an RFC 3339 date-time ("2024-03-12T10:00:00Z", "2024-03-12T12:00:00.5+02:00") or a
/// plain ISO 8601 date ("2024-03-12", meaning midnight UTC). Returns nullopt for anything else,
/// including impossible dates such as 2023-02-29 and fractions finer than microseconds.
std::optional<timestamp> parse_timestamp(std::string_view text);

/// Parses exactly "YYYY-MM-DD" with a real calendar date.
std::optional<date> parse_date(std::string_view text);

/// "2024-03-12T10:00:01.123456Z" (always six fraction digits, always Z).
std::string format_timestamp(timestamp t);

/// "2024-03-12".
std::string format_date(date d);

/// Microseconds since the Unix epoch, the stored form of a timestamp.
inline std::int64_t to_micros(timestamp t) noexcept { return t.time_since_epoch().count(); }
inline timestamp from_micros(std::int64_t us) noexcept {
    return timestamp{std::chrono::microseconds{us}};
}

/// The current server time, microsecond precision.
timestamp now() noexcept;

}  // namespace ledger
