#include "ledger/app/checkpoint_keeper.hpp"

#include "ledger/envelope_codec.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ledger::app {

checkpoint_keeper::checkpoint_keeper(store::event_store const& store, checkpoint_options options)
    : store_(store), options_(options) {}

bool checkpoint_keeper::stored_and_usable(std::string const& key, std::uint32_t code_version,
                                          std::uint64_t next_position) {
    {
        std::lock_guard const lock(mutex_);
        if (known_.contains(key)) return true;
        load_index();
        auto const listed = index_.find(key);
        // Listed as written by this code version: taken as usable (its checksum is checked
        // when a query loads it, which takes it again if it is damaged).
        if (listed != index_.end() && listed->second == code_version) {
            known_.insert(key);
            return true;
        }
    }
    auto const record = store_.read_projection_record(key);
    if (!record) return false;
    auto const checkpoint = detail::decode_checkpoint(*record);
    if (!checkpoint || checkpoint->code_version != code_version || checkpoint->next_position != next_position) {
        return false;
    }
    std::lock_guard const lock(mutex_);
    known_.insert(key);
    pending_index_.emplace_back(key, code_version);  // stored before the index listed it
    return true;
}

bool checkpoint_keeper::stored(std::string const& key, std::uint32_t code_version, std::uint64_t next_position) {
    return stored_and_usable(key, code_version, next_position);
}

void checkpoint_keeper::capture(projections::read_model const& model, std::uint64_t next_position,
                                checkpoint_boundary boundary, timestamp recorded_at) {
    if (!boundary || next_position == 0) return;
    if (boundary.month_start) {
        auto const key = detail::month_key(recorded_at);
        bool known = false;
        {
            std::lock_guard const lock(mutex_);
            known = known_.contains(key);
        }
        if (!known) {
            auto const stored = store_.read_projection_record(key);
            std::lock_guard const lock(mutex_);
            if (!stored || detail::decode_month(*stored) != next_position) {
                pending_.emplace_back(key, detail::encode_month(next_position));
            }
            known_.insert(key);
        }
    }
    auto key = detail::checkpoint_key(model.name(), next_position);
    if (stored_and_usable(key, model.code_version(), next_position)) return;
    {
        std::lock_guard const lock(mutex_);
        if (!pending_.empty() && pending_bytes_ > options_.max_pending_bytes) {
            ++stats_.dropped;
            return;
        }
    }
    auto record = detail::encode_checkpoint({model.code_version(), next_position, model.save()});
    std::lock_guard const lock(mutex_);
    pending_bytes_ += record.size();
    pending_index_.emplace_back(key, model.code_version());
    pending_.emplace_back(key, std::move(record));
    known_.insert(std::move(key));
    ++stats_.captured;
}

void checkpoint_keeper::write_pending(store::projection_records& records) {
    std::lock_guard const lock(mutex_);
    if (pending_.empty() && pending_index_.empty()) return;
    // All or nothing: when a put fails the group's transaction is aborted (and retried), so
    // the records stay pending until a commit has them.
    for (auto const& [key, record] : pending_) records.put(key, record);
    if (!pending_index_.empty()) {
        load_index();
        auto index = index_;
        for (auto const& [key, code_version] : pending_index_) index[key] = code_version;
        records.put(detail::checkpoint_index_key, detail::encode_index(index));
        index_ = std::move(index);  // only once every put has succeeded
    }
    stats_.written += pending_.size();
    pending_.clear();
    pending_.shrink_to_fit();
    pending_index_.clear();
    pending_bytes_ = 0;
    written_.notify_all();
}

void checkpoint_keeper::load_index() {
    if (index_loaded_) return;
    auto const record = store_.read_projection_record(detail::checkpoint_index_key);
    if (record) index_ = detail::decode_index(*record);
    index_loaded_ = true;
}

bool checkpoint_keeper::indexed(std::string const& key, std::uint32_t code_version) {
    std::lock_guard const lock(mutex_);
    if (known_.contains(key)) return true;
    load_index();
    auto const listed = index_.find(key);
    return listed != index_.end() && listed->second == code_version;
}

