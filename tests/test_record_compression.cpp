// Read-model records with their state compressed (record_compression.hpp, the record format in
// projection_snapshot.hpp; issue 18's served-ledger bytes): a compressible checkpoint state is
// stored as one zstd frame and decodes to the same bytes; damage to the frame is refused as
// damage to a plain state is; small states, snapshots and entity-table records stay plain;
// every kind's decoder reads both forms, so records of the older plain form are still read.

#include "ledger/app/projection_checkpoint.hpp"
#include "ledger/app/projection_snapshot.hpp"
#include "ledger/app/record_compression.hpp"
#include "ledger/detail/binary_archive.hpp"
#include "ledger/sha256.hpp"

#include <catch2/catch.hpp>

#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>

#include <cstdint>
#include <cstring>
#include <string>

using namespace ledger;

namespace {

/// A state like a columnar one: runs of small numbers and repeated texts.
std::string columnar_state(std::size_t rows) {
    std::string state;
    for (std::size_t i = 0; i < rows; ++i) {
        auto const value = static_cast<std::uint32_t>(i * 7 % 1000);
        state.append(reinterpret_cast<char const*>(&value), sizeof value);
        state += (i % 3 == 0) ? "campaign-" : "region-kalmar";
    }
    return state;
}

/// The record's tag as stored (after cereal's header byte).
std::string tag_of(std::string const& record) { return record.substr(1, 4); }

/// A record of the older plain form, written the way builds before compression wrote it.
std::string plain_record(char const (&tag)[5], std::uint32_t code_version, std::uint64_t next, std::string const& state) {
    std::uint32_t tag_value = 0;
    std::memcpy(&tag_value, tag, 4);
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(tag_value, code_version, next, sha256(state), state);
    return out;
}

}  // namespace

TEST_CASE("a compressible checkpoint state is stored as one zstd frame and decodes to the same bytes, and damage to the frame is refused",
          "[projections][snapshot][compression]") {
    auto const state = columnar_state(20000);
    app::detail::projection_snapshot const record{9, 777, state};
    auto const bytes = app::detail::encode_checkpoint(record);
    CHECK(tag_of(bytes) == "RMCZ");
    CHECK(bytes.size() * 4 < state.size());

    auto const viewed = app::detail::decode_checkpoint_view(bytes);
    REQUIRE(viewed);
    CHECK(viewed->code_version == 9);
    CHECK(viewed->next_position == 777);
    CHECK(viewed->state == state);
    CHECK(viewed->decompressed != nullptr);
    auto const copy = *viewed;  // a copy shares the buffer its state points into
    CHECK(copy.state.data() == viewed->state.data());
    auto const copied = app::detail::decode_checkpoint(bytes);
    REQUIRE(copied);
    CHECK(copied->state == state);

    std::string problem;
    for (auto const at : {bytes.size() - 1, bytes.size() / 2, bytes.size() - 20}) {
        INFO("byte " << at << " of " << bytes.size());
        auto damaged = bytes;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x21);
        CHECK_FALSE(app::detail::decode_checkpoint_view(damaged, &problem));
        CHECK(problem == "the state does not match its checksum");
    }
    CHECK_FALSE(app::detail::decode_checkpoint_view(bytes.substr(0, bytes.size() - 1), &problem));
    CHECK(problem == "the record does not decode");
    CHECK_FALSE(app::detail::decode_checkpoint_view(bytes + "x", &problem));
    CHECK(problem == "the record does not decode");

    // Another kind's decoder does not take it (each kind has its own tags, plain and compressed).
    CHECK_FALSE(app::detail::decode_entity_snapshot_view(bytes, &problem));
    CHECK_FALSE(app::detail::decode_snapshot_view(bytes, &problem));
    CHECK(problem == "not a snapshot record of this format");
    // A snapshot record in the compressed form (no build writes one today) is read too.
    auto const snapshot = app::detail::encode_state_record(0x32534D52u, record);  // "RMS2"
    CHECK(tag_of(snapshot) == "RMSZ");
    CHECK(app::detail::decode_snapshot_view(snapshot)->state == state);
}

TEST_CASE("a frame that declares another size than its record is refused, not allocated",
          "[projections][snapshot][compression]") {
    auto const state = columnar_state(5000);
    auto const frame = app::detail::compress_state(state).value();
    CHECK(app::detail::decompress_state(frame, state.size()).get() != nullptr);
    CHECK_THROWS_AS(app::detail::decompress_state(frame, state.size() + 1), codec_error);
    CHECK_THROWS_AS(app::detail::decompress_state(frame.substr(0, frame.size() - 3), state.size()), codec_error);
    CHECK_THROWS_AS(app::detail::decompress_state("not a frame at all", 10), codec_error);
}

TEST_CASE("small states, snapshots and entity records stay plain and every record of the older plain form is still read",
          "[projections][snapshot][compression]") {
    auto const tiny = app::detail::encode_snapshot({3, 40, "retention's clock"});
    CHECK(tag_of(tiny) == "RMS2");
    CHECK(app::detail::decode_snapshot_view(tiny)->state == "retention's clock");

    auto const state = columnar_state(3000);
    auto const snapshot = plain_record("RMS2", 4, 100, state);
    auto const entities = plain_record("RMT1", 5, 101, state);
    auto const checkpoint = plain_record("RMC1", 6, 102, state);
    auto const s = app::detail::decode_snapshot_view(snapshot);
    auto const t = app::detail::decode_entity_snapshot_view(entities);
    auto const c = app::detail::decode_checkpoint_view(checkpoint);
    REQUIRE(s);
    REQUIRE(t);
    REQUIRE(c);
    CHECK(s->state == state);
    CHECK(s->decompressed == nullptr);  // viewed in the record, as before
    CHECK(s->state.data() + s->state.size() == snapshot.data() + snapshot.size());
    CHECK(t->state == state);
    CHECK(t->next_position == 101);
    CHECK(c->state == state);
    CHECK(c->code_version == 6);
    // Written today: checkpoints compressed; snapshots and entity records plain (a restart
    // loads them: no decompression on its way to ready).
    CHECK(tag_of(app::detail::encode_entity_snapshot({5, 101, state})) == "RMT1");
    CHECK(tag_of(app::detail::encode_snapshot({4, 100, state})) == "RMS2");
    CHECK(tag_of(app::detail::encode_checkpoint({6, 102, state})) == "RMCZ");
    CHECK(app::detail::decode_checkpoint(app::detail::encode_checkpoint({6, 102, state}))->state == state);
}
