// A checkpoint record in compressed chunks decompressed one chunk at a time, each into its own
// place (issue 18, branch served-z): the pieces are the plain chunks in order, whatever the
// blocks they lie in (one chunk per block, several, a chunk larger than a block; in huge pages
// or not), and the record decoded from them is the record. A chunk not stored or not a frame of
// its length gives nothing; a frame of its length with other bytes decompresses, and the
// record's SHA-256 of the state refuses it (decode_checkpoint_pieces): never served.

#include "support/compressible_bytes.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/decompressed_pieces.hpp"
#include "ledger/app/projection_checkpoint.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>

using namespace ledger;
using ledger::testing::compressible;

namespace {

std::string joined(std::vector<std::string_view> const& pieces) {
    std::string out;
    for (auto const piece : pieces) out.append(piece);
    return out;
}

}  // namespace

TEST_CASE("a record in compressed chunks decompressed piece by piece is the record, and a chunk that is not its frame is never served",
          "[projections][as_of][checkpoints][compressed][pieces]") {
    auto const state = compressible(300'000, 11);
    auto const record = app::detail::encode_checkpoint({7, 4321, state});
    auto const cut = app::detail::chunk_checkpoint(record, 12, true);
    REQUIRE(cut.chunks.size() >= 4);
    std::map<std::string, std::string, std::less<>> stored;
    for (auto const& chunk : cut.chunks) stored[chunk.key] = app::detail::compress_chunk(chunk.bytes, 1);
    auto const from_stored = [&](std::string_view key) -> std::optional<std::string_view> {
        auto const found = stored.find(key);
        if (found == stored.end()) return std::nullopt;
        return std::string_view(found->second);
    };
    auto const entries = app::detail::decode_manifest(cut.manifest).value();
    // Blocks of 1 byte (every chunk larger: one block each), of a few chunks, or one for all;
    // in huge pages (from 0 bytes) or not.
    auto const block_bytes = GENERATE(std::size_t{1}, std::size_t{10'000}, app::detail::decompressed_block_bytes);
    auto const huge_from = GENERATE(std::size_t{0}, std::size_t{1} << 20);
    INFO("blocks of " << block_bytes << " bytes, huge pages from " << huge_from);

    auto const pieces = app::detail::decompress_pieces(entries, from_stored, huge_from, block_bytes);
    REQUIRE(pieces);
    REQUIRE(pieces->owner);
    REQUIRE(pieces->pieces.size() == cut.chunks.size());
    for (std::size_t i = 0; i < cut.chunks.size(); ++i) CHECK(pieces->pieces[i] == cut.chunks[i].bytes);
    CHECK(joined(pieces->pieces) == record);
    auto const decoded = app::detail::decode_checkpoint_pieces(pieces->pieces);
    REQUIRE(decoded);
    CHECK(decoded->code_version == 7);
    CHECK(decoded->next_position == 4321);
    CHECK(joined(decoded->state) == state);

    SECTION("a frame of its length holding other bytes: decompressed, refused by the state's checksum") {
        auto const& victim = cut.chunks[cut.chunks.size() / 2];
        std::string other(victim.bytes);
        other[other.size() / 2] = static_cast<char>(other[other.size() / 2] ^ 0x5a);
        stored[victim.key] = app::detail::compress_chunk(other, 1);
        auto const spoiled = app::detail::decompress_pieces(entries, from_stored, huge_from, block_bytes);
        REQUIRE(spoiled);
        std::string problem;
        CHECK_FALSE(app::detail::decode_checkpoint_pieces(spoiled->pieces, &problem));
        CHECK(problem == "the state does not match its checksum");
    }
    SECTION("a chunk stored plain under its compressed key, a frame cut short, a missing chunk: nothing") {
        auto const& victim = cut.chunks[cut.chunks.size() / 2];
        auto const how = GENERATE(0, 1, 2);
        if (how == 0) stored[victim.key] = std::string(victim.bytes);
        if (how == 1) stored[victim.key].pop_back();  // a frame cut short
        if (how == 2) stored.erase(victim.key);
        CHECK_FALSE(app::detail::decompress_pieces(entries, from_stored, huge_from, block_bytes));
    }
}
