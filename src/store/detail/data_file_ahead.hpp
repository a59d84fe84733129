#pragma once
// Keeps the ledger's data file written ahead of the pages LMDB uses (issue 18, group commit).
//
// Each commit that uses pages past the data file's end grows the file, and the fdatasync of a
// file that grew must also make its new size and blocks durable: ext4 without a journal (this
// machine's /) writes the file's inode and waits for it, a journalling filesystem commits its
// journal; either way one more write the commit waits for. When the file already extends past
// the pages a commit uses, with zeros actually written (allocated, unlike a hole or
// fallocate's unwritten extents), the commit only overwrites blocks and its fdatasync flushes
// data alone. PostgreSQL zero-fills its WAL segments and SQLite grows its file in chunks for
// the same reason. The zeros are never part of any snapshot: LMDB reads and
// writes only the pages its meta page names, so nothing stored, no format and no durability
// step changes; a kill -9 at any point leaves at most unused zeros past the last page.

#include "ledger/store/lmdb.hpp"

#include <cstdint>

namespace ledger::store::detail {

class data_file_ahead {
public:
    /// `ahead`: bytes of written zeros to keep past the last used page; 0 turns it off.
    explicit data_file_ahead(std::uint64_t ahead) noexcept : ahead_(ahead) {}

    /// After a durable commit, on the writer thread, with no transaction of this thread open.
    /// When fewer than half of `ahead` bytes remain past the last used page, writes zeros up to
    /// `ahead` past it, inside a write transaction of its own that puts nothing and is aborted
    /// (it only holds LMDB's writer lock meanwhile). Commits that each grow the file by more
    /// than an eighth of `ahead` are left alone: zeros for them would be written twice to save
    /// a size update that is a small part of such a commit. Never throws: a failure is logged
    /// (once) and only costs the gain; commits then grow the file as LMDB alone does.
    void keep(lmdb::env& env) noexcept;

private:
    std::uint64_t const ahead_;
    std::uint64_t file_end_ = 0;    // the data file's length when last seen (it never shrinks)
    std::uint64_t last_used_ = 0;   // used bytes after the previous commit
    bool failure_logged_ = false;
};

}  // namespace ledger::store::detail
