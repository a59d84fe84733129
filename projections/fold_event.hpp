#pragma once
// What a read model folds: one event of the log, its envelope fields that read models use and
// its decoded data.

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

    std::string_view category() const noexcept { return stream_category(stream); }
    std::string_view stream_id() const noexcept { return stream_id_part(stream); }
};

}  // namespace ledger::projections
