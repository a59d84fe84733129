#pragma once
// Move-only RAII handles over LMDB (lmdb.h): environment, transactions, cursors.
//
// Errors: infrastructure failures throw `lmdb::error` (one mapping function, `check`);
// MDB_MAP_FULL throws the narrower `map_full`, which the writer answers by growing the map;
// MDB_NOTFOUND is never thrown: lookups return std::optional.
//
// Threading: the environment is opened with MDB_NOTLS, so a read transaction belongs to no
// thread, but one transaction must still be used by one thread at a time and never held across
// an await. Growing the map needs every transaction of this process closed, so each transaction
// holds the environment's resize lock shared and `env::set_map_size` takes it exclusively.

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ledger::store::lmdb {

/// An LMDB failure: where it happened and LMDB's own code.
class error : public std::runtime_error {
public:
    error(std::string const& origin, int code);
    int code() const noexcept { return code_; }

private:
    int code_;
};

/// The map (not the disk) is full; the writer grows it and retries.
class map_full : public error {
public:
    using error::error;
};

/// The one place LMDB codes become exceptions. Returns normally for MDB_SUCCESS.
void check(char const* origin, int rc);

/// A named database handle. Cheap to copy; valid for the life of its environment.
class dbi {
public:
    dbi() = default;
    explicit dbi(MDB_dbi handle) : handle_(handle) {}
    MDB_dbi handle() const noexcept { return handle_; }

private:
    MDB_dbi handle_ = 0;
};

struct env_options {
    std::filesystem::path directory;  // created if missing
    std::size_t map_size = std::size_t{1} << 30;
    unsigned max_databases = 16;
    unsigned max_readers = 512;
    bool read_only = false;
};

class env {
public:
    explicit env(env_options const& options);
    env(env&& other) noexcept;
    env& operator=(env&& other) noexcept;
    env(env const&) = delete;
    env& operator=(env const&) = delete;
    ~env();

    /// The current map size in bytes.
    std::size_t map_size() const;

    /// Grows (or shrinks) the map. Blocks until no transaction of this process is open.
    void set_map_size(std::size_t bytes);

    /// Writes a compacted copy into the empty directory `target` while writers go on: each table
    /// rewritten in key order with MDB_APPEND, so pages come out full (lmdb.cpp says more).
    void copy_compacted(std::filesystem::path const& target) const;

    /// Flushes buffers to disk (used after opening; commits already sync).
    void sync();

    /// True when LMDB has marked the environment failed (MDB_PANIC: a meta page write failed,
    /// so no transaction may begin until the process reopens it). Probes with a read
    /// transaction; never throws.
    bool panicked() noexcept;

    /// The environment's open flags (mdb_env_get_flags), e.g. to prove no MDB_NOSYNC is set.
    unsigned flags() const;

    /// Bytes of the data file that the newest committed snapshot uses: up to the end of its
    /// last page. The file may be longer (write_txn::extend_data_file).
    std::uint64_t used_bytes() const;
    /// The map's first used_bytes(): where a read transaction's values lie. Valid while a
    /// transaction is open (a map resize waits for every one).
    std::span<char const> mapped() const;

    std::filesystem::path const& directory() const noexcept { return directory_; }

private:
    friend class txn;
    friend class read_txn;
    friend class write_txn;

    MDB_env* handle_ = nullptr;
    std::filesystem::path directory_;
    // unique_ptr keeps env movable while transactions point at a stable mutex.
    std::unique_ptr<std::shared_mutex> resize_mutex_ = std::make_unique<std::shared_mutex>();
};

/// What read and write transactions share: lookups and the life of the handle.
class txn {
public:
    txn(txn const&) = delete;
    txn& operator=(txn const&) = delete;

    /// The value stored under `key`, pointing into the map: valid until the transaction ends
    /// (or, in a write transaction, until the next write). nullopt when absent.
    std::optional<std::string_view> get(dbi db, std::string_view key) const;

    /// Number of entries in `db`.
    std::size_t entries(dbi db) const;

protected:
    txn() = default;
    txn(txn&& other) noexcept;
    txn& operator=(txn&& other) noexcept;
    ~txn();
    void begin(env& e, unsigned flags);
    void abort() noexcept;

    friend class cursor;
    MDB_txn* handle_ = nullptr;
    std::shared_lock<std::shared_mutex> resize_lock_;
};

class read_txn : public txn {
public:
    explicit read_txn(env& e);
    read_txn(read_txn&&) noexcept = default;
    read_txn& operator=(read_txn&&) noexcept = default;
    ~read_txn() = default;
};

class write_txn : public txn {
public:
    explicit write_txn(env& e);
    /// A transaction nested in `parent` (mdb_txn_begin with a parent): its writes join the
    /// parent's on commit and vanish on abort; the parent must not be used until it ends.
    static write_txn nested(write_txn& parent);
    write_txn(write_txn&&) noexcept = default;
    write_txn& operator=(write_txn&&) noexcept = default;
    ~write_txn() = default;  // aborts if not committed

    /// Opens (creating if needed) the named database `name`.
    dbi open_database(char const* name, unsigned flags = 0);

    /// Stores `value` under `key`. `append` asserts the key sorts after every existing key
    /// (MDB_APPEND), which keeps append-only tables dense. Throws map_full when the map is full.
    void put(dbi db, std::string_view key, std::string_view value, bool append = false);

    /// As put, but never replaces (MDB_NOOVERWRITE): false, writing nothing, when `key` is
    /// already in `db`.
    bool put_new(dbi db, std::string_view key, std::string_view value, bool append = false);

    /// Deletes `key` from `db`; false when it was not there. Only for tables whose entries
    /// may go (subject keys); the log and its indexes are append-only.
    bool remove(dbi db, std::string_view key);

    /// Makes everything durable (fsync); a nested transaction's commit only joins its parent.
    /// The handle is freed even when commit fails.
    void commit();

    /// Writes zeros past the end of the data file until it is `end` bytes long (nothing when it
    /// is already that long), starts writing them back to the disk, and returns the file's
    /// length. Then a later commit that uses those bytes overwrites blocks the filesystem has
    /// already allocated, so its fdatasync need not also make the file's new size durable (an
    /// inode write or a journal commit). Safe because it runs inside a write transaction that has put nothing:
    /// LMDB's writer lock keeps every other writer (of any process) out, and pages reach the
    /// file only when a transaction commits (or spills), so no byte past the file's end is in
    /// use. Throws lmdb::error (with errno's code) when a write fails; bytes written before stay
    /// (zeros past every used page, harmless).
    std::uint64_t extend_data_file(std::uint64_t end);

private:
    write_txn() = default;
};

/// A cursor over one database in one transaction. Neither copyable nor movable, so it lives in
/// the scope that owns its transaction and cannot outlive it.
class cursor {
public:
    using entry = std::pair<std::string_view, std::string_view>;

    cursor(txn const& t, dbi db);
    cursor(cursor const&) = delete;
    cursor& operator=(cursor const&) = delete;
    ~cursor();

    std::optional<entry> first();
    std::optional<entry> last();
    std::optional<entry> next();
    std::optional<entry> prev();
    /// The first entry whose key is >= `key`.
    std::optional<entry> seek(std::string_view key);

private:
    std::optional<entry> move(MDB_cursor_op op, std::string_view key = {});
    MDB_cursor* handle_ = nullptr;
};

}  // namespace ledger::store::lmdb
