#pragma once
// Small pure helpers the read models share: days, medians, ratios, enum names.

#include "ledger/time.hpp"

#include <boost/describe/enum_to_string.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ledger::reference::detail {

/// Days since 1970-01-01 of a date; read models store days so snapshots stay plain integers.
inline std::int64_t day_number(date d) noexcept { return d.time_since_epoch().count(); }

/// The UTC calendar day of a timestamp, as a day number.
inline std::int64_t day_number(timestamp t) noexcept {
    return day_number(std::chrono::floor<std::chrono::days>(t));
}

/// The calendar year of a day number.
std::int32_t year_of_day(std::int64_t day) noexcept;

/// The median of whole-day samples: the middle value of the sorted samples, and for an even
/// count the mean of the two middle ones (so it may end in .5). JSON null for no samples;
/// an integer when the median is whole.
boost::json::value median_days(std::vector<std::int64_t> samples);

/// numerator ÷ denominator rounded to 3 decimals; JSON null when the denominator is 0.
boost::json::value ratio(std::uint64_t numerator, std::uint64_t denominator);

/// The SPEC spelling of a catalogue enum value (the enumerator's name).
template <class Enum>
std::string enum_name(Enum value) {
    return boost::describe::enum_to_string(value, "unknown");
}

/// A JSON string, or null for nullopt.
inline boost::json::value string_or_null(std::optional<std::string> const& text) {
    return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

}  // namespace ledger::reference::detail
