#include "ledger/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace ledger {
namespace {

// The longest shortest-round-trip fixed form of a double: 309 integral digits (DBL_MAX), or
// "0." + 323 zeros + up to 17 significant digits (the smallest subnormals), plus a sign.
constexpr std::size_t max_fixed_length = 400;

/// Whether Boost.JSON would escape a byte of `text` (quote, backslash, control characters);
/// everything else, UTF-8 included, it copies as it is.
bool needs_escaping(std::string_view text) noexcept {
    for (char const c : text) {
        auto const byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || c == '"' || c == '\\') return true;
    }
    return false;
}

void append_string(std::string& out, std::string_view text) {
    if (needs_escaping(text)) {
        out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
        return;
    }
    out.push_back('"');
    out.append(text);
    out.push_back('"');
}

template <typename Integer>
void append_integer(std::string& out, Integer number) {
    std::array<char, 24> buffer{};
    auto const written = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    out.append(buffer.data(), written.ptr);
}

void append_double(std::string& out, double number) {
    if (!std::isfinite(number)) {
        out.append("null");
        return;
    }
    if (number == 0.0) {  // also -0.0: a sign on nothing only confuses spreadsheets
        out.push_back('0');
        return;
    }
    std::array<char, max_fixed_length> buffer{};
    // Without a precision, the fixed form is the shortest one that round-trips.
    auto const written = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number,
                                       std::chars_format::fixed);
    out.append(buffer.data(), written.ptr);
}

}  // namespace

void append_json_text(std::string& out, boost::json::value const& value) {
    switch (value.kind()) {
    case boost::json::kind::null: out.append("null"); return;
    case boost::json::kind::bool_: out.append(value.get_bool() ? "true" : "false"); return;
    case boost::json::kind::int64: append_integer(out, value.get_int64()); return;
    case boost::json::kind::uint64: append_integer(out, value.get_uint64()); return;
    case boost::json::kind::double_: append_double(out, value.get_double()); return;
    case boost::json::kind::string: append_string(out, value.get_string()); return;
    case boost::json::kind::array: {
        out.push_back('[');
        bool first = true;
        for (auto const& element : value.get_array()) {
            if (!first) out.push_back(',');
            first = false;
            append_json_text(out, element);
        }
        out.push_back(']');
        return;
    }
    case boost::json::kind::object: {
        out.push_back('{');
        bool first = true;
        for (auto const& member : value.get_object()) {
            if (!first) out.push_back(',');
            first = false;
            append_string(out, member.key());
            out.push_back(':');
            append_json_text(out, member.value());
        }
        out.push_back('}');
        return;
    }
    }
}

void append_json_string(std::string& out, std::string_view text) { append_string(out, text); }
void append_json_integer(std::string& out, std::int64_t number) { append_integer(out, number); }
void append_json_integer(std::string& out, std::uint64_t number) { append_integer(out, number); }

std::string to_json_text(boost::json::value const& value) {
    std::string out;
    append_json_text(out, value);
    return out;
}

std::string json_number_text(double number) {
    std::string out;
    append_double(out, number);
    return out;
}

}  // namespace ledger
