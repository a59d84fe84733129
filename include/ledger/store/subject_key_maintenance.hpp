#pragma once
// Whole-table work on the `subject_keys` table and the meta record naming the ledger's
// key-encryption key (docs/privacy.md): the start-up check, the migration of plain keys and
// key rotation. The store itself never interprets key bytes; these functions only count,
// read and rewrite them, each in one LMDB transaction.
//
// The functions taking a directory open the ledger's LMDB environment themselves, so they must
// not run while this process has an event_store open on the same directory (LMDB allows one
// environment per file per process). Other processes may have it open: LMDB's write lock
// orders the rewrite with their appends. rewrap_subject_keys_batch is the online form: it takes
// the running store's environment and writes one bounded transaction, ordered with the group
// writer's by LMDB's write lock. Throws lmdb::error on storage failures.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store {
namespace lmdb {
class env;
}

/// What the ledger holds about its keys.
struct subject_key_census {
    bool ledger_exists = false;          // data.mdb is there
    std::optional<std::string> kek_id;   // meta "kek_id": the KEK the keys are wrapped under
    /// meta "kek_rotation": the KEK an unfinished online rotation re-wraps keys under; while
    /// it is set, each key is wrapped under kek_id or under this one.
    std::optional<std::string> rotation_to;
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

/// In one durable write transaction: replaces every stored key by `rewrite(subject, stored)`,
/// sets meta "kek_id" to `kek_id` and clears "kek_rotation". Crash-safe: after a crash either every key and the meta
/// record are the old ones or every one is new. Creates the ledger when missing (a new
/// ledger is bound to its KEK before its first key). `rewrite` may throw to abort it all.
/// Returns the number of keys rewritten.
std::uint64_t rewrite_subject_keys(
    std::filesystem::path const& directory,
    std::function<std::string(std::string_view subject, std::string_view stored)> const& rewrite,
    std::string_view kek_id);

/// Records meta "kek_rotation" = `kek_id` in one durable write transaction (an online rotation
/// starts: from now on new keys may be wrapped under it). Idempotent.
void begin_kek_rotation(std::filesystem::path const& directory, std::string_view kek_id);

/// Calls `visit(subject, stored)` for every stored key, in key order, in one read-only look
/// that writes nothing (as read_subject_key_census). For checks and tests.
void visit_subject_keys(std::filesystem::path const& directory,
                        std::function<void(std::string_view subject, std::string_view stored)> const& visit);

struct rewrap_batch {
    std::uint64_t visited = 0;    // keys looked at
    std::uint64_t rewrapped = 0;  // of those, rewritten
    std::uint64_t keys = 0;       // entries of subject_keys
    std::string last_subject;     // where the next batch continues (after it)
    bool finished = false;        // the table's end was reached: meta now names the new KEK
};

/// One bounded, durable write transaction of an online rotation on the running store's `env`:
/// looks at up to `limit` keys after `after_subject` (from the first when empty), replaces each
/// for which `rewrite(subject, stored)` returns a value, and, when it reaches the end of the
/// table, sets meta "kek_id" to `kek_id` and clears "kek_rotation" in the same transaction.
/// `rewrite` may throw to abort the batch (nothing written).
rewrap_batch rewrap_subject_keys_batch(
    lmdb::env& env, std::string_view after_subject, std::size_t limit,
    std::function<std::optional<std::string>(std::string_view subject, std::string_view stored)> const& rewrite,
    std::string_view kek_id);

}  // namespace ledger::store
