#pragma once
// Country and currency codes as the catalogue stores them (SPEC §4 conventions).
//
// Both are validated against real tables of assigned codes when an event is appended, so a
// stored code is always an assigned one. Thread-safe, pure.

#include <compare>
#include <string>
#include <string_view>

namespace ledger::events {

/// An ISO 3166-1 alpha-2 country code, e.g. "SE". "EL" (the EU's code for Greece) is
/// normalised to "GR" on the way in.
struct country_code {
    std::string value;
    friend bool operator==(country_code const&, country_code const&) = default;
    friend auto operator<=>(country_code const&, country_code const&) = default;
};

/// An ISO 4217 currency code, e.g. "SEK".
struct currency_code {
    std::string value;
    friend bool operator==(currency_code const&, currency_code const&) = default;
    friend auto operator<=>(currency_code const&, currency_code const&) = default;
};

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case; "EL" is not).
bool is_assigned_country(std::string_view code) noexcept;

/// Whether `code` is an active ISO 4217 code (upper case). The test and "no currency" codes
/// XTS and XXX are refused: they never describe money that was spent.
bool is_active_currency(std::string_view code) noexcept;

/// The stored form of a country as a client wrote it: "EL" becomes "GR", the rest unchanged.
std::string_view normalise_country(std::string_view code) noexcept;

}  // namespace ledger::events
