#pragma once
// Candidate keys as reads and the seal need them: unwrapped from their stored form with the
// ledger's key-encryption key, and kept unwrapped in a bounded least-recently-used cache so a
// stream read of many candidate events does not pay an AES-GCM unwrap per event.
//
// A cached key is used only while the stored wrapped key is byte-identical to the one it came
// from: callers always read the stored form first (in their own transaction), so an erasure
// (which deletes the stored key) is never hidden by the cache.
//
// During an online KEK rotation (docs/privacy.md) the cache knows two KEKs: a stored key is
// opened with the one its wrapped form names, and new keys are wrapped under the new one.
//
// Threading: every member is safe from any thread (one mutex around the cache).

#include "ledger/app/key_encryption_key.hpp"

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ledger::app {

class subject_key_cache {
public:
    /// Keeps at most `capacity` unwrapped keys (each about 200 bytes with its bookkeeping).
    explicit subject_key_cache(std::shared_ptr<key_encryption_key const> kek,
                               std::size_t capacity = 16'384);
    /// For an online rotation from `kek` to `next`: opens keys wrapped under either, wraps new
    /// ones under `next`.
    subject_key_cache(std::shared_ptr<key_encryption_key const> kek,
                      std::shared_ptr<key_encryption_key const> next, std::size_t capacity = 16'384);
    ~subject_key_cache();

    /// The data key of `subject` given its stored (wrapped) form, or nullopt when it does not
    /// unwrap under the KEK it names (which must be one of this cache's).
    std::optional<std::string> open(std::string_view subject, std::string_view stored) const;

    /// `key` wrapped for `subject` (under the new KEK during a rotation), remembered unwrapped.
    std::string wrap(std::string_view subject, std::string_view key) const;

    /// Drops `subject` (its key is being destroyed).
    void forget(std::string_view subject) const;

    /// The KEK new keys are wrapped under (the new one during a rotation).
    key_encryption_key const& kek() const noexcept { return next_ ? *next_ : *kek_; }
    /// The KEK the ledger was opened with (the old one during a rotation).
    key_encryption_key const& opening_kek() const noexcept { return *kek_; }
    /// The new KEK of a rotation, or null.
    std::shared_ptr<key_encryption_key const> const& next_kek() const noexcept { return next_; }
    std::size_t size() const;

private:
    struct entry {
        std::string stored;
        std::string key;
        std::list<std::string>::iterator age;
    };
    void remember(std::string_view subject, std::string_view stored, std::string_view key) const;

    std::shared_ptr<key_encryption_key const> kek_;
    std::shared_ptr<key_encryption_key const> next_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    mutable std::list<std::string> ages_;  // subjects, most recently used first
    mutable std::unordered_map<std::string, entry> entries_;
};

}  // namespace ledger::app
