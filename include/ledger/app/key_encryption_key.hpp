#pragma once
// The key-encryption key (KEK) of a ledger (SPEC §6 Security, docs/privacy.md): 32 random bytes
// kept outside the data directory (a key file or a systemd credential) under which every
// candidate key in `subject_keys` is stored wrapped. Without it the data directory and its
// backups reveal no personal field.
//
// Wrapped form of a candidate key (72 bytes):
//     "RLK1" ‖ KEK id (8) ‖ AES-256-GCM(KEK, nonce ‖ key ‖ tag)
// with AAD "recruit-ledger/subject-key/v1\n" ‖ candidate id ‖ "\n" ‖ KEK id, so a wrapped key
// cannot be moved to another candidate or passed off as wrapped under another KEK.
// The KEK id is the first 8 bytes of SHA-256("recruit-ledger/kek-id/v1\n" ‖ KEK): it names a
// KEK (in meta and in each wrapped key) without revealing it.
//
// Threading: immutable after construction; every member is safe from any thread.

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ledger::app {

/// A KEK that cannot be used: missing, unreadable, of the wrong size or too widely readable,
/// or not the one the ledger was sealed with. The message says what to do; callers print it
/// and exit 1 without touching the ledger.
class key_refusal : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The systemd credential name a service reads its KEK from
/// (`LoadCredential=recruit-ledger-kek:/path` puts it in $CREDENTIALS_DIRECTORY).
inline constexpr std::string_view kek_credential_name = "recruit-ledger-kek";

inline constexpr std::size_t kek_size = 32;
inline constexpr std::size_t kek_id_size = 8;
inline constexpr std::size_t wrapped_key_size = 4 + kek_id_size + 12 + 32 + 16;

class key_encryption_key {
public:
    /// From 32 raw bytes. Throws key_refusal for another size.
    explicit key_encryption_key(std::string bytes);
    ~key_encryption_key();
    key_encryption_key(key_encryption_key const&) = delete;
    key_encryption_key& operator=(key_encryption_key const&) = delete;
    key_encryption_key(key_encryption_key&&) noexcept = default;

    /// Reads a KEK file: exactly 32 bytes, a regular file that neither group nor others may
    /// access, and not inside `data_directory`. Throws key_refusal saying which rule failed.
    static key_encryption_key load(std::filesystem::path const& file,
                                   std::filesystem::path const& data_directory);

    /// Writes a new random KEK to `file` with mode 0600 (O_EXCL: never overwrites) and syncs
    /// it; returns it. Throws key_refusal when the file exists or cannot be written.
    static key_encryption_key create(std::filesystem::path const& file);

    /// The 8-byte id (raw) and its 16-digit hex spelling.
    std::string const& id() const noexcept { return id_; }
    std::string id_hex() const;

    /// `key` (a candidate's 32-byte data key) wrapped for `subject` under this KEK.
    std::string wrap(std::string_view subject, std::string_view key) const;

    /// The data key inside `wrapped`, or nullopt when it is not wrapped under this KEK for
    /// `subject` (another KEK, another candidate, tampered, or not a wrapped key at all).
    std::optional<std::string> unwrap(std::string_view subject, std::string_view wrapped) const;

private:
    std::string bytes_;
    std::string id_;
};

/// The KEK id a wrapped key names, or nullopt when `stored` is not a wrapped key (a plain
/// 32-byte key of a ledger from before envelope encryption).
std::optional<std::string> wrapped_key_kek_id(std::string_view stored);

/// The 16-digit hex spelling of an 8-byte KEK id.
std::string kek_id_hex(std::string_view id);

}  // namespace ledger::app
