#include "ledger/app/personal_data_keys.hpp"

#include "ledger/store/subject_key_maintenance.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>

namespace ledger::app {
namespace {

/// The KEK id the ledger's keys are wrapped under: the meta record, or (for a ledger whose
/// keys were wrapped before it was bound) the first key's; nullopt for plain or no keys.
std::optional<std::string> ledger_kek_id(store::subject_key_census const& census) {
    if (census.kek_id) return census.kek_id;
    if (census.sample) return wrapped_key_kek_id(*census.sample);
    return std::nullopt;
}

std::string wrong_kek(std::filesystem::path const& file, key_encryption_key const& kek,
                      std::string_view expected_id) {
    return "wrong key-encryption key: " + file.string() + " has KEK id " + kek.id_hex() +
           ", but this ledger's candidate keys are wrapped under KEK id " + kek_id_hex(expected_id);
}

/// A stored key in its wrapped form under `kek`: plain keys (from before envelope encryption)
/// are wrapped, wrapped ones must already open. Throws key_refusal otherwise.
std::string wrapped_form(key_encryption_key const& kek, std::string_view subject, std::string_view stored) {
    if (!wrapped_key_kek_id(stored)) {
        if (stored.size() != kek_size) {
            throw key_refusal("the stored key of candidate " + std::string(subject) + " is neither a plain "
                              "nor a wrapped key: the subject_keys table is damaged");
        }
        return kek.wrap(subject, stored);
    }
    if (!kek.unwrap(subject, stored)) {
        throw key_refusal("the key of candidate " + std::string(subject) +
                          " does not unwrap under KEK id " + kek.id_hex());
    }
    return std::string(stored);
}

std::string unfinished_rotation(std::filesystem::path const& data_directory, store::subject_key_census const& census) {
    return "an online key rotation of the ledger at " + data_directory.string() + " from KEK id " +
           kek_id_hex(census.kek_id.value_or("")) + " to KEK id " + kek_id_hex(*census.rotation_to) +
           " is unfinished: its candidate keys are wrapped under one or the other. Start the server "
           "with both (--kek OLD --new-kek NEW, or the credentials " + std::string(kek_credential_name) +
           " and " + std::string(new_kek_credential_name) + ") to finish it, or finish it offline with "
           "recruit-ledger keys rotate --data DIR --kek OLD --new-kek NEW";
}

std::filesystem::path resolve_new_kek(std::filesystem::path const& data_directory) {
    auto const file = default_kek_path(data_directory);
    (void)key_encryption_key::create(file);
    spdlog::warn("made a new key-encryption key at {} (beside, not inside, the data directory). "
                 "Without it the personal data in {} cannot be read: keep a copy apart from the "
                 "ledger's backups (docs/privacy.md)",
                 file.string(), data_directory.string());
    return file;
}

}  // namespace

ledger_directory_lock::ledger_directory_lock(std::filesystem::path const& directory, bool exclusive) {
    std::filesystem::create_directories(directory);
    fd_ = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw key_refusal("cannot open the data directory " + directory.string());
    if (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        ::close(fd_);
        throw key_refusal(exclusive ? "the ledger at " + directory.string() +
                                          " is in use (a server or another command): stop it first"
                                    : "the ledger at " + directory.string() +
                                          " is locked by a key rotation: wait for it to finish");
    }
}

ledger_directory_lock::~ledger_directory_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

ledger_directory_lock::ledger_directory_lock(ledger_directory_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

std::filesystem::path default_kek_path(std::filesystem::path const& data_directory) {
    auto directory = std::filesystem::absolute(data_directory).lexically_normal();
    if (!directory.has_filename()) directory = directory.parent_path();  // "data/" is "data"
    return directory.parent_path() / (directory.filename().string() + ".kek");
}

std::optional<std::filesystem::path> find_kek(std::optional<std::filesystem::path> const& flag,
                                              std::filesystem::path const& data_directory) {
    if (flag) return flag;
    std::error_code ignored;
    if (char const* credentials = std::getenv("CREDENTIALS_DIRECTORY"); credentials && *credentials) {
        auto const credential = std::filesystem::path(credentials) / std::string(kek_credential_name);
        if (std::filesystem::exists(credential, ignored)) return credential;
    }
    auto const beside = default_kek_path(data_directory);
    if (std::filesystem::exists(beside, ignored)) return beside;
    return std::nullopt;
}

std::optional<std::filesystem::path> find_new_kek(std::optional<std::filesystem::path> const& flag) {
    if (flag) return flag;
    std::error_code ignored;
    if (char const* credentials = std::getenv("CREDENTIALS_DIRECTORY"); credentials && *credentials) {
        auto const credential = std::filesystem::path(credentials) / std::string(new_kek_credential_name);
        if (std::filesystem::exists(credential, ignored)) return credential;
    }
    return std::nullopt;
}

personal_data_keys open_personal_data_keys(std::filesystem::path const& data_directory,
                                           std::optional<std::filesystem::path> const& kek_flag,
                                           bool may_create,
                                           std::optional<std::filesystem::path> const& new_kek_flag) {
    ledger_directory_lock lock(data_directory, /*exclusive=*/false);
    auto const census = store::read_subject_key_census(data_directory);
    bool const sealed = census.kek_id.has_value() || census.keys > 0;
    std::shared_ptr<key_encryption_key const> next;
    if (auto const new_file = find_new_kek(new_kek_flag)) {
        next = std::make_shared<key_encryption_key const>(key_encryption_key::load(*new_file, data_directory));
        if (census.kek_id == next->id() && !census.rotation_to) {
            // Rotated already (online or offline): the new KEK alone opens it.
            if (census.sample) wrapped_form(*next, census.sample_subject, *census.sample);
            spdlog::warn("the key rotation to KEK id {} ({}) is complete: the ledger at {} opens with it "
                         "alone; start with --kek {} and without --new-kek, and destroy the old key",
                         next->id_hex(), new_file->string(), data_directory.string(), new_file->string());
            return personal_data_keys{std::make_shared<subject_key_cache const>(next), std::move(lock)};
        }
        if (census.rotation_to && *census.rotation_to != next->id()) {
            throw key_refusal(unfinished_rotation(data_directory, census) + " (the new key given, " +
                              new_file->string() + ", has KEK id " + next->id_hex() + ")");
        }
    } else if (census.rotation_to) {
        throw key_refusal(unfinished_rotation(data_directory, census));
    }
    auto file = find_kek(kek_flag, data_directory);
    if (!file && sealed) {
        throw key_refusal("the ledger at " + data_directory.string() + " holds sealed personal data (" +
                          std::to_string(census.keys) + " candidate keys) but no key-encryption key "
                          "was given: pass --kek FILE, or the systemd credential " +
                          std::string(kek_credential_name) + ", or put it at " +
                          default_kek_path(data_directory).string());
    }
    if (!file && !may_create) {
        throw key_refusal("no key-encryption key: pass --kek FILE (make one with recruit-ledger keys init --kek FILE)");
    }
    if (!file) file = resolve_new_kek(data_directory);
    auto kek = std::make_shared<key_encryption_key const>(key_encryption_key::load(*file, data_directory));
    auto const expected = ledger_kek_id(census);
    if (expected && *expected != kek->id()) throw key_refusal(wrong_kek(*file, *kek, *expected));
    if (next && next->id() == kek->id()) throw key_refusal("the new key-encryption key is the old one");
    // A stored key that does not unwrap under this KEK (damage) is refused before anything opens.
    if (census.sample) {
        bool const under_next = next && wrapped_key_kek_id(*census.sample) == next->id();
        wrapped_form(under_next ? *next : *kek, census.sample_subject, *census.sample);
    }
    if (!census.kek_id) {
        // A new ledger, or one from before envelope encryption: bind it to this KEK and wrap
        // its plain keys, all in one transaction.
        auto const wrapped = store::rewrite_subject_keys(
            data_directory,
            [&](std::string_view subject, std::string_view stored) { return wrapped_form(*kek, subject, stored); },
            kek->id());
        if (wrapped > 0) {
            spdlog::warn("wrapped the {} candidate keys of {} under the key-encryption key {} (KEK id {}); "
                         "the plain keys may linger in LMDB's free pages until reused: serve a "
                         "compacted `recruit-ledger backup` to drop them (docs/privacy.md)",
                         wrapped, data_directory.string(), file->string(), kek->id_hex());
        }
    }
    spdlog::info("personal data keys of {} open with the key-encryption key {} (KEK id {})",
                 data_directory.string(), file->string(), kek->id_hex());
    if (!next) return personal_data_keys{std::make_shared<subject_key_cache const>(kek), std::move(lock)};
    // Durable before any key is wrapped under the new KEK: from here on the ledger needs both.
    if (!census.rotation_to) store::begin_kek_rotation(data_directory, next->id());
    spdlog::info("online key rotation of {} from KEK id {} to KEK id {} {} ({} candidate keys); "
                 "new keys are wrapped under the new KEK",
                 data_directory.string(), kek->id_hex(), next->id_hex(),
                 census.rotation_to ? "resumes" : "begins", census.keys);
    return personal_data_keys{std::make_shared<subject_key_cache const>(kek, next), std::move(lock), true};
}

std::string check_kek(std::filesystem::path const& data_directory, std::filesystem::path const& kek_file) {
    auto const kek = key_encryption_key::load(kek_file, data_directory);
    auto const census = store::read_subject_key_census(data_directory);
    if (census.rotation_to) throw key_refusal(unfinished_rotation(data_directory, census));
    auto const expected = ledger_kek_id(census);
    if (!expected) {
        throw key_refusal("the ledger at " + data_directory.string() + " is bound to no key-encryption key yet");
    }
    if (*expected != kek.id()) throw key_refusal(wrong_kek(kek_file, kek, *expected));
    if (census.sample) wrapped_form(kek, census.sample_subject, *census.sample);
    return kek.id_hex();
}

std::uint64_t rotate_kek(std::filesystem::path const& data_directory, std::filesystem::path const& old_kek,
                         std::filesystem::path const& new_kek) {
    ledger_directory_lock const lock(data_directory, /*exclusive=*/true);
    auto const old_key = key_encryption_key::load(old_kek, data_directory);
    auto const new_key = key_encryption_key::load(new_kek, data_directory);
    if (old_key.id() == new_key.id()) throw key_refusal("the new key-encryption key is the old one");
    auto const census = store::read_subject_key_census(data_directory);
    auto const current = ledger_kek_id(census);
    if (!census.ledger_exists || !current) {
        throw key_refusal("the ledger at " + data_directory.string() + " holds no wrapped keys to rotate "
                          "(start it once with --kek to bind or migrate it)");
    }
    if (census.rotation_to && *census.rotation_to != new_key.id()) {
        throw key_refusal(unfinished_rotation(data_directory, census) + " (the new key given has KEK id " +
                          new_key.id_hex() + ")");
    }
    if (*current == new_key.id() && !census.rotation_to) return 0;  // already rotated (e.g. re-run after a crash)
    if (*current != old_key.id()) throw key_refusal(wrong_kek(old_kek, old_key, *current));
    return store::rewrite_subject_keys(
        data_directory,
        [&](std::string_view subject, std::string_view stored) {
            if (census.rotation_to && wrapped_key_kek_id(stored) == new_key.id()) {
                // Re-wrapped by an interrupted online rotation already.
                return wrapped_form(new_key, subject, stored);
            }
            auto key = old_key.unwrap(subject, stored);
            if (!key) {
                throw key_refusal("the key of candidate " + std::string(subject) +
                                  " does not unwrap under the old KEK id " + old_key.id_hex());
            }
            return new_key.wrap(subject, *key);
        },
        new_key.id());
}

}  // namespace ledger::app
