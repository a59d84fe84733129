#include "ledger/store/subject_key_maintenance.hpp"

#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"

#include <optional>
#include <utility>
#include <vector>

namespace ledger::store {
namespace {

constexpr std::string_view meta_kek_id = "kek_id";
constexpr std::string_view meta_kek_rotation = "kek_rotation";

lmdb::env open_env(std::filesystem::path const& directory) {
    // The map only needs to cover the file: LMDB adopts the larger size recorded in the file.
    return lmdb::env(lmdb::env_options{.directory = directory, .map_size = std::size_t{256} << 20});
}

/// A read-only look at data.mdb that does not even use the lock file (MDB_NOLOCK), so a
/// refused start leaves every file of the directory byte-identical. Without the lock, a
/// concurrent writer could reuse pages under this short read; at worst the census is wrong and
/// a start is refused, never is anything written.
class unlocked_reader {
public:
    explicit unlocked_reader(std::filesystem::path const& directory) {
        lmdb::check("mdb_env_create", mdb_env_create(&env_));
        try {
            lmdb::check("mdb_env_set_maxdbs", mdb_env_set_maxdbs(env_, 16));
            lmdb::check("mdb_env_open", mdb_env_open(env_, directory.c_str(), MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0));
            lmdb::check("mdb_txn_begin", mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn_));
        } catch (...) {
            mdb_env_close(env_);
            throw;
        }
    }
    ~unlocked_reader() {
        mdb_txn_abort(txn_);
        mdb_env_close(env_);
    }
    unlocked_reader(unlocked_reader const&) = delete;
    unlocked_reader& operator=(unlocked_reader const&) = delete;

    /// The named table, or nullopt when the ledger has none.
    std::optional<MDB_dbi> table(char const* name) {
        MDB_dbi dbi = 0;
        int const rc = mdb_dbi_open(txn_, name, 0, &dbi);
        if (rc == MDB_NOTFOUND) return std::nullopt;
        lmdb::check("mdb_dbi_open", rc);
        return dbi;
    }
    MDB_txn* txn() const noexcept { return txn_; }
    /// The value of `name` in `table`, or nullopt.
    std::optional<std::string> get(MDB_dbi table, std::string_view name) const {
        MDB_val key{name.size(), const_cast<char*>(name.data())};
        MDB_val value{};
        int const rc = mdb_get(txn_, table, &key, &value);
        if (rc == MDB_NOTFOUND) return std::nullopt;
        lmdb::check("mdb_get", rc);
        return std::string(static_cast<char const*>(value.mv_data), value.mv_size);
    }

private:
    MDB_env* env_ = nullptr;
    MDB_txn* txn_ = nullptr;
};

std::string_view view(MDB_val const& value) {
    return {static_cast<char const*>(value.mv_data), value.mv_size};
}

}  // namespace

subject_key_census read_subject_key_census(std::filesystem::path const& directory) {
    subject_key_census census;
    std::error_code ignored;
    if (!std::filesystem::exists(directory / "data.mdb", ignored)) return census;
    census.ledger_exists = true;
    unlocked_reader reader(directory);
    if (auto const meta = reader.table("meta")) {
        census.kek_id = reader.get(*meta, meta_kek_id);
        census.rotation_to = reader.get(*meta, meta_kek_rotation);
    }
    auto const keys = reader.table("subject_keys");
    if (!keys) return census;
    MDB_stat stat{};
    lmdb::check("mdb_stat", mdb_stat(reader.txn(), *keys, &stat));
    census.keys = stat.ms_entries;
    MDB_cursor* cursor = nullptr;
    lmdb::check("mdb_cursor_open", mdb_cursor_open(reader.txn(), *keys, &cursor));
    MDB_val key{}, value{};
    int const rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
    if (rc == 0) {
        census.sample_subject = std::string(view(key));
        census.sample = std::string(view(value));
    }
    mdb_cursor_close(cursor);
    if (rc != 0 && rc != MDB_NOTFOUND) lmdb::check("mdb_cursor_get", rc);
    return census;
}

std::uint64_t rewrite_subject_keys(
    std::filesystem::path const& directory,
    std::function<std::string(std::string_view subject, std::string_view stored)> const& rewrite,
    std::string_view kek_id) {
    auto env = open_env(directory);
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    std::vector<std::pair<std::string, std::string>> rewritten;
    {
        lmdb::cursor keys(txn, db.subject_keys);
        for (auto entry = keys.first(); entry; entry = keys.next()) {
            rewritten.emplace_back(std::string(entry->first), rewrite(entry->first, entry->second));
        }
    }
    for (auto const& [subject, stored] : rewritten) txn.put(db.subject_keys, subject, stored);
    txn.put(db.meta, meta_kek_id, kek_id);
    txn.remove(db.meta, meta_kek_rotation);
    txn.commit();
    return rewritten.size();
}

void begin_kek_rotation(std::filesystem::path const& directory, std::string_view kek_id) {
    auto env = open_env(directory);
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    txn.put(db.meta, meta_kek_rotation, kek_id);
    txn.commit();
}

void visit_subject_keys(std::filesystem::path const& directory,
                        std::function<void(std::string_view subject, std::string_view stored)> const& visit) {
    std::error_code ignored;
    if (!std::filesystem::exists(directory / "data.mdb", ignored)) return;
    unlocked_reader reader(directory);
    auto const keys = reader.table("subject_keys");
    if (!keys) return;
    MDB_cursor* cursor = nullptr;
    lmdb::check("mdb_cursor_open", mdb_cursor_open(reader.txn(), *keys, &cursor));
    try {
        MDB_val key{}, value{};
        int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
        for (; rc == 0; rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) visit(view(key), view(value));
        if (rc != MDB_NOTFOUND) lmdb::check("mdb_cursor_get", rc);
    } catch (...) {
        mdb_cursor_close(cursor);
        throw;
    }
    mdb_cursor_close(cursor);
}

rewrap_batch rewrap_subject_keys_batch(
    lmdb::env& env, std::string_view after_subject, std::size_t limit,
    std::function<std::optional<std::string>(std::string_view subject, std::string_view stored)> const& rewrite,
    std::string_view kek_id) {
    rewrap_batch batch;
    lmdb::write_txn txn(env);
    auto const db = detail::tables::open(txn);
    std::vector<std::pair<std::string, std::string>> rewritten;
    {
        lmdb::cursor keys(txn, db.subject_keys);
        auto entry = after_subject.empty() ? keys.first() : keys.seek(after_subject);
        if (entry && !after_subject.empty() && entry->first == after_subject) entry = keys.next();
        for (; entry && batch.visited < limit; entry = keys.next()) {
            ++batch.visited;
            batch.last_subject = std::string(entry->first);
            if (auto replaced = rewrite(entry->first, entry->second)) {
                rewritten.emplace_back(std::string(entry->first), std::move(*replaced));
            }
        }
        batch.finished = !entry;
    }
    for (auto const& [subject, stored] : rewritten) txn.put(db.subject_keys, subject, stored);
    batch.keys = txn.entries(db.subject_keys);
    if (batch.finished) {
        txn.put(db.meta, meta_kek_id, kek_id);
        txn.remove(db.meta, meta_kek_rotation);
    }
    if (batch.finished || !rewritten.empty()) txn.commit();
    batch.rewrapped = rewritten.size();
    if (batch.last_subject.empty()) batch.last_subject = std::string(after_subject);
    return batch;
}

}  // namespace ledger::store
