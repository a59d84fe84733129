// Compressed checkpoint chunks (issue 18, branch bytes-served2): a chunk compressed with
// compress_chunk decompresses to exactly its bytes, and anything else under a compressed
// chunk's key — plain bytes (a chunk of the form before), a frame of another length, a
// truncated frame, a frame with bytes after it — is refused before it is taken for the chunk.
// A record cut in the compressed form is put together from its compressed chunks byte for
// byte, and refused when one of them is not a frame of its length.

#include "support/compressible_bytes.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/projection_checkpoint.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>

using namespace ledger;
using ledger::testing::compressible;

TEST_CASE("a compressed checkpoint chunk decompresses to its bytes and nothing else is taken for it",
          "[projections][as_of][checkpoints][compressed]") {
    auto const level = GENERATE(1, 3);
    auto const plain = compressible(40'000, 3);
    auto const frame = app::detail::compress_chunk(plain, level);
    INFO("level " << level << ": " << frame.size() << " bytes for " << plain.size());
    CHECK(frame.size() < plain.size() / 2);
    std::string out(plain.size(), '\0');
    REQUIRE(app::detail::decompress_chunk(frame, out.data(), out.size()));
    CHECK(out == plain);
    CHECK(app::detail::compress_chunk(plain, level) == frame);  // the same bytes every time

    // Plain bytes under a compressed key (a chunk of the form before): no frame.
    CHECK_FALSE(app::detail::decompress_chunk(plain, out.data(), out.size()));
    // A frame of another length than the manifest lists.
    CHECK_FALSE(app::detail::decompress_chunk(frame, out.data(), out.size() - 1));
    std::string longer(out.size() + 1, '\0');
    CHECK_FALSE(app::detail::decompress_chunk(frame, longer.data(), longer.size()));
    // Truncated, and with bytes after the frame.
    CHECK_FALSE(app::detail::decompress_chunk(std::string_view(frame).substr(0, frame.size() - 1), out.data(), out.size()));
    CHECK_FALSE(app::detail::decompress_chunk(frame + "x", out.data(), out.size()));
    CHECK_FALSE(app::detail::decompress_chunk({}, out.data(), out.size()));
}

TEST_CASE("a record cut into compressed chunks is put together byte for byte, and refused when a chunk is not its frame",
          "[projections][as_of][checkpoints][compressed]") {
    auto const record = compressible(300'000, 9);
    auto const cut = app::detail::chunk_checkpoint(record, 12, true);
    REQUIRE(app::detail::is_manifest(cut.manifest));
    REQUIRE(app::detail::is_compressed_manifest(cut.manifest));
    REQUIRE(cut.chunks.size() >= 4);
    std::map<std::string, std::string, std::less<>> stored;
    for (auto const& chunk : cut.chunks) {
        CHECK(chunk.key.starts_with(app::detail::compressed_chunk_prefix));
        CHECK(app::detail::is_chunk_key(chunk.key));
        stored[chunk.key] = app::detail::compress_chunk(chunk.bytes, 1);
    }
    auto const from_stored = [&](std::string_view key) -> std::optional<std::string_view> {
        auto const found = stored.find(key);
        if (found == stored.end()) return std::nullopt;
        return std::string_view(found->second);
    };
    // The manifest lists the compressed keys; the plain form of the same cut lists the plain ones.
    auto const entries = app::detail::decode_manifest(cut.manifest).value();
    auto const plain_entries = app::detail::decode_manifest(app::detail::chunk_checkpoint(record, 12).manifest).value();
    REQUIRE(entries.size() == plain_entries.size());
    CHECK(entries.front().key.substr(app::detail::compressed_chunk_prefix.size()) ==
          plain_entries.front().key.substr(app::detail::chunk_prefix.size()));
    CHECK(app::detail::assemble_checkpoint(cut.manifest, from_stored) == record);

    SECTION("a chunk stored plain under its compressed key") {
        auto const& victim = cut.chunks[cut.chunks.size() / 2];
        stored[victim.key] = std::string(victim.bytes);
        std::string problem;
        CHECK_FALSE(app::detail::assemble_checkpoint(cut.manifest, from_stored, &problem));
        CHECK(problem == "its chunk " + victim.key + " does not decompress to its length");
    }
    SECTION("another chunk's frame under a chunk's key") {
        // Refused when the lengths differ; of the same length it decompresses to other bytes,
        // which the record's SHA-256 of the state refuses (decode_checkpoint): never the record.
        stored[cut.chunks[1].key] = stored[cut.chunks[2].key];
        CHECK(app::detail::assemble_checkpoint(cut.manifest, from_stored) != std::optional<std::string>(record));
    }
    SECTION("a missing chunk") {
        stored.erase(cut.chunks.back().key);
        std::string problem;
        CHECK_FALSE(app::detail::assemble_checkpoint(cut.manifest, from_stored, &problem));
        CHECK(problem == "its chunk " + cut.chunks.back().key + " is not stored");
    }
}
