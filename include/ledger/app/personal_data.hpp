#pragma once
// Personal data at rest (SPEC §6, docs/privacy.md): the store seal that encrypts the
// catalogue's personal fields with a per-candidate AES-256-GCM key, and the read-side reveal
// that decrypts them again, or shows "[erased]" once the key is destroyed.
//
// A sealed field is stored as the string "enc:v1:" + base64(nonce ‖ ciphertext ‖ tag); the
// AAD is "<stream>\n<type>\n<field>", so a ciphertext cannot be moved to another candidate,
// event type or field. Keys live in the store's subject_keys table under the candidate id,
// wrapped under the ledger's key-encryption key (key_encryption_key.hpp); reads show personal
// fields only to roles that need them (personal_fields::redacted for the others).

#include "ledger/app/subject_key_cache.hpp"
#include "ledger/app/tokens.hpp"
#include "ledger/envelope.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/personal_data_seal.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace ledger::app {

inline constexpr std::string_view erased_value = "[erased]";
inline constexpr std::string_view redacted_value = "[redacted]";
inline constexpr std::string_view sealed_prefix = "enc:v1:";

/// How a read shows personal fields: decrypted (or "[erased]"), or "[redacted]" for roles
/// that do not need them (SPEC §6).
enum class personal_fields { revealed, redacted };

/// Whether `held` sees personal fields in reads: admin and recruiter do; reader, writer and
/// auditor read "[redacted]" (the auditor's access export is the one exception).
bool reveals_personal_data(role held) noexcept;

/// personal_fields::revealed for roles that see personal data, else redacted.
personal_fields personal_fields_for(role held) noexcept;

/// The data subject of `stream`: the candidate id of a candidate- stream, else nullopt.
std::optional<std::string_view> subject_of(std::string_view stream);

/// The store seal: encrypts each present personal field under the candidate's key (created
/// with the first event that needs it), keeps fields that are already sealed (imports carry
/// ciphertext), and destroys the key when `SubjectErased` is appended, in the same
/// transaction. Keys are stored wrapped under `keys`'s KEK. A stored key that does not unwrap
/// (another KEK: the start-up check prevents it) fails the group with std::runtime_error.
/// Safe to share; the store calls seal/same_data on its writer thread, open_key anywhere.
class personal_data_sealer final : public store::personal_data_seal {
public:
    explicit personal_data_sealer(std::shared_ptr<subject_key_cache const> keys);
    bool applies_to(std::string_view stream) const override;
    void seal(store::subject_key_table& keys, std::string_view stream,
              store::event_to_append& event) const override;
    bool same_data(store::subject_key_table const& keys, recorded_event const& stored,
                   store::event_to_append const& incoming) const override;
    std::optional<std::string> open_key(std::string_view subject,
                                        std::string_view stored) const override;

private:
    std::optional<std::string> stored_key(store::subject_key_table const& keys,
                                          std::string_view subject) const;
    std::shared_ptr<subject_key_cache const> keys_;
};

/// `event` with its personal fields readable: decrypted with the candidate's key, or
/// "[erased]" when the key is gone (or the value does not authenticate); with
/// personal_fields::redacted every present personal field reads "[redacted]" (no key is
/// touched). Events without personal fields come back unchanged. Throws codec_error for data
/// that does not decode.
/// Threading: any thread (one short read transaction per revealed event with personal fields).
recorded_event reveal_personal_data(store::event_store const& store, recorded_event event,
                                    personal_fields shown);

/// reveal_personal_data for each event.
std::vector<recorded_event> reveal_personal_data(store::event_store const& store,
                                                 std::vector<recorded_event> events,
                                                 personal_fields shown);

}  // namespace ledger::app
