#include "ledger/envelope.hpp"

namespace ledger {
namespace {

bool is_category_char(char c, bool first) noexcept {
    bool const lower = c >= 'a' && c <= 'z';
    if (first) return lower;
    return lower || (c >= '0' && c <= '9') || c == '_';
}

bool is_id_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '-';
}

}  // namespace

std::string_view stream_category(std::string_view stream) noexcept {
    return stream.substr(0, stream.find('-'));
}

std::string_view stream_id_part(std::string_view stream) noexcept {
    auto const dash = stream.find('-');
    return dash == std::string_view::npos ? std::string_view{} : stream.substr(dash + 1);
}

bool is_valid_stream_name(std::string_view stream) noexcept {
    auto const dash = stream.find('-');
    if (dash == std::string_view::npos || dash == 0) return false;
    for (std::size_t i = 0; i < dash; ++i) {
        if (!is_category_char(stream[i], i == 0)) return false;
    }
    auto const id = stream.substr(dash + 1);
    if (id.empty() || id.size() > 128) return false;
    for (char const c : id) {
        if (!is_id_char(c)) return false;
    }
    return true;
}

}  // namespace ledger
