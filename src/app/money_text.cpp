#include "ledger/app/money_text.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace ledger::app {
namespace {

using namespace std::string_view_literals;

// ISO 4217 (list one, 2024): every code whose exponent is not 2, and the exponent-2 codes a
// Nordic recruitment ledger meets. Sorted by code for binary search.
constexpr std::array<std::pair<std::string_view, int>, 68> exponents{{
    {"AED"sv, 2}, {"ALL"sv, 2}, {"ARS"sv, 2}, {"AUD"sv, 2}, {"BAM"sv, 2}, {"BGN"sv, 2},
    {"BHD"sv, 3}, {"BIF"sv, 0}, {"BRL"sv, 2}, {"CAD"sv, 2}, {"CHF"sv, 2}, {"CLF"sv, 4},
    {"CLP"sv, 0}, {"CNY"sv, 2}, {"CZK"sv, 2}, {"DJF"sv, 0}, {"DKK"sv, 2}, {"EGP"sv, 2},
    {"EUR"sv, 2}, {"GBP"sv, 2}, {"GEL"sv, 2}, {"GNF"sv, 0}, {"HKD"sv, 2}, {"HUF"sv, 2},
    {"IDR"sv, 2}, {"ILS"sv, 2}, {"INR"sv, 2}, {"IQD"sv, 3}, {"ISK"sv, 0}, {"JOD"sv, 3},
    {"JPY"sv, 0}, {"KMF"sv, 0}, {"KRW"sv, 0}, {"KWD"sv, 3}, {"LYD"sv, 3}, {"MAD"sv, 2},
    {"MDL"sv, 2}, {"MXN"sv, 2}, {"MYR"sv, 2}, {"NGN"sv, 2}, {"NOK"sv, 2}, {"NZD"sv, 2},
    {"OMR"sv, 3}, {"PHP"sv, 2}, {"PKR"sv, 2}, {"PLN"sv, 2}, {"PYG"sv, 0}, {"RON"sv, 2},
    {"RSD"sv, 2}, {"RUB"sv, 2}, {"RWF"sv, 0}, {"SAR"sv, 2}, {"SEK"sv, 2}, {"SGD"sv, 2},
    {"THB"sv, 2}, {"TND"sv, 3}, {"TRY"sv, 2}, {"UAH"sv, 2}, {"UGX"sv, 0}, {"USD"sv, 2},
    {"UYI"sv, 0}, {"UYW"sv, 4}, {"VND"sv, 0}, {"VUV"sv, 0}, {"XAF"sv, 0}, {"XOF"sv, 0},
    {"XPF"sv, 0}, {"ZAR"sv, 2},
}};

constexpr auto by_code = [](auto const& entry) { return entry.first; };

static_assert(std::ranges::is_sorted(exponents, {}, by_code) &&
                  std::ranges::adjacent_find(exponents, {}, by_code) == exponents.end(),
              "exponents must be sorted by code, each code once");

}  // namespace

std::optional<int> minor_unit_exponent(std::string_view currency) noexcept {
    auto const found = std::ranges::lower_bound(exponents, currency, {}, by_code);
    if (found == exponents.end() || found->first != currency) return std::nullopt;
    return found->second;
}

std::string major_units_text(std::int64_t amount_minor, int exponent, char decimal_mark) {
    assert(exponent >= 0 && exponent <= 4);
    bool const negative = amount_minor < 0;
    // Unsigned, so that INT64_MIN has a magnitude.
    auto const magnitude = negative ? ~static_cast<std::uint64_t>(amount_minor) + 1
                                    : static_cast<std::uint64_t>(amount_minor);
    std::string digits = std::to_string(magnitude);
    auto const fraction = static_cast<std::size_t>(exponent);
    if (digits.size() <= fraction) digits.insert(0, fraction + 1 - digits.size(), '0');
    std::string out = negative ? "-" : "";
    out.append(digits, 0, digits.size() - fraction);
    if (fraction != 0) {
        out.push_back(decimal_mark);
        out.append(digits, digits.size() - fraction);
    }
    return out;
}

}  // namespace ledger::app
