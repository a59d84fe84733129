#pragma once
// Whole-table work on the `subject_keys` table and the meta record naming the ledger's
// key-encryption key (docs/privacy.md): the start-up check, the migration of plain keys and
// key rotation. The store itself never interprets key bytes; these functions only count,
// read and rewrite them, each in one LMDB transaction.
//
// Each opens the ledger's LMDB environment itself, so it must not run while this process
// has an event_store open on the same directory (LMDB allows one environment per file per
// process). Other processes may have it open: LMDB's write lock orders the rewrite with their
// appends. Throws lmdb::error on storage failures.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store {

/// What the ledger holds about its keys.
struct subject_key_census {
    bool ledger_exists = false;          // data.mdb is there
    std::optional<std::string> kek_id;   // meta "kek_id": the KEK the keys are wrapped under
    std::uint64_t keys = 0;              // entries of subject_keys
    std::optional<std::string> sample;   // one stored key (the first), to recognise its form
    std::string sample_subject;
};

/// Reads the census without writing anything (its write transaction is aborted, so even a
/// table it had to open is not created). A directory without data.mdb is not created.
/// Reads the census without writing anything, not even LMDB's lock file (data.mdb is opened
/// read-only without locking), so every file of the directory stays byte-identical. A
/// directory without data.mdb is not created.
subject_key_census read_subject_key_census(std::filesystem::path const& directory);

/// In one durable write transaction: replaces every stored key by `rewrite(subject, stored)`
/// and sets meta "kek_id" to `kek_id`. Crash-safe: after a crash either every key and the meta
/// record are the old ones or every one is new. Creates the ledger when missing (a new
/// ledger is bound to its KEK before its first key). `rewrite` may throw to abort it all.
/// Returns the number of keys rewritten.
std::uint64_t rewrite_subject_keys(
    std::filesystem::path const& directory,
    std::function<std::string(std::string_view subject, std::string_view stored)> const& rewrite,
    std::string_view kek_id);

}  // namespace ledger::store
