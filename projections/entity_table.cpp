#include "projections/entity_table.hpp"

#include "projections/detail/entities.hpp"

#include <charconv>
#include <limits>
#include <cstring>

namespace ledger::projections {

std::string entity_model_prefix(std::string_view model) { return "entity/" + std::string(model) + "/"; }

std::string entity_epoch_prefix(std::string_view model, std::uint32_t epoch) {
    return entity_model_prefix(model) + detail::hex8(epoch) + "/";
}

std::optional<std::uint32_t> entity_epoch_of(std::string_view model, std::string_view key) {
    auto const prefix = entity_model_prefix(model);
    if (!key.starts_with(prefix) || key.size() < prefix.size() + 9 || key[prefix.size() + 8] != '/') return std::nullopt;
    return detail::parse_hex8(key.substr(prefix.size(), 8));
}

std::vector<std::uint32_t> entity_epochs(entity_reader& reader, std::string_view model) {
    std::vector<std::uint32_t> epochs;
    auto const prefix = entity_model_prefix(model);
    auto from = prefix;
    for (;;) {
        std::optional<std::uint32_t> found;
        bool any = false;
        reader.scan(from, prefix, [&](std::string_view key, std::string_view) {
            any = true;
            found = entity_epoch_of(model, key);
            return false;
        });
        if (!any || !found) break;  // nothing more, or a key of no epoch (not ours to touch)
        epochs.push_back(*found);
        if (*found == std::numeric_limits<std::uint32_t>::max()) break;
        from = entity_epoch_prefix(model, *found + 1);
    }
    return epochs;
}

}  // namespace ledger::projections

namespace ledger::projections::detail {

std::string hex8(std::uint32_t number) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(8, '0');
    for (int i = 7; i >= 0; --i, number >>= 4) out[static_cast<std::size_t>(i)] = digits[number & 0xf];
    return out;
}

std::optional<std::uint32_t> parse_hex8(std::string_view text) {
    if (text.size() != 8) return std::nullopt;
    std::uint32_t value = 0;
    for (char const c : text) {
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') digit = static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') digit = static_cast<std::uint32_t>(c - 'a' + 10);
        else return std::nullopt;
        value = value << 4 | digit;
    }
    return value;
}

std::string u64_bytes(std::uint64_t value) {
    std::string out(8, '\0');
    std::memcpy(out.data(), &value, 8);
    return out;
}

std::optional<std::uint64_t> u64_of(std::string_view bytes) {
    if (bytes.size() != 8) return std::nullopt;
    std::uint64_t value = 0;
    std::memcpy(&value, bytes.data(), 8);
    return value;
}

}  // namespace ledger::projections::detail
