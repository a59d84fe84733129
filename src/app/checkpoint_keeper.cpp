#include "ledger/app/checkpoint_keeper.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/applications.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

namespace ledger::app {
namespace {

/// The record each write_pending puts with its records: that call's number, as decimal text.
constexpr std::string_view written_marker_key = "checkpoint-written";

std::optional<std::uint64_t> marker_number(std::optional<std::string> const& record) {
    if (!record) return std::nullopt;
    std::uint64_t number = 0;
    auto const end = record->data() + record->size();
    auto const [stop, failed] = std::from_chars(record->data(), end, number);
    if (failed != std::errc{} || stop != end) return std::nullopt;
    return number;
}

}  // namespace

checkpoint_keeper::checkpoint_keeper(store::event_store const& store, checkpoint_options options)
    : store_(store),
      options_(options),
      // Above what an earlier run put: a marker read before this keeper's commit is not taken for it.
      marker_(marker_number(store.read_projection_record(written_marker_key)).value_or(0)) {}

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
    std::string problem;
    auto const found = record(key, problem);
    if (!found) return false;
    auto const checkpoint = problem.empty() ? detail::decode_checkpoint(*found) : std::nullopt;
    if (!checkpoint || checkpoint->code_version != code_version || checkpoint->next_position != next_position) {
        std::lock_guard const lock(mutex_);
        // A chunk may be what is wrong: the capture that follows compares every chunk it keeps
        // with the stored one again (and puts the ones that differ).
        known_chunks_.clear();
        return false;
    }
    std::lock_guard const lock(mutex_);
    known_.insert(key);
    pending_index_.emplace_back(key, code_version);  // stored before the index listed it
    return true;
}

bool checkpoint_keeper::stored(projections::read_model const& prototype, std::uint64_t next_position) {
    if (!stored_and_usable(detail::checkpoint_key(prototype.name(), next_position), prototype.code_version(),
                           next_position)) {
        return false;
    }
    return prototype.shared_table() == nullptr ||
           stored_and_usable(detail::checkpoint_table_key(next_position), projections::application_table_code_version(),
                             next_position);
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
    // The application table is saved once per checkpoint for the three models sharing it.
    auto const table = model.shared_table();
    auto table_key = detail::checkpoint_table_key(next_position);
    auto const table_version = projections::application_table_code_version();
    bool const table_usable = table == nullptr || stored_and_usable(table_key, table_version, next_position);
    if (table_usable && stored_and_usable(key, model.code_version(), next_position)) return;
    {
        std::lock_guard const lock(mutex_);
        if (!pending_.empty() && pending_bytes_ > options_.max_pending_bytes) {
            ++stats_.dropped;
            return;
        }
    }
    auto const started = std::chrono::steady_clock::now();
    std::optional<std::string> table_record;
    if (!table_usable) {
        table_record = detail::encode_checkpoint({table_version, next_position, projections::save_table(*table)});
    }
    auto record = detail::encode_checkpoint(
        {model.code_version(), next_position, table != nullptr ? model.save_without_table() : model.save()});
    // What a checkpoint costs the folding thread and the store (docs/performance.md, rm-lean).
    spdlog::debug("projection {}: checkpoint at {} captured in {:.1f} ms: {} bytes{}", model.name(), next_position,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count(),
                  record.size() + (table_record ? table_record->size() : 0),
                  table_record ? " (with the application table)" : "");
    // Large records in chunks shared with the checkpoints before (projection_checkpoint.hpp):
    // only the chunks not stored yet wait for a commit.
    // Compressed; the application table's too unless compress_table is off
    // (projection_checkpoint.hpp).
    auto table_kept = table_record ? keep_chunked(std::move(*table_record), options_.compress_table) : kept_record{};
    auto own_kept = keep_chunked(std::move(record), true);
    std::lock_guard const lock(mutex_);
    auto const keep = [&](std::string record_key, std::uint32_t code_version, kept_record kept) {
        for (auto& [chunk, bytes] : kept.chunks) {
            if (!known_chunks_.insert(chunk).second) continue;  // waiting already (or stored)
            pending_bytes_ += bytes.size();
            pending_.emplace_back(std::move(chunk), std::move(bytes));
        }
        pending_bytes_ += kept.record.size();
        pending_index_.emplace_back(record_key, code_version);
        pending_.emplace_back(record_key, std::move(kept.record));
        known_.insert(std::move(record_key));
    };
    if (table_record) keep(std::move(table_key), table_version, std::move(table_kept));
    keep(std::move(key), model.code_version(), std::move(own_kept));
    ++stats_.captured;
}

void checkpoint_keeper::write_pending(store::projection_records& records) {
    std::lock_guard const lock(mutex_);
    if (pending_.empty() && pending_index_.empty() && unconfirmed_.empty() && unconfirmed_index_.empty()) return;
    // What an earlier call put is put again until a commit is known to hold it (confirm_written):
    // its transaction may have failed after this hook (the map filling at the commit: the group
    // is retried, with this hook run again). First, so that a later capture of a key wins.
    // All or nothing: when a put fails the group's transaction is aborted (and retried), so
    // nothing leaves the keeper before a commit has it.
    for (auto const& [key, record] : unconfirmed_) records.put(key, record);
    for (auto const& [key, record] : pending_) records.put(key, record);
    if (!pending_index_.empty() || !unconfirmed_index_.empty()) {
        load_index();
        auto index = index_;
        for (auto const& [key, code_version] : unconfirmed_index_) index[key] = code_version;
        for (auto const& [key, code_version] : pending_index_) index[key] = code_version;
        records.put(detail::checkpoint_index_key, detail::encode_index(index));
        index_ = std::move(index);
    }
    records.put(written_marker_key, std::to_string(marker_ + 1));
    ++marker_;  // only once every put has succeeded
    std::ranges::move(pending_, std::back_inserter(unconfirmed_));
    std::ranges::move(pending_index_, std::back_inserter(unconfirmed_index_));
    pending_.clear();
    pending_.shrink_to_fit();
    pending_index_.clear();
    pending_bytes_ = 0;
}

