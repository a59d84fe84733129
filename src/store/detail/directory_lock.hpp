#pragma once
// One writing process per data directory: an exclusive flock(2) on DIR/writer.lock, held for
// the lock object's life. LMDB itself lets several processes write one environment in turn,
// which would let an import and a server interleave; this refuses the second one instead.
//
// Errors: the constructor throws directory_locked (event_store.hpp) when another process (or
// another store in this one) holds the lock, std::system_error when the file cannot be opened.
// The descriptor is close-on-exec, so programs a server starts never inherit the lock.

#include <filesystem>

namespace ledger::store::detail {

class directory_lock {
public:
    explicit directory_lock(std::filesystem::path const& directory);
    ~directory_lock();
    directory_lock(directory_lock const&) = delete;
    directory_lock& operator=(directory_lock const&) = delete;

private:
    int fd_ = -1;
};

}  // namespace ledger::store::detail
