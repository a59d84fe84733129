#include "detail/head_blocks.hpp"

#include <stdexcept>

namespace ledger::store::detail {

std::optional<std::string_view> head_in_block(std::string_view block, std::uint64_t index) {
    std::uint64_t at = 0;
    for (std::size_t used = 0; used < block.size(); ++at) {
        auto const size = read_leb128(block, used);
        if (size > block.size() - used) throw codec_error("a stream head block ends inside a head");
        if (at == index) return block.substr(used, size);
        used += size;
    }
    return std::nullopt;
}

void put_head_in_block(std::string_view block, std::uint64_t index, std::string_view head, std::string& out) {
    out.clear();
    std::uint64_t at = 0;
    std::size_t used = 0;
    // Copy the heads before `index` as they are (one append), then the new head, then the rest.
    while (at < index && used < block.size()) {
        auto const size = read_leb128(block, used);
        if (size > block.size() - used) throw codec_error("a stream head block ends inside a head");
        used += size;
        ++at;
    }
    if (at != index) throw std::logic_error("a stream head put beyond the end of its block");
    out.append(block.substr(0, used));
    append_leb128(head.size(), out);
    out.append(head);
    if (used < block.size()) {  // replacing: skip the old head
        auto const size = read_leb128(block, used);
        if (size > block.size() - used) throw codec_error("a stream head block ends inside a head");
        out.append(block.substr(used + size));
    }
}

std::optional<std::string_view> get_linked_head(lmdb::txn const& txn, tables const& db, std::uint64_t stream_number) {
    if (!db.head_blocks) return txn.get(db.streams, view(encode_u64(stream_number)));
    auto const block = txn.get(db.streams, view(encode_u64(stream_number / heads_per_block)));
    if (!block) return std::nullopt;
    return head_in_block(*block, stream_number % heads_per_block);
}

void put_linked_head(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::string_view head,
                     bool created) {
    if (!db.head_blocks) {
        txn.put(db.streams, view(encode_u64(stream_number)), head, created);
        return;
    }
    auto const key = encode_u64(stream_number / heads_per_block);
    auto const index = stream_number % heads_per_block;
    thread_local std::string record;
    if (created && index == 0) {  // the first head of a new block, after every other block
        record.clear();
        put_head_in_block({}, 0, head, record);
        txn.put(db.streams, view(key), record, /*append=*/true);
        return;
    }
    auto const block = txn.get(db.streams, view(key));
    if (!block) throw std::logic_error("a stream head put into a block that does not exist");
    if (created && head_in_block(*block, index)) throw std::logic_error("a created stream's head is already in its block");
    put_head_in_block(*block, index, head, record);
    txn.put(db.streams, view(key), record);
}

}  // namespace ledger::store::detail
