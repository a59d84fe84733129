#pragma once
// Opening a ledger's personal data keys at start-up (docs/privacy.md): find the key-encryption
// key (KEK), check it is the one the ledger's keys are wrapped under, wrap the plain keys of a
// ledger from before envelope encryption, and keep key rotation away while the ledger is in
// use. The server and the CLI commands that seal personal data (demo, import) call this before
// they open the store; `recruit-ledger keys rotate` calls rotate_kek.
//
// Where the KEK comes from, first found wins:
//   1. the file given by --kek;
//   2. the systemd credential $CREDENTIALS_DIRECTORY/recruit-ledger-kek (LoadCredential=);
//   3. `<data directory>.kek` beside the data directory (never inside it), if it exists.
// A ledger without sealed data and without any KEK gets a new one at 3 (when the caller
// allows it), with a log line saying where.
//
// Online rotation (the server): with a new KEK (--new-kek FILE, else the credential
// $CREDENTIALS_DIRECTORY/recruit-ledger-kek-new) the ledger opens with either KEK's keys,
// meta "kek_rotation" durably names the new KEK before any key is wrapped under it, and
// app::kek_rotation (kek_rotation.hpp) re-wraps the keys in bounded transactions while the
// server serves. Until it finishes, every key is wrapped under the old or the new KEK and the
// ledger opens only with both (a restart with both resumes it); afterwards only with the new.
//
// Errors: app::key_refusal (nothing in the ledger was changed) with a message for the
// operator; lmdb::error for storage failures. Threading: call before opening the store.

#include "ledger/app/key_encryption_key.hpp"
#include "ledger/app/subject_key_cache.hpp"

#include <filesystem>
#include <memory>
#include <optional>

namespace ledger::app {

/// An advisory lock (flock) on the data directory: shared while a server or a sealing command
/// uses the ledger, exclusive while a rotation rewrites its keys. Released when destroyed.
class ledger_directory_lock {
public:
    /// Throws key_refusal when the lock is held the other way by another process.
    ledger_directory_lock(std::filesystem::path const& directory, bool exclusive);
    ~ledger_directory_lock();
    ledger_directory_lock(ledger_directory_lock&& other) noexcept;
    ledger_directory_lock& operator=(ledger_directory_lock&&) = delete;
    ledger_directory_lock(ledger_directory_lock const&) = delete;

private:
    int fd_ = -1;
};

/// `<data>.kek` beside the data directory: the default KEK location and where a new one goes.
std::filesystem::path default_kek_path(std::filesystem::path const& data_directory);

/// The systemd credential name of the new KEK of an online rotation.
inline constexpr std::string_view new_kek_credential_name = "recruit-ledger-kek-new";

/// The KEK file to use (see above), or nullopt when none is given or found.
std::optional<std::filesystem::path> find_kek(std::optional<std::filesystem::path> const& flag,
                                              std::filesystem::path const& data_directory);

/// The new KEK of an online rotation: `flag`, else the credential recruit-ledger-kek-new.
std::optional<std::filesystem::path> find_new_kek(std::optional<std::filesystem::path> const& flag);

struct personal_data_keys {
    std::shared_ptr<subject_key_cache const> keys;  // for personal_data_sealer
    ledger_directory_lock lock;                     // hold while the store is open
    /// An online rotation is under way (keys->next_kek() is its target): run app::kek_rotation
    /// once the store is open.
    bool rotating = false;
};

/// Finds and checks the KEK for the ledger in `data_directory` (see above), migrating plain
/// keys in one transaction (logged), and binding a new ledger to its KEK (meta "kek_id").
/// `may_create`: make a new KEK at default_kek_path when the ledger holds no sealed data and
/// no KEK is given. Refuses (key_refusal, ledger untouched) when the ledger holds sealed data
/// and no KEK is given, or the KEK is not the ledger's.
/// `new_kek_flag`: rotate online to this KEK (or the credential recruit-ledger-kek-new; see
/// above). A ledger whose online rotation is unfinished refuses to open without its new KEK;
/// one whose rotation finished opens with the new KEK alone (the old one is then ignored).
personal_data_keys open_personal_data_keys(std::filesystem::path const& data_directory,
                                           std::optional<std::filesystem::path> const& kek_flag,
                                           bool may_create,
                                           std::optional<std::filesystem::path> const& new_kek_flag = std::nullopt);

/// Whether `kek` opens the ledger's keys, changing nothing: returns the KEK's id in hex, or
/// throws key_refusal saying why not (another KEK's keys, no sealed data bound to any KEK, a
/// key that does not unwrap).
std::string check_kek(std::filesystem::path const& data_directory, std::filesystem::path const& kek);

/// Re-wraps every candidate key from `old_kek` to `new_kek` in one durable transaction and
/// records the new KEK id; returns the number of keys. Crash-safe: before the commit only the
/// old KEK opens the ledger, after it only the new one. Running it again after a completed
/// rotation is a no-op (returns 0). It also finishes an interrupted online rotation to the
/// same new KEK (keys already under it are kept). Takes the directory lock exclusively: refuses while a
/// server or another command uses the ledger. Throws key_refusal for a wrong old KEK, a
/// ledger without sealed data or a new KEK equal to the old one.
std::uint64_t rotate_kek(std::filesystem::path const& data_directory,
                         std::filesystem::path const& old_kek,
                         std::filesystem::path const& new_kek);

}  // namespace ledger::app
