#include "ledger/app/personal_data.hpp"

#include "events/codec.hpp"
#include "events/personal_data.hpp"
#include "ledger/aes_gcm.hpp"
#include "ledger/base64.hpp"

namespace ledger::app {
namespace {

std::string associated_data(std::string_view stream, std::string_view type,
                            std::string_view field) {
    std::string aad(stream);
    aad.append("\n").append(type).append("\n").append(field);
    return aad;
}

/// The plaintext of a sealed field value, or nullopt when it cannot be opened with `key`.
std::optional<std::string> open_value(std::optional<std::string> const& key,
                                      std::string_view value, std::string_view aad) {
    if (!key) return std::nullopt;
    auto const sealed = base64_decode(value.substr(sealed_prefix.size()));
    if (!sealed) return std::nullopt;
    return aes_gcm_open(*key, *sealed, aad);
}

/// Replaces each sealed personal field of `data` by its plaintext (or "[erased]"); returns the
/// re-encoded data and whether every sealed field opened.
std::pair<std::string, bool> open_data(recorded_event const& event,
                                       std::optional<std::string> const& key) {
    auto decoded = events::decode_event(event.type, event.schema_version, event.data);
    bool all_opened = true;
    events::for_each_personal_field(decoded, [&](std::string_view field, std::string& value) {
        if (!value.starts_with(sealed_prefix)) return;  // written before sealing existed
        auto plain = open_value(key, value, associated_data(event.stream, event.type, field));
        all_opened = all_opened && plain.has_value();
        value = plain ? std::move(*plain) : std::string(erased_value);
    });
    return {events::encode_event(decoded), all_opened};
}

}  // namespace

std::optional<std::string_view> subject_of(std::string_view stream) {
    constexpr std::string_view category = "candidate-";
    if (!stream.starts_with(category)) return std::nullopt;
    return stream.substr(category.size());
}

bool personal_data_sealer::applies_to(std::string_view stream) const {
    return subject_of(stream).has_value();  // personal fields only exist in candidate streams
}

void personal_data_sealer::seal(store::subject_key_table& keys, std::string_view stream,
                                store::event_to_append& event) const {
    auto const subject = subject_of(stream);
    if (!subject) return;
    if (event.type == "SubjectErased") {
        keys.remove(*subject);  // crypto-shredding: the ciphertexts stay, unreadable
        return;
    }
    if (!events::has_personal_fields(event.type)) return;
    auto decoded = events::decode_event(event.type, event.schema_version, event.data);
    auto key = keys.get(*subject);
    events::for_each_personal_field(decoded, [&](std::string_view field, std::string& value) {
        if (value.starts_with(sealed_prefix)) return;  // already ciphertext (an import)
        if (!key) {
            key = random_bytes(aes_gcm_key_size);
            keys.put(*subject, *key);
        }
        auto const aad = associated_data(stream, event.type, field);
        value = std::string(sealed_prefix) + base64_encode(aes_gcm_seal(*key, value, aad));
    });
    event.data = events::encode_event(decoded);
}

bool personal_data_sealer::same_data(store::subject_key_table const& keys,
                                     recorded_event const& stored,
                                     store::event_to_append const& incoming) const {
    auto const subject = subject_of(stored.stream);
    if (!subject || !events::has_personal_fields(stored.type)) return false;
    auto const [plain, all_opened] = open_data(stored, keys.get(*subject));
    return all_opened && plain == incoming.data;
}

recorded_event reveal_personal_data(store::event_store const& store, recorded_event event) {
    if (!events::has_personal_fields(event.type)) return event;
    auto const subject = subject_of(event.stream);
    if (!subject) return event;
    event.data = open_data(event, store.subject_key(*subject)).first;
    return event;
}

std::vector<recorded_event> reveal_personal_data(store::event_store const& store,
                                                 std::vector<recorded_event> events) {
    for (auto& event : events) event = reveal_personal_data(store, std::move(event));
    return events;
}

}  // namespace ledger::app
