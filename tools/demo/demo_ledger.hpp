#pragma once
// A deterministic generator of a realistic Nordic recruitment ledger: recruitment trips abroad
// with shortage checks, ads, interviews, contracts, language courses and licences; fair tours
// to seven medical schools against intern targets; GP vacancies posted and reposted; student
// outreach with consent and withdrawals; and a few corrections by retraction. Every batch goes
// through the real append path and domain rules, so a demo ledger is always a valid ledger.

#include "ledger/store/append.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ledger::demo {

/// One event as a client would send it.
struct demo_event {
    uuid id{};
    std::string type;
    date occurred_on{};
    boost::json::object data;
};

/// One append to one stream. When `retracts` is set the batch is a single EventRetracted whose
/// `position` the loader fills in from the stored event with that id.
struct demo_batch {
    std::string stream;
    store::expected_version expected = store::expected_version::any();
    std::vector<demo_event> events;
    std::optional<uuid> retracts;
};

struct demo_options {
    std::uint64_t events = 20'000;  // exactly this many (the last batch is cut to fit)
    std::uint64_t seed = 42;        // same seed, same ledger content
};

/// Calls `emit` with batches in an order the domain rules accept until `options.events` events
/// have been emitted. Any prefix of the sequence is itself a valid ledger.
void generate(demo_options const& options, std::function<void(demo_batch)> const& emit);

/// Appends a demo ledger to `store` through its real append path (the store's policy included),
/// keeping many appends in flight so group commit applies. Calls `progress(done, total)` now
/// and then. Returns the events appended. Throws std::runtime_error when an append is refused,
/// which would be a generator bug.
std::uint64_t load(store::event_store& store, demo_options const& options,
                   std::function<void(std::uint64_t, std::uint64_t)> const& progress = {});

}  // namespace ledger::demo
