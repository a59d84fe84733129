#pragma once
// Witnessing (SPEC §11, docs/audit.md): the server signs a checkpoint of its Merkle tree every
// `every` events or every `interval` when the log grew, appends each to DIR/audit-checkpoints.jsonl
// (one JSON object a line: {"tree_size", "note"}) and keeps them for GET /v1/audit/checkpoints,
// so an auditor can collect checkpoints without asking at the right moment.
//
// Threading: one thread of its own signs and writes; `after` may be called from any thread.
// The destructor stops the thread (within about 200 ms). Errors: a checkpoint that cannot be
// written to the file is logged and still kept in memory; the constructor reads back the
// file's checkpoints and skips lines it cannot parse (logged).

#include "ledger/store/merkle_note.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ledger::store {
class event_store;
}

namespace ledger::http {

class audit_witness {
public:
    struct checkpoint_entry {
        std::uint64_t tree_size = 0;
        std::string note;
    };

    audit_witness(store::event_store const& store, store::merkle::signing_key const& key,
                  std::uint64_t every, std::chrono::seconds interval, std::filesystem::path file);
    ~audit_witness();
    audit_witness(audit_witness const&) = delete;
    audit_witness& operator=(audit_witness const&) = delete;

    /// Up to `limit` checkpoints of tree sizes larger than `tree_size`, oldest first.
    std::vector<checkpoint_entry> after(std::uint64_t tree_size, std::size_t limit) const;

    /// Signs and records a checkpoint of the current tree now, if it grew since the last one.
    void checkpoint_now();

private:
    void run();

    store::event_store const& store_;
    store::merkle::signing_key const& key_;
    std::uint64_t const every_;
    std::chrono::seconds const interval_;
    std::filesystem::path const file_;
    mutable std::mutex mutex_;
    std::vector<checkpoint_entry> entries_;  // by tree size
    std::atomic<bool> stopping_{false};
    std::thread thread_;  // last
};

}  // namespace ledger::http
