#pragma once
// Freeing a large read-model state after an as-of answer, off the answer's path (issue 14).
//
// An as-of answer folds a whole read model (hundreds of MiB and millions of allocations at
// 10,000,000 events, the application table's entries and texts); freeing it and giving its
// pages back (malloc_trim) took 0.05–0.4 s at 10M, measured, on the request's thread before
// the answer was written. release_later hands the state to one thread of its own that frees
// it while the answer is written. It gives the heap's free pages back (malloc_trim) only once
// no state came for warm_huge_page_idle (huge_page_bytes.hpp), and unmaps the as-of answers'
// warm mappings then too: the next answer reuses the pages instead of faulting fresh ones in,
// which on the machine measured cost more CPU than the load's own work (rm-asof6).
//
// Bounded: at most `max_waiting` states wait; a caller finding that many waiting frees its own
// state itself (the old cost, no more memory held). The thread is started on first use and is
// joined, after freeing what waits, when the program ends (static destruction).
//
// Threading: release_later is safe from any thread. Errors: none (a thread that cannot start
// means the caller frees the state itself).

#include "projections/read_model.hpp"

#include <cstddef>
#include <memory>

namespace ledger::app {

/// States at most waiting to be freed by the release thread.
inline constexpr std::size_t max_waiting_releases = 2;

/// Frees `state` on the release thread (the heap trimmed once idle), or on this thread (and
/// trims the heap) when max_waiting_releases states wait already.
void release_later(std::unique_ptr<projections::read_model> state);

/// Blocks until every state handed to release_later has been freed (tests, benchmarks).
void wait_released();

/// Gives the heap's free pages back to the system (glibc's malloc_trim(0); nothing elsewhere).
/// Every trim of the process goes through here: one at a time (concurrent malloc_trim calls
/// can crash glibc while its allocator is not set up yet, as when malloc is replaced).
void trim_heap() noexcept;

}  // namespace ledger::app
