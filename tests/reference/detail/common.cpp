#include "reference/detail/common.hpp"

#include <algorithm>
#include <cmath>

namespace ledger::reference::detail {

std::int32_t year_of_day(std::int64_t day) noexcept {
    std::chrono::year_month_day const ymd{date{std::chrono::days{day}}};
    return static_cast<std::int32_t>(ymd.year());
}

boost::json::value median_days(std::vector<std::int64_t> samples) {
    if (samples.empty()) return nullptr;
    auto const middle = samples.size() / 2;
    auto const mid = samples.begin() + static_cast<std::ptrdiff_t>(middle);
    std::nth_element(samples.begin(), mid, samples.end());
    std::int64_t const upper = *mid;
    if (samples.size() % 2 == 1) return upper;
    std::int64_t const lower = *std::max_element(samples.begin(), mid);
    std::int64_t const sum = lower + upper;
    if (sum % 2 == 0) return sum / 2;
    return static_cast<double>(sum) / 2.0;
}

boost::json::value ratio(std::uint64_t numerator, std::uint64_t denominator) {
    if (denominator == 0) return nullptr;
    double const exact = static_cast<double>(numerator) / static_cast<double>(denominator);
    return std::round(exact * 1000.0) / 1000.0;
}

}  // namespace ledger::reference::detail
