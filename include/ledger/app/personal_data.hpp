#pragma once
// Personal data at rest (SPEC §6, docs/privacy.md): the store seal that encrypts the
// catalogue's personal fields with a per-candidate AES-256-GCM key, and the read-side reveal
// that decrypts them again, or shows "[erased]" once the key is destroyed.
//
// A sealed field is stored as the string "enc:v1:" + base64(nonce ‖ ciphertext ‖ tag); the
// AAD is "<stream>\n<type>\n<field>", so a ciphertext cannot be moved to another candidate,
// event type or field. Keys live in the store's subject_keys table under the candidate id.

#include "ledger/envelope.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/personal_data_seal.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace ledger::app {

inline constexpr std::string_view erased_value = "[erased]";
inline constexpr std::string_view sealed_prefix = "enc:v1:";

/// The data subject of `stream`: the candidate id of a candidate- stream, else nullopt.
std::optional<std::string_view> subject_of(std::string_view stream);

/// The store seal: encrypts each present personal field under the candidate's key (created
/// with the first event that needs it), keeps fields that are already sealed (imports carry
/// ciphertext), and destroys the key when `SubjectErased` is appended, in the same
/// transaction. Stateless: safe to share; the store calls it on its writer thread.
class personal_data_sealer final : public store::personal_data_seal {
public:
    bool applies_to(std::string_view stream) const override;
    void seal(store::subject_key_table& keys, std::string_view stream,
              store::event_to_append& event) const override;
    bool same_data(store::subject_key_table const& keys, recorded_event const& stored,
                   store::event_to_append const& incoming) const override;
};

/// `event` with its personal fields readable: decrypted with the candidate's key, or
/// "[erased]" when the key is gone (or the value does not authenticate). Events without
/// personal fields come back unchanged. Throws codec_error for data that does not decode.
/// Threading: any thread (one short read transaction per event with personal fields).
recorded_event reveal_personal_data(store::event_store const& store, recorded_event event);

/// reveal_personal_data for each event.
std::vector<recorded_event> reveal_personal_data(store::event_store const& store,
                                                 std::vector<recorded_event> events);

}  // namespace ledger::app
