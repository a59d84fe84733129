#pragma once

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace ledger::testing {

/// Submits every request at once (the writer groups them, in this order in the log) and waits
/// until each has its answer; every answer must be a success.
inline void append_all(store::event_store& store, std::vector<store::append_request> requests) {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = requests.size();
    bool failed = false;
    for (auto& request : requests) {
        store.append_async(std::move(request), [&](store::append_result r) {
            std::lock_guard const lock(mutex);
            failed = failed || !r;
            if (--left == 0) done.notify_all();
        });
    }
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return left == 0; });
    REQUIRE_FALSE(failed);
}

}  // namespace ledger::testing
