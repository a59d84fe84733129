#pragma once
// How many of the callers in flight the writer waits for before it commits a group (issue 18,
// HTTP single appends): all of them, or half, so that two halves take turns.
//
// Closed-loop callers (64 HTTP clients, each sending its next append when the last is answered)
// come back only after their answers went out and their next requests were read, parsed and
// compressed: a round trip R that, on two cores shared with the clients, is CPU work growing
// with the number of callers. Waiting for all N makes every cycle the commit F plus that round
// trip, one after the other: N / (F + R) appends per second, with the cores idle during F's
// fdatasync and the writer idle during R. Two halves taking turns overlap them in part: while
// one half's group commits, the other half's answers go out and its next requests come in. A
// half's cycle is then F + h, h being what does not overlap (its writing, its answers, the rest
// of its callers' return): (N/2) / (F + h) beats N / (F + R) when F < R − 2h. Measured over
// HTTP on this machine (docs/performance.md, http-single): one group F + 2.8 ms per ~58
// callers, a half F + 0.75 ms per ~31, so h ≈ R/4 and halves pay while F < R/2 (break-even at
// F ≈ 1.6 ms); a quiet disk's F is ~1.15 ms (session 12). On a slow or busy disk, and for
// in-process threads woken together (R of a few hundred µs), it stays all.
// Nor does it halve groups whose writing takes longer than their commit (1,000-event batches):
// there the writer's own CPU is the cycle, already overlapping the callers' round trip
// (write_late_requests), and halves would only add commits.
//
// Pure: no clock, no lock; the writer measures the times (group_writer::enqueue, record_commit).

#include <chrono>
#include <cstddef>

namespace ledger::store::detail {

/// Halves of fewer callers save little (R is a few hundred µs) and cost a commit each.
inline constexpr std::size_t fewest_callers_to_split = 16;

/// What the writer measured of its recent groups (moving averages).
struct group_times {
    std::chrono::steady_clock::duration committing{};  // mdb_txn_commit (F)
    std::chrono::steady_clock::duration writing{};     // checks, puts, hashes (idle waits excluded)
    std::chrono::steady_clock::duration round_trip_per_caller{};  // answers began → as many back, ÷ callers; zero: not measured yet
};

/// The requests the next group waits for, of `in_flight` callers (the last group's and those
/// queued while it was written): half (rounded up) when the commit is shorter than half the
/// round trip of them all (round_trip_per_caller × in_flight, as CPU work per caller) and the
/// writing is shorter than the commit; else all. With no round trip measured yet, or fewer than
/// fewest_callers_to_split in flight, all of them.
inline std::size_t group_size_target(std::size_t in_flight, group_times const& times) noexcept {
    if (times.round_trip_per_caller <= std::chrono::steady_clock::duration::zero() ||
        in_flight < fewest_callers_to_split) {
        return in_flight;
    }
    auto const all_back = times.round_trip_per_caller * static_cast<std::chrono::steady_clock::rep>(in_flight);
    bool const overlap_pays = times.committing * 2 < all_back && times.writing < times.committing;
    return overlap_pays ? (in_flight + 1) / 2 : in_flight;
}

}  // namespace ledger::store::detail
