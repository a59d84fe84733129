#pragma once
// AES-256-GCM through OpenSSL's EVP interface: the one place that encrypts personal data
// (SPEC §6, docs/privacy.md). A sealed value is nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
//
// Thread-safe: every call uses its own EVP context.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ledger {

inline constexpr std::size_t aes_gcm_key_size = 32;
inline constexpr std::size_t aes_gcm_nonce_size = 12;
inline constexpr std::size_t aes_gcm_tag_size = 16;

/// `size` bytes from OpenSSL's CSPRNG (RAND_bytes). Throws std::runtime_error if it fails.
std::string random_bytes(std::size_t size);

/// Encrypts `plaintext` under `key` (32 bytes) with a fresh random nonce; `aad` is
/// authenticated but not stored. Throws std::runtime_error on an OpenSSL failure and
/// std::invalid_argument (checked at run time in every build) for a key or nonce of another
/// length; aes_gcm_open throws the same for a key of another length.
std::string aes_gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad);

/// As above with a given 12-byte `nonce`: for known-answer tests only (a nonce must never be
/// used twice with one key).
std::string aes_gcm_seal(std::string_view key, std::string_view nonce, std::string_view plaintext,
                         std::string_view aad);

/// The plaintext of `sealed`, or nullopt when it is malformed or does not authenticate under
/// `key` and `aad` (tampered, wrong key, wrong aad).
std::optional<std::string> aes_gcm_open(std::string_view key, std::string_view sealed,
                                        std::string_view aad);

}  // namespace ledger
