#pragma once
// How an admitted event changes its stream's rule_state.

#include "events/rules.hpp"

#include <cstdint>

namespace ledger::events::detail {

/// Folds `event`, admitted at global `position`, into `state`. A retraction removes every
/// trace of the retracted event (its shortage check, consent change, application or the
/// stream's closing) and remembers its position as retracted.
void fold_event(rule_state& state, std::uint64_t position, recruitment_event const& event);

}  // namespace ledger::events::detail
