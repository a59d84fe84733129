#pragma once
// The recruitment domain rules (SPEC §5) as the store's append policy: every event of a batch
// is decoded through the catalogue (or taken as its request already carries it decoded, see
// decoded_event), checked against its stream's rule state and folded in, so later events of
// the batch see the effects of earlier ones.
//
// Errors (the whole batch is refused, details.index names the event):
//   invalid_stream_name (400)          the stream's category is not a catalogue category;
//   unknown_event_type (422)           the type is not in the catalogue (details.type);
//   invalid_event (422)                the data does not decode as the type (details.field);
//   event_not_allowed_in_stream (422)  the type belongs to another category;
//   rule_violation (422)               a domain rule; details.rule names it (see
//                                      ledger::events::domain_rules()).
// Never throws for bad input. Stateless: safe to share; the store calls it on its writer thread.

#include "events/recruitment_event.hpp"
#include "ledger/store/append_policy.hpp"

namespace ledger::app {

/// What store::event_to_append::decoded holds for this policy: the catalogue's struct that the
/// event's `data` decodes to, made where the request was parsed (app::parse_append_body), so
/// that admit does not decode every event again on the store's writer thread. Whoever sets
/// `decoded` must set exactly this type, made from the same JSON as `data`.
using decoded_event = events::recruitment_event;

class domain_policy final : public store::append_policy {
public:
    std::optional<error> admit(store::stream_lookup const& lookup, std::string_view stream,
                               std::uint64_t first_position,
                               std::span<store::event_to_append const> events,
                               std::string& rule_state) const override;
};

}  // namespace ledger::app
