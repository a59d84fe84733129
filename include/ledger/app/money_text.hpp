#pragma once
// Money for people: the ledger keeps amounts as integer minor units (STYLE.md); a person reads
// them in the currency's major unit. ISO 4217 says how many minor units make a major one.
//
// Pure functions; thread-safe; no allocation failure other than std::bad_alloc.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::app {

/// The ISO 4217 minor-unit exponent of `currency` (2 for SEK, EUR…; 0 for ISK, JPY…; 3 for
/// KWD, BHD…), or nullopt for a code this table does not know. The table holds the Nordic and
/// European currencies, the other major ones and every ISO currency whose exponent is not 2;
/// an unknown code is never guessed.
std::optional<int> minor_unit_exponent(std::string_view currency) noexcept;

/// `amount_minor` in major units as an exact plain decimal with exactly `exponent` fraction
/// digits and `decimal_mark` between them: (10600000, 2) → "106000.00", (-5, 2) → "-0.05",
/// (1500, 0) → "1500". No floating point is involved. Precondition: 0 <= exponent <= 4.
std::string major_units_text(std::int64_t amount_minor, int exponent, char decimal_mark = '.');

}  // namespace ledger::app
