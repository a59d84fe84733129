#include "ledger/store/lmdb.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ledger::store::lmdb {
namespace {

MDB_val to_val(std::string_view bytes) noexcept {
    return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}

std::string_view to_view(MDB_val const& v) noexcept {
    return {static_cast<char const*>(v.mv_data), v.mv_size};
}

}  // namespace

error::error(std::string const& origin, int code)
    : std::runtime_error(origin + ": " + mdb_strerror(code)), code_(code) {}

void check(char const* origin, int rc) {
    if (rc == MDB_SUCCESS) return;
    if (rc == MDB_MAP_FULL) throw map_full(origin, rc);
    throw error(origin, rc);
}

// ---- env -----------------------------------------------------------------------------------

env::env(env_options const& options) : directory_(options.directory) {
    if (!options.read_only) std::filesystem::create_directories(directory_);
    check("mdb_env_create", mdb_env_create(&handle_));
    try {
        check("mdb_env_set_maxdbs", mdb_env_set_maxdbs(handle_, options.max_databases));
        check("mdb_env_set_maxreaders", mdb_env_set_maxreaders(handle_, options.max_readers));
        check("mdb_env_set_mapsize", mdb_env_set_mapsize(handle_, options.map_size));
        // MDB_NOTLS: read transactions are not bound to the thread that began them.
        unsigned const flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : 0u);
        check("mdb_env_open", mdb_env_open(handle_, directory_.c_str(), flags, 0640));
    } catch (...) {
        mdb_env_close(handle_);
        throw;
    }
}

env::env(env&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      directory_(std::move(other.directory_)),
      resize_mutex_(std::move(other.resize_mutex_)) {}

env& env::operator=(env&& other) noexcept {
    if (this != &other) {
        if (handle_ != nullptr) mdb_env_close(handle_);
        handle_ = std::exchange(other.handle_, nullptr);
        directory_ = std::move(other.directory_);
        resize_mutex_ = std::move(other.resize_mutex_);
    }
    return *this;
}

env::~env() {
    if (handle_ != nullptr) mdb_env_close(handle_);
}

std::size_t env::map_size() const {
    MDB_envinfo info{};
    check("mdb_env_info", mdb_env_info(handle_, &info));
    return info.me_mapsize;
}

void env::set_map_size(std::size_t bytes) {
    std::unique_lock const lock(*resize_mutex_);
    check("mdb_env_set_mapsize", mdb_env_set_mapsize(handle_, bytes));
}

namespace {

/// A read transaction on the raw environment, aborted on scope exit.
struct raw_read {
    MDB_txn* handle = nullptr;
    ~raw_read() {
        if (handle != nullptr) mdb_txn_abort(handle);
    }
};

struct raw_cursor {
    MDB_cursor* handle = nullptr;
    ~raw_cursor() {
        if (handle != nullptr) mdb_cursor_close(handle);
    }
};

}  // namespace

// From one read transaction (a consistent snapshot), every named database is rewritten in key
// order with MDB_APPEND, so its pages come out full: mdb_env_copy2's compaction keeps each page
// as it was, and a B-tree filled by random inserts stays about two thirds full. Commits every
// 65,536 records; the copy is synced before this returns. Throws lmdb::error, and
// std::runtime_error when the main database holds a record that is not a database.
void env::copy_compacted(std::filesystem::path const& target) const {
    std::shared_lock const resize(*resize_mutex_);  // a map resize waits for the copy
    raw_read source;
    check("mdb_txn_begin", mdb_txn_begin(handle_, nullptr, MDB_RDONLY, &source.handle));
    MDB_dbi main_dbi = 0;
    check("mdb_dbi_open", mdb_dbi_open(source.handle, nullptr, 0, &main_dbi));
    std::vector<std::string> names;
    {
        raw_cursor cursor;
        check("mdb_cursor_open", mdb_cursor_open(source.handle, main_dbi, &cursor.handle));
        MDB_val key{}, value{};
        int rc = mdb_cursor_get(cursor.handle, &key, &value, MDB_FIRST);
        for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor.handle, &key, &value, MDB_NEXT)) {
            names.emplace_back(to_view(key));
        }
        if (rc != MDB_NOTFOUND) check("mdb_cursor_get", rc);
    }
    MDB_envinfo info{};
    check("mdb_env_info", mdb_env_info(handle_, &info));
    env copy(env_options{.directory = target,
                         .map_size = info.me_mapsize,
                         .max_databases = static_cast<unsigned>(names.size()) + 16});
    constexpr std::size_t records_per_commit = 65'536;
    for (auto const& name : names) {
        MDB_dbi from = 0;
        int const opened = mdb_dbi_open(source.handle, name.c_str(), 0, &from);
        if (opened == MDB_INCOMPATIBLE) {
            throw std::runtime_error("cannot copy the LMDB environment: its main database holds a record (" + name +
                                     ") that is not a database");
        }
        check("mdb_dbi_open", opened);
        unsigned flags = 0;
        check("mdb_dbi_flags", mdb_dbi_flags(source.handle, from, &flags));
        flags &= MDB_REVERSEKEY | MDB_DUPSORT | MDB_INTEGERKEY | MDB_DUPFIXED | MDB_INTEGERDUP | MDB_REVERSEDUP;
        // In key order, each record goes after the last: MDB_APPEND fills every page. In a
        // table of sorted duplicates (format 6's event_id_keys) a key's first value appends and
        // its further values go in the ordinary way, to the end of their set (LMDB's MDB_APPEND
        // refuses a key equal to the last).
        bool const duplicates = (flags & MDB_DUPSORT) != 0;
        std::optional<std::string> previous_key;
        auto txn = std::make_unique<write_txn>(copy);
        auto const to = txn->open_database(name.c_str(), flags);
        raw_cursor cursor;
        check("mdb_cursor_open", mdb_cursor_open(source.handle, from, &cursor.handle));
        MDB_val key{}, value{};
        std::size_t in_txn = 0;
        int rc = mdb_cursor_get(cursor.handle, &key, &value, MDB_FIRST);
        for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor.handle, &key, &value, MDB_NEXT)) {
            bool const new_key = !duplicates || !previous_key || to_view(key) != *previous_key;
            txn->put(to, to_view(key), to_view(value), new_key);
            if (duplicates && new_key) previous_key = std::string(to_view(key));
            if (++in_txn == records_per_commit) {
                txn->commit();
                txn = std::make_unique<write_txn>(copy);
                in_txn = 0;
            }
        }
        if (rc != MDB_NOTFOUND) check("mdb_cursor_get", rc);
        txn->commit();
    }
    copy.sync();
}

