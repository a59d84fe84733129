#pragma once
// Online key-encryption-key rotation by the running server (docs/privacy.md): a background
// thread re-wraps every candidate key from the old KEK to the new one in bounded, durable LMDB
// write transactions on the open store (store::rewrap_subject_keys_batch), pausing between
// them so appends keep flowing; the last one records the new KEK id in meta. Reads and appends
// go on meanwhile: subject_key_cache opens either KEK's keys and the seal wraps new keys under
// the new KEK. Resumable: after a crash or a stop, every key is wrapped under one of the two
// KEKs, meta "kek_rotation" still names the new one, and a start with both continues.
// Progress: an info log line every tenth of the keys and at the end, and metric lines.
//
// Threading: the rotation runs on its own thread, started by the constructor; the observers
// are safe from any thread. The destructor stops it after the batch in flight and joins.
// Errors: a failing batch (storage error, a key that opens under neither KEK) is logged and
// ends the rotation (nothing of that batch is written); a restart resumes it.

#include "ledger/app/subject_key_cache.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ledger::store {
class event_store;
}

namespace ledger::app {

struct kek_rotation_options {
    std::size_t batch_keys = 256;              // keys looked at per write transaction
    std::chrono::milliseconds pause{10};       // between two transactions
};

class kek_rotation {
public:
    /// Starts re-wrapping on `store` (open on the ledger whose keys `keys` opened, with a
    /// rotation target: keys->next_kek() must be set).
    kek_rotation(store::event_store& store, std::shared_ptr<subject_key_cache const> keys,
                 kek_rotation_options options = {});
    ~kek_rotation();
    kek_rotation(kek_rotation const&) = delete;
    kek_rotation& operator=(kek_rotation const&) = delete;

    bool active() const noexcept { return active_.load(); }
    bool finished() const noexcept { return finished_.load(); }
    /// Blocks until the rotation ends (finished, failed or stopped) or `timeout` passes;
    /// returns whether it ended.
    bool wait(std::chrono::milliseconds timeout) const;
    /// Prometheus text lines: ledger_kek_rotation_{active,keys,keys_visited,rewrapped_total}.
    std::string metrics_text() const;

private:
    void run();

    store::event_store& store_;
    std::shared_ptr<subject_key_cache const> keys_;
    kek_rotation_options options_;
    std::atomic<bool> active_{true};
    std::atomic<bool> finished_{false};
    std::atomic<std::uint64_t> keys_total_{0};
    std::atomic<std::uint64_t> visited_{0};
    std::atomic<std::uint64_t> rewrapped_{0};
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace ledger::app
