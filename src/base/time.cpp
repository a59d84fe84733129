#include "ledger/time.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>


namespace ledger {
namespace {

// Reads exactly `width` decimal digits at `pos`; advances `pos` on success.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, std::size_t width) {
    if (pos + width > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        char const c = text[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += width;
    return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && (text[pos] == c)) {
        ++pos;
        return true;
    }
    return false;
}

std::optional<date> read_date(std::string_view text, std::size_t& pos) {
    auto const y = read_digits(text, pos, 4);
    if (!y || !expect(text, pos, '-')) return std::nullopt;
    auto const m = read_digits(text, pos, 2);
    if (!m || !expect(text, pos, '-')) return std::nullopt;
    auto const d = read_digits(text, pos, 2);
    if (!d) return std::nullopt;
    std::chrono::year_month_day const ymd{std::chrono::year{*y},
                                          std::chrono::month{static_cast<unsigned>(*m)},
                                          std::chrono::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return date{ymd};
}

// Reads ".ffffff" (1 to 6 digits) if present and returns the microseconds it stands for.
std::optional<std::int64_t> read_fraction(std::string_view text, std::size_t& pos) {
    if (!expect(text, pos, '.')) return 0;
    std::int64_t micros = 0;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (++digits > 6) return std::nullopt;
        micros = micros * 10 + (text[pos] - '0');
        ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
    return micros;
}

// Reads "Z" or "±HH:MM" and returns the offset east of UTC.
std::optional<std::chrono::minutes> read_offset(std::string_view text, std::size_t& pos) {
    if (expect(text, pos, 'Z') || expect(text, pos, 'z')) return std::chrono::minutes{0};
    int sign = 0;
    if (expect(text, pos, '+')) sign = 1;
    else if (expect(text, pos, '-')) sign = -1;
    else return std::nullopt;
    auto const h = read_digits(text, pos, 2);
    if (!h || *h > 23 || !expect(text, pos, ':')) return std::nullopt;
    auto const m = read_digits(text, pos, 2);
    if (!m || *m > 59) return std::nullopt;
    return std::chrono::minutes{sign * (*h * 60 + *m)};
}

}  // namespace

std::optional<date> parse_date(std::string_view text) {
    std::size_t pos = 0;
    auto const d = read_date(text, pos);
    if (!d || pos != text.size()) return std::nullopt;
    return d;
}

std::optional<timestamp> parse_timestamp(std::string_view text) {
    std::size_t pos = 0;
    auto const d = read_date(text, pos);
    if (!d) return std::nullopt;
    if (pos == text.size()) return timestamp{*d};
    if (!expect(text, pos, 'T') && !expect(text, pos, 't')) return std::nullopt;
    auto const hh = read_digits(text, pos, 2);
    if (!hh || *hh > 23 || !expect(text, pos, ':')) return std::nullopt;
    auto const mm = read_digits(text, pos, 2);
    if (!mm || *mm > 59 || !expect(text, pos, ':')) return std::nullopt;
    auto const ss = read_digits(text, pos, 2);
    if (!ss || *ss > 60) return std::nullopt;  // 60: a leap second, folded into the next minute
    auto const fraction = read_fraction(text, pos);
    if (!fraction) return std::nullopt;
    auto const offset = read_offset(text, pos);
    if (!offset || pos != text.size()) return std::nullopt;
    using namespace std::chrono;
    return timestamp{*d} + hours{*hh} + minutes{*mm} + seconds{*ss} + microseconds{*fraction} -
           *offset;
}

std::string format_timestamp(timestamp t) {
    using namespace std::chrono;
    auto const day = floor<days>(t);
    year_month_day const ymd{day};
    hh_mm_ss const time{t - day};
    // Compiled: every envelope a read returns formats two of these.
    return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z"), static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count(),
                       time.subseconds().count());
}

std::string format_date(date d) {
    std::chrono::year_month_day const ymd{d};
    return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}"), static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

timestamp now() noexcept {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace ledger
