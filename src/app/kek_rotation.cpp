// kek_rotation (ledger/app/kek_rotation.hpp): the background re-wrap of an online KEK rotation.

#include "ledger/app/kek_rotation.hpp"

#include "ledger/store/event_store.hpp"
#include "ledger/store/subject_key_maintenance.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace ledger::app {

kek_rotation::kek_rotation(store::event_store& store, std::shared_ptr<subject_key_cache const> keys,
                           kek_rotation_options options)
    : store_(store), keys_(std::move(keys)), options_(options) {
    if (!keys_ || !keys_->next_kek()) throw std::invalid_argument("kek_rotation needs a new key-encryption key");
    if (options_.batch_keys == 0) options_.batch_keys = 1;
    thread_ = std::thread([this] { run(); });
}

kek_rotation::~kek_rotation() {
    {
        std::lock_guard const lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

bool kek_rotation::wait(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return !active_.load(); });
}

std::string kek_rotation::metrics_text() const {
    auto line = [](char const* name, char const* type, char const* help, std::uint64_t value) {
        return std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
               std::to_string(value) + "\n";
    };
    return line("ledger_kek_rotation_active", "gauge", "1 while an online KEK rotation re-wraps candidate keys.",
                active_.load() ? 1 : 0) +
           line("ledger_kek_rotation_keys", "gauge", "Candidate keys in the ledger when the last rotation batch ran.",
                keys_total_.load()) +
           line("ledger_kek_rotation_keys_visited", "gauge", "Keys the rotation has passed in this run (in key order).",
                visited_.load()) +
           line("ledger_kek_rotation_rewrapped_total", "counter", "Keys re-wrapped under the new KEK in this run.",
                rewrapped_.load());
}

void kek_rotation::run() {
    auto const& old_kek = keys_->opening_kek();
    auto const& new_kek = *keys_->next_kek();
    auto const rewrite = [&](std::string_view subject, std::string_view stored) -> std::optional<std::string> {
        if (wrapped_key_kek_id(stored) == new_kek.id()) return std::nullopt;  // done before (or new)
        auto key = old_kek.unwrap(subject, stored);
        if (!key) {
            throw std::runtime_error("the key of candidate " + std::string(subject) +
                                     " opens under neither KEK id " + old_kek.id_hex() + " nor " + new_kek.id_hex());
        }
        auto rewrapped = new_kek.wrap(subject, *key);
        OPENSSL_cleanse(key->data(), key->size());
        return rewrapped;
    };
    std::string after;
    std::uint64_t next_report = 0;
    try {
        for (;;) {
            auto const batch = store::rewrap_subject_keys_batch(store_.environment(), after, options_.batch_keys,
                                                                rewrite, new_kek.id());
            after = batch.last_subject;
            keys_total_.store(batch.keys);
            visited_.fetch_add(batch.visited);
            rewrapped_.fetch_add(batch.rewrapped);
            spdlog::debug("KEK rotation: {} keys re-wrapped of {} looked at in this batch; {} of {} passed",
                          batch.rewrapped, batch.visited, visited_.load(), batch.keys);
            if (batch.finished) {
                finished_.store(true);
                spdlog::info("KEK rotation complete: {} candidate keys re-wrapped in this run, every key is now "
                             "wrapped under KEK id {} and the ledger opens with it alone; restart with --kek "
                             "set to the new key and without --new-kek, then destroy the old key (KEK id {})",
                             rewrapped_.load(), new_kek.id_hex(), old_kek.id_hex());
                break;
            }
            if (visited_.load() >= next_report) {
                spdlog::info("KEK rotation to KEK id {}: {} of {} candidate keys passed, {} re-wrapped",
                             new_kek.id_hex(), visited_.load(), batch.keys, rewrapped_.load());
                next_report = visited_.load() + std::max<std::uint64_t>(1, batch.keys / 10);
            }
            std::unique_lock lock(mutex_);
            if (changed_.wait_for(lock, options_.pause, [this] { return stopping_; })) {
                spdlog::info("KEK rotation paused by the shutdown after {} of {} keys; the next start with both "
                             "keys resumes it", visited_.load(), batch.keys);
                break;
            }
        }
    } catch (std::exception const& failure) {
        spdlog::error("KEK rotation stopped: {}; nothing of the failed batch was written and the next start "
                      "with both keys resumes it", failure.what());
    }
    {
        std::lock_guard const lock(mutex_);
        active_.store(false);
    }
    changed_.notify_all();
}

}  // namespace ledger::app
