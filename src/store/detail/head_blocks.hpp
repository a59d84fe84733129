#pragma once
// Format 8's head records: the heads of 64 consecutive stream numbers packed into one record
// of `streams`, so that a commit of scattered streams rewrites few pages.
//
// A format-7 head is its own record (key 8 bytes, LMDB node header 8, slot 2, value ~4-8):
// ~170 heads to a 4 KiB leaf, so 64 streams spread over 3,200 touch ~19 leaves per commit.
// Format 8 keys a record by block = number / heads_per_block and keeps the block's heads in
// number order, each as
//   LEB128 size ‖ the linked head (LEB128 last version ‖ LEB128 last run ‖ rule state)
// which is ~6-8 bytes a head: ~4x denser, and streams created together (numbers are handed
// out in creation order) share a record. Every block but the newest is full; the newest grows
// by one head when a stream is created (a new block goes to the table's end, MDB_APPEND).
//
// Threading: whoever owns the transaction. Errors: lmdb::error from LMDB, codec_error for a
// damaged block, std::logic_error when a created stream's number does not follow its block's
// last head (a bug upstream: numbers are handed out densely).

#include "detail/tables.hpp"

#include "ledger/store/lmdb.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store::detail {

/// Heads per block record. 64 keeps a block of accept-all heads (~500 bytes) well under LMDB's
/// largest value that stays on its leaf (~2,000 bytes on 4 KiB pages; larger ones go to
/// overflow pages, which a change rewrites whole); more would not pack the leaves tighter.
inline constexpr std::uint64_t heads_per_block = 64;

/// The head bytes at `index` of a block record, or nullopt when the block holds fewer heads.
/// Throws codec_error for a damaged block.
std::optional<std::string_view> head_in_block(std::string_view block, std::uint64_t index);

/// The block's heads in order: visit(index, head bytes). Returns the count. Throws codec_error
/// for a damaged block.
template <typename Visit>
std::uint64_t for_each_head_in_block(std::string_view block, Visit&& visit) {
    std::uint64_t index = 0;
    for (std::size_t used = 0; used < block.size(); ++index) {
        auto const size = read_leb128(block, used);
        if (size > block.size() - used) throw codec_error("a stream head block ends inside a head");
        visit(index, block.substr(used, size));
        used += size;
    }
    return index;
}

/// `block` with the head at `index` replaced by `head`, or `head` added when index is the
/// block's count, into `out` (cleared first). Throws std::logic_error when index is beyond.
void put_head_in_block(std::string_view block, std::uint64_t index, std::string_view head, std::string& out);

/// A linked-layout (format 7 or 8) head's bytes as `txn` sees them, by stream number: format
/// 7's own record or its place in format 8's block. nullopt: no such head. The view lives until
/// the transaction's next write.
std::optional<std::string_view> get_linked_head(lmdb::txn const& txn, tables const& db, std::uint64_t stream_number);

/// Writes a linked-layout head's bytes; `created`: a new stream (the largest number so far).
void put_linked_head(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::string_view head,
                     bool created);

/// Every linked-layout head in number order: visit(stream number, head bytes). Returns the
/// records that are not a head or a block of heads (a key not 8 bytes long, an empty or
/// over-full block); throws codec_error for a block that does not decode.
template <typename Visit>
std::uint64_t for_each_linked_head(lmdb::txn const& txn, tables const& db, Visit&& visit) {
    std::uint64_t malformed = 0;
    lmdb::cursor records(txn, db.streams);
    for (auto entry = records.first(); entry; entry = records.next()) {
        if (entry->first.size() != 8) {
            ++malformed;
            continue;
        }
        auto const key = decode_u64(entry->first);
        if (!db.head_blocks) {
            visit(key, entry->second);
            continue;
        }
        auto const count = for_each_head_in_block(
            entry->second, [&](std::uint64_t index, std::string_view head) { visit(key * heads_per_block + index, head); });
        if (count == 0 || count > heads_per_block) ++malformed;
    }
    return malformed;
}

}  // namespace ledger::store::detail
