#include "events/recruitment_event.hpp"

#include "events/detail/registry.hpp"
#include "ledger/envelope_codec.hpp"

#include <string>

namespace ledger::events {

// Upgrading an old schema version: decode the old layout here (keep its struct in
// events/legacy/), convert it to the current struct and return that. No type has an old
// version yet, so every stored version must be the current one.
namespace {

detail::type_entry const& current_entry(std::string_view type, std::uint16_t schema_version) {
    auto const* entry = detail::find_type(type);
    if (entry == nullptr) throw codec_error("unknown event type " + std::string(type));
    if (schema_version != entry->schema_version) {
        throw codec_error(std::string(type) + " has no schema version " +
                          std::to_string(schema_version));
    }
    return *entry;
}

}  // namespace

recruitment_event decode_event(std::string_view type, std::uint16_t schema_version,
                               std::string_view bytes) {
    return current_entry(type, schema_version).decode_current(bytes);
}

void decode_event_into(std::string_view type, std::uint16_t schema_version, std::string_view bytes,
                       recruitment_event& out) {
    current_entry(type, schema_version).decode_current_into(bytes, out);
}

data_decoder find_data_decoder(std::string_view type, std::uint16_t schema_version) {
    return current_entry(type, schema_version).decode_current_into;
}

std::string_view type_name_of(recruitment_event const& event) noexcept {
    return std::visit([](auto const& e) { return std::decay_t<decltype(e)>::type_name; }, event);
}

}  // namespace ledger::events
