#pragma once
// The named LMDB databases of a ledger (SPEC §3) and the byte layout of their keys and values.

#include "ledger/sha256.hpp"
#include "ledger/store/lmdb.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store::detail {

/// Bumped when the stored layout changes incompatibly; checked at open.
/// 1: one stream-index entry per event. 2: the stream index holds runs (below). A version-1
/// index is a version-2 index whose runs are all one event long, so this build reads both and
/// raises a ledger it opens for writing to 2 (older builds then refuse it instead of misreading).
inline constexpr std::uint32_t format_version = 2;
inline constexpr std::uint32_t oldest_readable_format_version = 1;

struct tables {
    lmdb::dbi log;           // position (u64 BE) -> stored envelope
    lmdb::dbi stream_index;  // stream number (u64 BE) ‖ first version (u64 BE) -> first position
                             // (u64 BE) of a run: versions v0, v0+1, … at positions p0, p0+1, …
    lmdb::dbi stream_heads;  // stream name -> stream_head
    lmdb::dbi event_ids;     // uuid (16 bytes) -> position (u64 BE)
    lmdb::dbi projections;   // projection name -> checkpoint and snapshot
    lmdb::dbi subject_keys;  // candidate id -> key material (privacy)
    lmdb::dbi meta;          // "format_version", "chain_head", "next_stream_number"
    lmdb::dbi merkle;        // leaf count (u64 BE) -> completed subtree hashes (detail/merkle_tree.hpp)

    /// Opens every table, creating the missing ones.
    static tables open(lmdb::write_txn& txn);
};

using u64_key = std::array<char, 8>;

/// Big-endian, so that LMDB's byte order is numeric order and appends go to the end.
u64_key encode_u64(std::uint64_t value) noexcept;
std::uint64_t decode_u64(std::string_view bytes);
inline std::string_view view(u64_key const& key) noexcept { return {key.data(), key.size()}; }

using stream_index_key = std::array<char, 16>;
stream_index_key encode_stream_index_key(std::uint64_t stream_number, std::uint64_t version) noexcept;
inline std::string_view view(stream_index_key const& key) noexcept {
    return {key.data(), key.size()};
}

/// Where `version` of stream `stream_number` is in the log, through the run that holds it (the
/// index entry with the largest key <= (stream_number, version)); nullopt when the stream has
/// no entry at or below it. The caller bounds `version` by the stream's head: a run's end is
/// where the next run starts or the stream ends. `run_start`: the version starts its run.
struct version_location {
    std::uint64_t position = 0;
    bool run_start = false;
};
std::optional<version_location> locate_version(lmdb::txn const& txn, tables const& db,
                                               std::uint64_t stream_number, std::uint64_t version);

/// What the store keeps per stream. Streams are numbered densely as they are created so the
/// stream index stays compact and new streams append at its end.
struct stream_head {
    std::uint64_t stream_number = 0;
    std::uint64_t last_version = 0;
    std::string rule_state;  // owned by the append policy
};

std::string encode_stream_head(stream_head const& head);
stream_head decode_stream_head(std::string_view bytes);

/// The meta record of the chain head: position of the last event and its hash.
struct stored_chain_head {
    std::uint64_t last_position = 0;
    sha256_digest hash{};
};
std::string encode_chain_head(stored_chain_head const& head);
stored_chain_head decode_chain_head(std::string_view bytes);

inline constexpr std::string_view meta_format_version = "format_version";
inline constexpr std::string_view meta_chain_head = "chain_head";
inline constexpr std::string_view meta_next_stream_number = "next_stream_number";

}  // namespace ledger::store::detail