void env::sync() { check("mdb_env_sync", mdb_env_sync(handle_, 1)); }

bool env::panicked() noexcept {
    std::shared_lock const lock(*resize_mutex_);
    MDB_txn* probe = nullptr;
    int const rc = mdb_txn_begin(handle_, nullptr, MDB_RDONLY, &probe);
    if (rc == MDB_SUCCESS) mdb_txn_abort(probe);
    return rc == MDB_PANIC;
}

unsigned env::flags() const {
    unsigned flags = 0;
    check("mdb_env_get_flags", mdb_env_get_flags(handle_, &flags));
    return flags;
}

std::uint64_t env::used_bytes() const {
    MDB_envinfo info{};
    check("mdb_env_info", mdb_env_info(handle_, &info));
    MDB_stat stat{};
    check("mdb_env_stat", mdb_env_stat(handle_, &stat));
    return (std::uint64_t{info.me_last_pgno} + 1) * stat.ms_psize;
}

std::span<char const> env::mapped() const {
    MDB_envinfo info{};
    check("mdb_env_info", mdb_env_info(handle_, &info));
    return {static_cast<char const*>(info.me_mapaddr), static_cast<std::size_t>(used_bytes())};
}

// ---- txn -----------------------------------------------------------------------------------

txn::txn(txn&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), resize_lock_(std::move(other.resize_lock_)) {}

txn& txn::operator=(txn&& other) noexcept {
    if (this != &other) {
        abort();
        handle_ = std::exchange(other.handle_, nullptr);
        resize_lock_ = std::move(other.resize_lock_);
    }
    return *this;
}

txn::~txn() { abort(); }

void txn::abort() noexcept {
    if (handle_ != nullptr) mdb_txn_abort(std::exchange(handle_, nullptr));
    if (resize_lock_.owns_lock()) resize_lock_.unlock();
}

void txn::begin(env& e, unsigned flags) {
    resize_lock_ = std::shared_lock(*e.resize_mutex_);
    int rc = mdb_txn_begin(e.handle_, nullptr, flags, &handle_);
    if (rc == MDB_MAP_RESIZED) {
        // Another process grew the map: adopt its size (needs no open transaction here).
        resize_lock_.unlock();
        {
            std::unique_lock const exclusive(*e.resize_mutex_);
            check("mdb_env_set_mapsize", mdb_env_set_mapsize(e.handle_, 0));
        }
        resize_lock_.lock();
        rc = mdb_txn_begin(e.handle_, nullptr, flags, &handle_);
    }
    if (rc != MDB_SUCCESS) {
        handle_ = nullptr;
        resize_lock_.unlock();
        check("mdb_txn_begin", rc);
    }
}

