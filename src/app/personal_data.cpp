#include "ledger/app/personal_data.hpp"

#include "events/codec.hpp"
#include "events/personal_data.hpp"
#include "ledger/aes_gcm.hpp"
#include "ledger/base64.hpp"

#include <stdexcept>

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

/// Every present personal field of `event` replaced by "[redacted]".
std::string redact_data(recorded_event const& event) {
    auto decoded = events::decode_event(event.type, event.schema_version, event.data);
    events::for_each_personal_field(decoded, [](std::string_view, std::string& value) {
        value = std::string(redacted_value);
    });
    return events::encode_event(decoded);
}

}  // namespace

bool reveals_personal_data(role held) noexcept {
    return held == role::admin || held == role::recruiter;
}

personal_fields personal_fields_for(role held) noexcept {
    return reveals_personal_data(held) ? personal_fields::revealed : personal_fields::redacted;
}

personal_data_sealer::personal_data_sealer(std::shared_ptr<subject_key_cache const> keys)
    : keys_(std::move(keys)) {
    if (!keys_) throw std::invalid_argument("personal_data_sealer needs a key-encryption key");
}

std::optional<std::string> personal_data_sealer::open_key(std::string_view subject,
                                                          std::string_view stored) const {
    return keys_->open(subject, stored);
}

std::optional<std::string> personal_data_sealer::stored_key(store::subject_key_table const& keys,
                                                            std::string_view subject) const {
    auto const stored = keys.get(subject);
    if (!stored) return std::nullopt;
    auto key = keys_->open(subject, *stored);
    if (!key) {
        throw std::runtime_error("the key of candidate " + std::string(subject) +
                                 " does not unwrap under key-encryption key " +
                                 keys_->kek().id_hex());
    }
    return key;
}

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
        keys_->forget(*subject);
        return;
    }
    if (!events::has_personal_fields(event.type)) return;
    auto decoded = events::decode_event(event.type, event.schema_version, event.data);
    auto key = stored_key(keys, *subject);
    events::for_each_personal_field(decoded, [&](std::string_view field, std::string& value) {
        if (value.starts_with(sealed_prefix)) return;  // already ciphertext (an import)
        if (!key) {
            key = random_bytes(aes_gcm_key_size);
            keys.put(*subject, keys_->wrap(*subject, *key));  // never stored unwrapped
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
    auto const [plain, all_opened] = open_data(stored, stored_key(keys, *subject));
    return all_opened && plain == incoming.data;
}

recorded_event reveal_personal_data(store::event_store const& store, recorded_event event,
                                    personal_fields shown) {
    if (!events::has_personal_fields(event.type)) return event;
    auto const subject = subject_of(event.stream);
    if (!subject) return event;
    event.data = shown == personal_fields::redacted
                     ? redact_data(event)
                     : open_data(event, store.subject_key(*subject)).first;
    return event;
}

std::vector<recorded_event> reveal_personal_data(store::event_store const& store,
                                                 std::vector<recorded_event> events,
                                                 personal_fields shown) {
    for (auto& event : events) event = reveal_personal_data(store, std::move(event), shown);
    return events;
}

}  // namespace ledger::app
