#pragma once
// The reference read models fold the same input as the real ones (projections/fold_event.hpp);
// they ignore fold_event::retracted and undo retractions from the facts they keep.

#include "projections/fold_event.hpp"

namespace ledger::reference {
using projections::fold_event;
}