std::optional<std::string_view> txn::get(dbi db, std::string_view key) const {
    MDB_val k = to_val(key);
    MDB_val v{};
    int const rc = mdb_get(handle_, db.handle(), &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check("mdb_get", rc);
    return to_view(v);
}

std::size_t txn::entries(dbi db) const {
    MDB_stat stat{};
    check("mdb_stat", mdb_stat(handle_, db.handle(), &stat));
    return stat.ms_entries;
}

read_txn::read_txn(env& e) { begin(e, MDB_RDONLY); }

write_txn::write_txn(env& e) { begin(e, 0); }

write_txn write_txn::nested(write_txn& parent) {
    write_txn child;  // the parent holds the resize lock for both
    check("mdb_txn_begin", mdb_txn_begin(mdb_txn_env(parent.handle_), parent.handle_, 0, &child.handle_));
    return child;
}

dbi write_txn::open_database(char const* name, unsigned flags) {
    MDB_dbi handle = 0;
    check("mdb_dbi_open", mdb_dbi_open(handle_, name, flags | MDB_CREATE, &handle));
    return dbi{handle};
}

void write_txn::put(dbi db, std::string_view key, std::string_view value, bool append) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    check("mdb_put", mdb_put(handle_, db.handle(), &k, &v, append ? MDB_APPEND : 0u));
}

bool write_txn::put_new(dbi db, std::string_view key, std::string_view value, bool append) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    int const rc = mdb_put(handle_, db.handle(), &k, &v, MDB_NOOVERWRITE | (append ? MDB_APPEND : 0u));
    if (rc == MDB_KEYEXIST) return false;
    check("mdb_put", rc);
    return true;
}

bool write_txn::remove(dbi db, std::string_view key) {
    MDB_val k = to_val(key);
    int const rc = mdb_del(handle_, db.handle(), &k, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    check("mdb_del", rc);
    return true;
}

void write_txn::commit() {
    // mdb_txn_commit frees the handle whatever it returns.
    int const rc = mdb_txn_commit(std::exchange(handle_, nullptr));
    if (resize_lock_.owns_lock()) resize_lock_.unlock();
    check("mdb_txn_commit", rc);
}

std::uint64_t write_txn::extend_data_file(std::uint64_t end) {
    mdb_filehandle_t fd{};
    check("mdb_env_get_fd", mdb_env_get_fd(mdb_txn_env(handle_), &fd));
    struct stat file {};
    if (::fstat(fd, &file) != 0) throw error("fstat of the data file", errno);
    auto const from = static_cast<std::uint64_t>(file.st_size);
    static std::array<char, std::size_t{64} << 10> const zeros{};
    auto at = from;
    while (at < end) {
        auto const size = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), end - at));
        auto const wrote = ::pwrite(fd, zeros.data(), size, static_cast<off_t>(at));
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) throw error("extending the data file", wrote < 0 ? errno : EIO);
        at += static_cast<std::uint64_t>(wrote);
    }
#ifdef __linux__
    // Start the write-back now, so the next commit's fdatasync finds most of it on the disk
    // (a hint: its failure only leaves the write-back to that fdatasync).
    if (at > from) {
        (void)::sync_file_range(fd, static_cast<off_t>(from), static_cast<off_t>(at - from), SYNC_FILE_RANGE_WRITE);
    }
#endif
    return at;
}

// ---- cursor --------------------------------------------------------------------------------

cursor::cursor(txn const& t, dbi db) {
    check("mdb_cursor_open", mdb_cursor_open(t.handle_, db.handle(), &handle_));
}

cursor::~cursor() { mdb_cursor_close(handle_); }

std::optional<cursor::entry> cursor::move(MDB_cursor_op op, std::string_view key) {
    MDB_val k = to_val(key);
    MDB_val v{};
    int const rc = mdb_cursor_get(handle_, &k, &v, op);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check("mdb_cursor_get", rc);
    return entry{to_view(k), to_view(v)};
}

std::optional<cursor::entry> cursor::first() { return move(MDB_FIRST); }
std::optional<cursor::entry> cursor::last() { return move(MDB_LAST); }
std::optional<cursor::entry> cursor::next() { return move(MDB_NEXT); }
std::optional<cursor::entry> cursor::prev() { return move(MDB_PREV); }
std::optional<cursor::entry> cursor::seek(std::string_view key) { return move(MDB_SET_RANGE, key); }

}  // namespace ledger::store::lmdb
