#include "projections/entity_table.hpp"

#include "projections/detail/entities.hpp"
#include "projections/entity_keys.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <cstring>
#include <utility>

namespace ledger::projections {
namespace {

// The short key form (issue 18, served-ledger bytes): "e/<code>/" instead of
// "entity/<model>/" — 13 bytes of prefix per key instead of 26-31, on ~1.2 keys per entity.
// A model without a code here keeps its name ("e/<model>/"); a code is one character, a name
// longer, so the two never meet.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> model_codes{{
    {"applications", "a"}, {"hires-vs-target", "h"}, {"origin", "o"}, {"outreach", "r"}, {"vacancies", "v"}}};

std::string legacy_model_prefix(std::string_view model) { return "entity/" + std::string(model) + "/"; }

std::string code_of(std::string_view model) {
    for (auto const& [name, code] : model_codes) {
        if (name == model) return std::string(code);
    }
    return std::string(model);
}

void put_epoch_bytes(std::uint32_t epoch, std::string& out) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(epoch >> shift));
}

/// The epoch of an ordered-form key under `prefix` (ordered_entity_model_prefix), or nullopt.
std::optional<std::uint32_t> ordered_epoch_under(std::string_view prefix, std::string_view key) {
    if (!key.starts_with(prefix) || key.size() < prefix.size() + 4) return std::nullopt;
    std::uint32_t epoch = 0;
    for (std::size_t i = 0; i < 4; ++i) epoch = epoch << 8 | static_cast<unsigned char>(key[prefix.size() + i]);
    // Below it the bytes after the prefix are a longer model name's ("Ea" and "Eab…").
    if (epoch < ordered_entities_epoch) return std::nullopt;
    return epoch;
}

/// Appends the ordered-form epochs of `model` in ascending order, one seek each.
void ordered_epochs(entity_reader& reader, std::string_view model, std::vector<std::uint32_t>& epochs) {
    auto const prefix = ordered_entity_model_prefix(model);
    auto from = entity_epoch_prefix(model, ordered_entities_epoch);
    for (;;) {
        std::optional<std::uint32_t> found;
        reader.scan(from, prefix, [&](std::string_view key, std::string_view) {
            found = ordered_epoch_under(prefix, key);
            return false;
        });
        if (!found) break;
        epochs.push_back(*found);
        if (*found == std::numeric_limits<std::uint32_t>::max()) break;
        from = entity_epoch_prefix(model, *found + 1);
    }
}

/// The epoch a key under `prefix` names, or nullopt.
std::optional<std::uint32_t> epoch_under(std::string_view prefix, std::string_view key) {
    if (!key.starts_with(prefix) || key.size() < prefix.size() + 9 || key[prefix.size() + 8] != '/') return std::nullopt;
    return detail::parse_hex8(key.substr(prefix.size(), 8));
}

/// Appends the epochs under `prefix` in ascending order, one seek each.
void epochs_under(entity_reader& reader, std::string const& prefix, std::vector<std::uint32_t>& epochs) {
    auto from = prefix;
    for (;;) {
        std::optional<std::uint32_t> found;
        bool any = false;
        reader.scan(from, prefix, [&](std::string_view key, std::string_view) {
            any = true;
            found = epoch_under(prefix, key);
            return false;
        });
        if (!any || !found) break;  // nothing more, or a key of no epoch (not ours to touch)
        epochs.push_back(*found);
        if (*found == std::numeric_limits<std::uint32_t>::max()) break;
        from = prefix + detail::hex8(*found + 1) + "/";
    }
}

}  // namespace

std::string entity_model_prefix(std::string_view model) { return "e/" + code_of(model) + "/"; }

std::string ordered_entity_model_prefix(std::string_view model) { return "E" + code_of(model); }

std::string entity_epoch_prefix(std::string_view model, std::uint32_t epoch) {
    if (ordered_entities(epoch)) {
        auto prefix = ordered_entity_model_prefix(model);
        put_epoch_bytes(epoch, prefix);
        return prefix;
    }
    auto const prefix = epoch >= short_keys_epoch ? entity_model_prefix(model) : legacy_model_prefix(model);
    return prefix + detail::hex8(epoch) + "/";
}

std::optional<std::uint32_t> entity_epoch_of(std::string_view model, std::string_view key) {
    if (auto const epoch = ordered_epoch_under(ordered_entity_model_prefix(model), key)) return epoch;
    if (auto const epoch = epoch_under(entity_model_prefix(model), key);
        epoch && *epoch >= short_keys_epoch && !ordered_entities(*epoch)) {
        return epoch;
    }
    if (auto const epoch = epoch_under(legacy_model_prefix(model), key); epoch && *epoch < short_keys_epoch) return epoch;
    return std::nullopt;
}

std::vector<std::uint32_t> entity_epochs(entity_reader& reader, std::string_view model) {
    std::vector<std::uint32_t> epochs;
    epochs_under(reader, legacy_model_prefix(model), epochs);  // all below short_keys_epoch
    epochs_under(reader, entity_model_prefix(model), epochs);  // below ordered_entities_epoch
    ordered_epochs(reader, model, epochs);
    return epochs;
}

std::uint32_t first_epoch_after(std::vector<std::uint32_t> const& epochs) {
    if (epochs.empty() || epochs.back() < ordered_entities_epoch) return ordered_entities_epoch;
    return epochs.back() + 1;
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
