#include "ledger/app/decompressed_pieces.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/huge_page_bytes.hpp"

#include <algorithm>
#include <memory>

namespace ledger::app::detail {
namespace {

/// The blocks the pieces lie in: huge pages for large ones, strings for small ones.
struct blocks {
    std::vector<huge_page_bytes> huge;
    std::vector<std::unique_ptr<char[]>> small;  // not strings: a short one's bytes move with it

    char* add(std::size_t bytes, std::size_t huge_from) {
        if (bytes >= huge_from) return huge.emplace_back(bytes).data();
        // Unwritten: the decompression writes every byte before anything reads it.
        return small.emplace_back(std::make_unique_for_overwrite<char[]>(bytes)).get();
    }
};

}  // namespace

std::optional<decompressed_pieces> decompress_pieces(
    std::span<manifest_entry const> entries,
    std::function<std::optional<std::string_view>(std::string_view)> const& chunk, std::size_t huge_from,
    std::size_t block_bytes) {
    std::size_t left = 0;  // bytes of the record not decompressed yet
    for (auto const& entry : entries) left += entry.size;
    auto owner = std::make_shared<blocks>();
    decompressed_pieces out;
    out.pieces.reserve(entries.size());
    char* next = nullptr;
    std::size_t room = 0;  // bytes left in the current block
    for (auto const& entry : entries) {
        auto const stored = chunk(entry.key);
        if (!stored) return std::nullopt;
        if (entry.size > room) {
            // The next block: as large as what is left of the record, within the bound (a chunk
            // larger than a block gets a block of its size).
            room = std::max<std::size_t>(entry.size, std::min(left, block_bytes));
            next = owner->add(room, huge_from);
        }
        if (!decompress_chunk(*stored, next, entry.size)) return std::nullopt;
        out.pieces.emplace_back(next, entry.size);
        next += entry.size;
        room -= entry.size;
        left -= entry.size;
    }
    out.owner = std::move(owner);
    return out;
}

}  // namespace ledger::app::detail
