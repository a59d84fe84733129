#pragma once
// As-of checkpoints of the read models (issue 14): each read model's state at fixed points of
// the log, so that `as_of_position`/`as_of` folds from the nearest checkpoint at or before the
// position asked for, not from position 0.
//
// Where: a checkpoint covers the positions [0, P) and is taken where
//  - P is a multiple of `every` (1,000,000 by default), or
//  - event P is the first recorded in a new calendar month (UTC) of recorded time: the state
//    of everything recorded before that month began.
// So an as-of query folds at most min(one interval, one month) of events.
//
// Stored in the store's `projections` table (beside the snapshots) through the writer's
// before-commit hook, like snapshots: `checkpoint/<name>/<P, 20 digits>` holds one read
// model's state in a record like a snapshot's (its own format tag "RMC1", the code version,
// P, SHA-256 of the state, the state: read_model::save(), or for the three models sharing the
// application table save_without_table(), the table being saved once under
// `checkpoint-table/applications/<P>`), and `checkpoint-month/<YYYY-MM>` holds P of that
// month's first event (one small record per month, shared by every model).
//
// A record is used only when it decodes, its checksum matches, its code version is the read
// model's, it covers P and P is within the log; otherwise the query folds from an earlier
// checkpoint (or 0) and captures the boundary again on its way, so a damaged or stale
// checkpoint is rebuilt (checkpoint_keeper). It is never served.
//
// The codec and key functions are pure; checkpoint_boundaries reads the log.

#include "ledger/app/projection_snapshot.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/time.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::app {

struct checkpoint_options {
    /// A checkpoint every this many events (0: none at intervals).
    std::uint64_t every = 1'000'000;
    /// A checkpoint where recorded time enters a new calendar month (UTC).
    bool month_starts = true;
    /// Captured checkpoints wait in memory until the next group commit writes them; beyond
    /// this many bytes waiting, a new capture is dropped (taken again by a later fold).
    std::size_t max_pending_bytes = std::size_t{256} << 20;
};

namespace detail {

/// A checkpoint is a snapshot record under its own tag and key: it covers [0, next_position).
using projection_checkpoint = projection_snapshot;

/// "checkpoint/<name>/<next_position as 20 digits>".
std::string checkpoint_key(std::string_view name, std::uint64_t next_position);

/// "checkpoint-table/applications/<next_position as 20 digits>": the application table that
/// recruits-per-campaign, funnel and retention share, saved once per checkpoint; their own
/// records hold read_model::save_without_table() (as their snapshots do).
std::string checkpoint_table_key(std::uint64_t next_position);

/// "checkpoint-month/<YYYY-MM>" of the month `t` falls in (UTC).
std::string month_key(timestamp t);
/// The first instant of the month before the one `t` falls in.
timestamp previous_month_start(timestamp t);
/// Whether `a` and `b` fall in the same calendar month (UTC).
bool same_month(timestamp a, timestamp b);

/// The record: format tag "RMC1", code version, next position, SHA-256(state), state.
std::string encode_checkpoint(projection_checkpoint const& checkpoint);
/// nullopt for bytes that are not a checkpoint record of this format or whose state does not
/// match its checksum (`problem` then says which). With `verify == false` the checksum is not
/// computed (for a cheap look at what is stored).
std::optional<projection_checkpoint> decode_checkpoint(std::string_view bytes, std::string* problem = nullptr,
                                                       bool verify = true);

/// As decode_checkpoint, the state viewed in `bytes` rather than copied (an as-of load).
std::optional<projection_snapshot_view> decode_checkpoint_view(std::string_view bytes, std::string* problem = nullptr);

/// The key of the checkpoint index: every checkpoint key written, with its code version, so
/// that finding the missing ones reads one small record instead of every checkpoint.
inline constexpr std::string_view checkpoint_index_key = "checkpoint-index";
std::string encode_index(std::map<std::string, std::uint32_t> const& index);
/// An empty index for bytes that are not one.
std::map<std::string, std::uint32_t> decode_index(std::string_view bytes);

/// A month record: tag "RMM1" and the position of the month's first event.
std::string encode_month(std::uint64_t first_position);
std::optional<std::uint64_t> decode_month(std::string_view bytes);

}  // namespace detail

/// Whether a position is a checkpoint boundary: checkpoint_boundaries::at(e) for the event
/// about to be folded says whether the state before it (covering [0, e.position)) is one.
struct checkpoint_boundary {
    bool interval = false;     // e.position is a multiple of `every`
    bool month_start = false;  // e is the first event recorded in its month
    explicit operator bool() const noexcept { return interval || month_start; }
};

/// Finds boundaries along a fold in log order. It remembers the recorded time of the last
/// event it saw; for an event whose predecessor it has not seen it reads that one from the log.
/// Threading: one object per fold (not thread-safe). Throws lmdb::error for storage failures.
class checkpoint_boundaries {
public:
    checkpoint_boundaries(store::event_store const& store, checkpoint_options const& options)
        : store_(store), options_(options) {}

    checkpoint_boundary at(recorded_event const& event);

private:
    store::event_store const& store_;
    checkpoint_options options_;
    std::optional<std::uint64_t> last_position_;
    timestamp last_recorded_{};
};

}  // namespace ledger::app
