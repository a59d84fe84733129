#include "ledger/app/subject_key_cache.hpp"

#include <openssl/crypto.h>

namespace ledger::app {

subject_key_cache::subject_key_cache(std::shared_ptr<key_encryption_key const> kek, std::size_t capacity)
    : subject_key_cache(std::move(kek), nullptr, capacity) {}

subject_key_cache::subject_key_cache(std::shared_ptr<key_encryption_key const> kek,
                                     std::shared_ptr<key_encryption_key const> next, std::size_t capacity)
    : kek_(std::move(kek)), next_(std::move(next)), capacity_(capacity == 0 ? 1 : capacity) {}

subject_key_cache::~subject_key_cache() {
    for (auto& [subject, cached] : entries_) OPENSSL_cleanse(cached.key.data(), cached.key.size());
}

std::optional<std::string> subject_key_cache::open(std::string_view subject, std::string_view stored) const {
    {
        std::lock_guard const lock(mutex_);
        auto const found = entries_.find(std::string(subject));
        if (found != entries_.end() && found->second.stored == stored) {
            ages_.splice(ages_.begin(), ages_, found->second.age);
            return found->second.key;
        }
    }
    bool const under_next = next_ && wrapped_key_kek_id(stored) == next_->id();
    auto key = (under_next ? next_ : kek_)->unwrap(subject, stored);
    if (key) remember(subject, stored, *key);
    return key;
}

std::string subject_key_cache::wrap(std::string_view subject, std::string_view key) const {
    auto stored = kek().wrap(subject, key);
    remember(subject, stored, key);
    return stored;
}

void subject_key_cache::forget(std::string_view subject) const {
    std::lock_guard const lock(mutex_);
    auto const found = entries_.find(std::string(subject));
    if (found == entries_.end()) return;
    OPENSSL_cleanse(found->second.key.data(), found->second.key.size());
    ages_.erase(found->second.age);
    entries_.erase(found);
}

std::size_t subject_key_cache::size() const {
    std::lock_guard const lock(mutex_);
    return entries_.size();
}

void subject_key_cache::remember(std::string_view subject, std::string_view stored,
                                 std::string_view key) const {
    std::lock_guard const lock(mutex_);
    auto [found, inserted] = entries_.try_emplace(std::string(subject));
    if (inserted) {
        ages_.push_front(found->first);
        found->second.age = ages_.begin();
    } else {
        ages_.splice(ages_.begin(), ages_, found->second.age);
    }
    found->second.stored = stored;
    found->second.key = key;
    if (entries_.size() > capacity_) {
        auto const oldest = entries_.find(ages_.back());
        OPENSSL_cleanse(oldest->second.key.data(), oldest->second.key.size());
        entries_.erase(oldest);
        ages_.pop_back();
    }
}

}  // namespace ledger::app