void checkpoint_keeper::wait_written(std::atomic<bool> const& stopping) {
    if (commit_) {
        bool waiting = false;
        {
            std::lock_guard const lock(mutex_);
            waiting = !pending_.empty();
        }
        if (waiting) commit_();  // the writer's hook takes mutex_: not held here
    }
    std::unique_lock lock(mutex_);
    while (!pending_.empty() && !stopping) written_.wait_for(lock, std::chrono::milliseconds(100));
}

std::optional<std::uint64_t> checkpoint_keeper::month_position(timestamp in_month) {
    auto const record = store_.read_projection_record(detail::month_key(in_month));
    return record ? detail::decode_month(*record) : std::nullopt;
}

std::unique_ptr<projections::read_model> checkpoint_keeper::load(projections::read_model const& prototype,
                                                                 std::uint64_t next_position) {
    auto const key = detail::checkpoint_key(prototype.name(), next_position);
    auto record = [&]() -> std::optional<std::string> {
        {
            // Taken again but not written yet: use what is waiting.
            std::lock_guard const lock(mutex_);
            auto const waiting = std::ranges::find(pending_, key, &std::pair<std::string, std::string>::first);
            if (waiting != pending_.end()) return waiting->second;
        }
        return store_.read_projection_record(key);
    }();
    if (!record) return nullptr;  // never taken (or still waiting for a commit)
    std::string problem;
    auto const checkpoint = detail::decode_checkpoint(*record, &problem);
    if (checkpoint && checkpoint->code_version != prototype.code_version()) {
        problem = "of code version " + std::to_string(checkpoint->code_version) + ", the read model is at " +
                  std::to_string(prototype.code_version());
    } else if (checkpoint && (checkpoint->next_position != next_position ||
                              next_position > store_.head().events)) {
        problem = "covers " + std::to_string(checkpoint->next_position) + " events, not the " +
                  std::to_string(next_position) + " its key says within a log of " +
                  std::to_string(store_.head().events);
    }
    std::unique_ptr<projections::read_model> model;
    if (problem.empty() && checkpoint) {
        try {
            model = prototype.fresh();
            model->load(checkpoint->state);
        } catch (codec_error const& e) {
            problem = e.what();
            model.reset();
        }
    }
    std::lock_guard const lock(mutex_);
    if (!model) {
        spdlog::warn("projection {}: checkpoint at {} unusable ({}); folding from an earlier one, "
                     "which takes it again",
                     prototype.name(), next_position, problem);
        ++stats_.unusable;
        known_.erase(key);
        index_.erase(key);  // so that the next fold crossing it takes it again
        return nullptr;
    }
    ++stats_.used;
    known_.insert(key);
    return model;
}

std::pair<std::unique_ptr<projections::read_model>, std::uint64_t> checkpoint_keeper::nearest(
    projections::read_model const& prototype, std::uint64_t limit) {
    if (limit == 0) return {prototype.fresh(), 0};
    auto const every = options_.every;
    std::uint64_t by_interval = every == 0 ? 0 : limit / every * every;
    // The month of the last event to fold: its first event is at or before it.
    std::optional<timestamp> month;
    std::optional<timestamp> first_recorded;
    if (options_.month_starts) {
        auto const last = store_.read_event(limit - 1);
        auto const first = store_.read_event(0);
        if (last && first) {
            month = last->recorded_at;
            first_recorded = first->recorded_at;
        }
    }
    std::uint64_t by_month = 0;
    auto find_month = [&] {
        // From `month` back to the ledger's first month, the latest month that has a record.
        by_month = 0;
        while (month && (*month > *first_recorded || detail::same_month(*month, *first_recorded))) {
            auto const position = month_position(*month);
            if (position && *position <= limit) {
                by_month = *position;
                return;
            }
            month = detail::previous_month_start(*month);
        }
        month.reset();
    };
    find_month();
    for (;;) {
        auto const best = std::max(by_interval, by_month);
        if (best == 0) return {prototype.fresh(), 0};
        if (auto model = load(prototype, best)) return {std::move(model), best};
        if (by_interval == best) by_interval = by_interval >= every ? by_interval - every : 0;
        if (by_month == best && month) {
            month = detail::previous_month_start(*month);
            find_month();
        }
    }
}

checkpoint_stats checkpoint_keeper::stats() const {
    std::lock_guard const lock(mutex_);
    auto stats = stats_;
    stats.waiting = pending_.size();
    return stats;
}

}  // namespace ledger::app
