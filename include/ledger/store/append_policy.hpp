#pragma once
// The seam between the store and the domain: the store asks an append_policy whether a batch
// may be appended, inside the writer's transaction, and keeps the small per-stream state the
// policy needs so that rules never scan a stream.

#include "ledger/envelope.hpp"
#include "ledger/error.hpp"
#include "ledger/store/append.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ledger::store {

/// Read access to the ledger as the writer's transaction sees it: events written by earlier
/// requests of the same group commit are visible. Valid only during `append_policy::admit`.
class stream_lookup {
public:
    virtual ~stream_lookup() = default;

    /// The stream's last version, or nullopt when the stream has no events.
    virtual std::optional<std::uint64_t> last_version(std::string_view stream) const = 0;

    /// The stream's rule state as the policy last left it (empty when the stream is new).
    virtual std::string rule_state(std::string_view stream) const = 0;

    /// The event at a global position, or nullopt when there is none.
    virtual std::optional<recorded_event> event_at(std::uint64_t position) const = 0;
};

class append_policy {
public:
    virtual ~append_policy() = default;

    /// Checks `events`, bound for `stream`, against the domain rules and folds them into the
    /// stream's `rule_state` (opaque bytes this policy owns; empty for a new stream), which the
    /// store persists with the events. `first_position` is where the first event will land.
    ///
    /// Called on the writer thread only, after the expected-version and idempotency checks and
    /// before anything of the request is written. Returning an error refuses the whole request
    /// and leaves `rule_state` unused; other requests of the same group are unaffected.
    /// Must not throw for bad input: a thrown exception fails the whole group as a bug.
    virtual std::optional<error> admit(stream_lookup const& lookup, std::string_view stream,
                                       std::uint64_t first_position,
                                       std::span<event_to_append const> events,
                                       std::string& rule_state) const = 0;
};

/// Accepts everything; the store's default, for tests of the store alone.
class accept_all_policy final : public append_policy {
public:
    std::optional<error> admit(stream_lookup const&, std::string_view, std::uint64_t,
                               std::span<event_to_append const>, std::string&) const override {
        return std::nullopt;
    }
};

}  // namespace ledger::store
