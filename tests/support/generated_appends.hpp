#pragma once
// Appends generated rule-abiding requests to a store the way a server submits them: all at
// once through append_async, so they group-commit, then waits for every answer. Shared by the
// runner, differential and parallel-fold tests.
//
// Errors: a refused append fails the calling test (Catch2 FAIL) with its message and details.

#include "support/recruitment_generator.hpp"

#include "ledger/store/event_store.hpp"

namespace ledger::testing {

/// Appends the generator's next `count` requests and waits until each is answered.
void append_generated(store::event_store& store, recruitment_generator& generator, int count);

}  // namespace ledger::testing
