#pragma once
// What a read model folds: one event of the log, its envelope fields that read models use, its
// decoded data and, for a retraction, the retracted event.

#include "events/recruitment_event.hpp"
#include "ledger/envelope.hpp"
#include "ledger/time.hpp"

#include <cstdint>
#include <string_view>

namespace ledger::projections {

struct fold_event {
    std::uint64_t position = 0;
    std::string_view stream;  // "<category>-<id>"
    timestamp occurred_at{};
    timestamp recorded_at{};
    /// The decoded data, or nullptr when the event's type is one no read model being fed
    /// reads (see read_model::reads): replays skip decoding those, yet every event still
    /// advances a read model's clock (the latest occurred_at folded).
    events::recruitment_event const* data = nullptr;
    /// For an EventRetracted (data decoded): the event it names, read back from the log by
    /// position and decoded like any other, when that is an earlier event of the same stream;
    /// nullptr otherwise (then the retraction changes nothing). Read models undo its effect
    /// from it, so they need not keep every fact. The runner looks it up; folds stay pure.
    fold_event const* retracted = nullptr;

    std::string_view category() const noexcept { return stream_category(stream); }
    std::string_view stream_id() const noexcept { return stream_id_part(stream); }
};

}  // namespace ledger::projections
