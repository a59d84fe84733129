#include "projections/detail/id_key.hpp"

#include "ledger/envelope_codec.hpp"

#include <array>
#include <cstdint>

namespace ledger::projections::detail {
namespace {

constexpr std::size_t longest_run = 19;  // 10^19 - 1 fits in 64 bits
constexpr char escape = '\0';
constexpr unsigned char first_plain = 0x20;

constexpr std::array<std::uint64_t, longest_run + 1> powers_of_ten = [] {
    std::array<std::uint64_t, longest_run + 1> powers{};
    powers[0] = 1;
    for (std::size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * 10;
    return powers;
}();

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

std::size_t digit_run_bytes(std::size_t digits) noexcept {
    // The largest value, 10^digits - 1, in whole bytes.
    auto const largest = powers_of_ten[digits] - 1;
    std::size_t bytes = 1;
    while (bytes < 8 && (largest >> (8 * bytes)) != 0) ++bytes;
    return bytes;
}

void encode_id_key(std::string_view id, std::string& out) {
    for (std::size_t at = 0; at < id.size();) {
        auto const c = id[at];
        if (is_digit(c)) {
            std::size_t digits = 0;
            std::uint64_t value = 0;
            for (; at < id.size() && is_digit(id[at]) && digits < longest_run; ++at, ++digits) {
                value = value * 10 + static_cast<std::uint64_t>(id[at] - '0');
            }
            out.push_back(static_cast<char>(digits));
            for (auto byte = digit_run_bytes(digits); byte-- > 0;) out.push_back(static_cast<char>(value >> (8 * byte)));
            continue;
        }
        if (static_cast<unsigned char>(c) < first_plain) out.push_back(escape);
        out.push_back(c);
        ++at;
    }
}

std::string decode_id_key(std::string_view key) {
    std::string id;
    for (std::size_t at = 0; at < key.size();) {
        auto const c = static_cast<unsigned char>(key[at++]);
        if (c >= first_plain) {
            id.push_back(static_cast<char>(c));
        } else if (c == static_cast<unsigned char>(escape)) {
            if (at == key.size() || static_cast<unsigned char>(key[at]) >= first_plain) {
                throw codec_error("an entity key escapes no control byte");
            }
            id.push_back(key[at++]);
        } else {
            auto const digits = std::size_t{c};
            if (digits > longest_run) throw codec_error("an entity key has a digit run of more than 19 digits");
            auto const bytes = digit_run_bytes(digits);
            if (key.size() - at < bytes) throw codec_error("an entity key ends inside a number");
            std::uint64_t value = 0;
            for (std::size_t i = 0; i < bytes; ++i) value = value << 8 | static_cast<unsigned char>(key[at++]);
            if (value >= powers_of_ten[digits]) throw codec_error("an entity key's number has more digits than it says");
            auto const text = std::to_string(value);
            id.append(digits - text.size(), '0');
            id += text;
        }
    }
    return id;
}

}  // namespace ledger::projections::detail