void checkpoint_keeper::forget_confirmed() {
    stats_.written += unconfirmed_.size();
    unconfirmed_.clear();
    unconfirmed_.shrink_to_fit();
    unconfirmed_index_.clear();
    written_.notify_all();
}

void checkpoint_keeper::confirm_written() {
    {
        std::lock_guard const lock(mutex_);
        if (unconfirmed_.empty() && unconfirmed_index_.empty()) return;
    }
    auto const committed = marker_number(store_.read_projection_record(written_marker_key));
    std::lock_guard const lock(mutex_);
    // marker_ numbers the last write_pending, which put everything unconfirmed now.
    if (committed && *committed >= marker_) forget_confirmed();
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
    for (;;) {
        confirm_written();
        std::unique_lock lock(mutex_);
        if (stopping || (pending_.empty() && unconfirmed_.empty() && unconfirmed_index_.empty())) return;
        // Woken when a hook forgets confirmed records; a commit seen by nobody else is found
        // by looking again.
        written_.wait_for(lock, std::chrono::milliseconds(100));
    }
}

std::optional<std::uint64_t> checkpoint_keeper::month_position(timestamp in_month) {
    auto const record = store_.read_projection_record(detail::month_key(in_month));
    return record ? detail::decode_month(*record) : std::nullopt;
}

checkpoint_keeper::kept_record checkpoint_keeper::keep_chunked(std::string record, bool compress) {
    kept_record kept;
    if (options_.chunk_bits == 0 || record.size() < options_.chunk_threshold) {
        kept.record = std::move(record);
        return kept;
    }
    bool const compressed = compress && options_.compression_level > 0;
    auto cut = detail::chunk_checkpoint(record, options_.chunk_bits, compressed);
    std::vector<bool> needed(cut.chunks.size());
    {
        std::lock_guard const lock(mutex_);
        for (std::size_t i = 0; i < cut.chunks.size(); ++i) needed[i] = !known_chunks_.contains(cut.chunks[i].key);
    }
    // A chunk stored already is kept only when its stored bytes are these (decompressed, for a
    // compressed one: a damaged frame, or one of another level, is put again); then it is
    // known for the rest of the process.
    std::vector<std::string> stored;
    {
        std::string plain;
        auto const reader = store_.read_projections();
        for (std::size_t i = 0; i < cut.chunks.size(); ++i) {
            if (!needed[i]) continue;
            auto const bytes = reader->get(cut.chunks[i].key);
            if (!bytes) continue;
            auto const& chunk = cut.chunks[i].bytes;
            bool same = false;
            if (compressed) {
                plain.resize(chunk.size());
                same = detail::decompress_chunk(*bytes, plain.data(), plain.size()) && plain == chunk;
            } else {
                same = *bytes == chunk;
            }
            if (same) {
                needed[i] = false;
                stored.push_back(cut.chunks[i].key);
            }
        }
    }
    {
        std::lock_guard const lock(mutex_);
        for (auto& chunk : stored) known_chunks_.insert(std::move(chunk));
    }
    for (std::size_t i = 0; i < cut.chunks.size(); ++i) {
        if (!needed[i]) continue;
        auto const bytes = cut.chunks[i].bytes;
        kept.chunks.emplace_back(std::move(cut.chunks[i].key),
                                 compressed ? detail::compress_chunk(bytes, options_.compression_level) : std::string(bytes));
    }
    kept.record = std::move(cut.manifest);
    return kept;
}

std::optional<std::string> checkpoint_keeper::waiting_record(std::string const& key) const {
    // Taken again but not written yet: what is waiting is newer than what is stored.
    std::lock_guard const lock(mutex_);
    auto const pending = std::ranges::find(pending_, key, &std::pair<std::string, std::string>::first);
    if (pending != pending_.end()) return pending->second;
    auto const put = std::ranges::find(unconfirmed_, key, &std::pair<std::string, std::string>::first);
    if (put != unconfirmed_.end()) return put->second;
    return std::nullopt;
}

std::unordered_map<std::string, std::string> checkpoint_keeper::waiting_chunks(std::string_view manifest) const {
    std::unordered_map<std::string, std::string> chunks;
    if (auto const entries = detail::decode_manifest(manifest)) {
        std::unordered_set<std::string_view> listed;
        for (auto const& entry : *entries) listed.insert(entry.key);
        std::lock_guard const lock(mutex_);
        for (auto const* records : {&unconfirmed_, &pending_}) {
            for (auto const& [k, bytes] : *records) {
                if (detail::is_chunk_key(k) && listed.contains(k)) chunks[k] = bytes;
            }
        }
    }
    return chunks;
}

checkpoint_stats checkpoint_keeper::stats() {
    confirm_written();
    std::lock_guard const lock(mutex_);
    auto stats = stats_;
    stats.waiting = pending_.size() + unconfirmed_.size();
    return stats;
}

}  // namespace ledger::app
