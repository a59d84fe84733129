#pragma once
// The personal data seal as it was before envelope encryption: plain 32-byte candidate keys
// in subject_keys. For the migration test and the read-cost comparison only.

#include "events/codec.hpp"
#include "events/personal_data.hpp"
#include "ledger/aes_gcm.hpp"
#include "ledger/base64.hpp"
#include "ledger/store/personal_data_seal.hpp"

#include <optional>
#include <string>

namespace ledger::testing {

/// What the seal did before envelope encryption: a plain 32-byte key in subject_keys, which
/// open_key hands out as stored.
class plain_key_sealer final : public store::personal_data_seal {
public:
    bool applies_to(std::string_view stream) const override { return stream.starts_with("candidate-"); }
    void seal(store::subject_key_table& keys, std::string_view stream, store::event_to_append& event) const override {
        auto const subject = stream.substr(10);
        auto key = keys.get(subject);
        if (!key) {
            key = random_bytes(aes_gcm_key_size);
            keys.put(subject, *key);
        }
        auto decoded = events::decode_event(event.type, event.schema_version, event.data);
        events::for_each_personal_field(decoded, [&](std::string_view field, std::string& value) {
            auto const aad = std::string(stream) + "\n" + event.type + "\n" + std::string(field);
            value = "enc:v1:" + base64_encode(aes_gcm_seal(*key, value, aad));
        });
        event.data = events::encode_event(decoded);
    }
    bool same_data(store::subject_key_table const&, recorded_event const&, store::event_to_append const&) const override {
        return false;
    }
    std::optional<std::string> open_key(std::string_view, std::string_view stored) const override {
        return std::string(stored);
    }
};

}  // namespace ledger::testing
