#include "ledger/app/checkpoint_keeper.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/decompressed_pieces.hpp"
#include "ledger/app/huge_page_bytes.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/applications.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
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

std::optional<std::string> checkpoint_keeper::record(std::string const& key, std::string& problem) {
    // mutex_ is never taken while a read transaction is open here (a writer growing the map
    // waits for every transaction to end).
    auto found = waiting_record(key);
    if (!found) found = store_.read_projection_record(key);
    if (!found || !detail::is_manifest(*found)) return found;
    // In chunks: the ones still waiting for a commit from memory, the rest from the store.
    auto const chunks_waiting = waiting_chunks(*found);
    auto const reader = store_.read_projections();
    auto assembled = detail::assemble_checkpoint(
        *found,
        [&](std::string_view chunk) -> std::optional<std::string_view> {
            auto const in_memory = chunks_waiting.find(std::string(chunk));
            if (in_memory != chunks_waiting.end()) return std::string_view(in_memory->second);
            return reader->get(chunk);
        },
        &problem);
    if (!assembled) return found;  // there, not usable (`problem` says why)
    return assembled;
}

namespace {

/// `size` bytes that `fill` writes, and what keeps them: huge pages from `huge_from` bytes on
/// (checkpoint_options::huge_page_record_bytes), a string below; no owner when `fill` fails.
template <class Fill>
checkpoint_keeper::held_record held_copy(std::size_t size, std::size_t huge_from, Fill&& fill) {
    if (size >= huge_from) {
        auto bytes = std::make_shared<huge_page_bytes>(size);
        if (!fill(bytes->data())) return {};
        auto const view = bytes->view();
        return {std::move(bytes), view};
    }
    auto bytes = std::make_shared<std::string>(size, '\0');
    if (!fill(bytes->data())) return {};
    std::string_view const view = *bytes;
    return {std::move(bytes), view};
}

}  // namespace

std::optional<checkpoint_keeper::held_record> checkpoint_keeper::record_held(std::string const& key,
                                                                           std::string& problem) {
    auto in_string = [](std::string bytes) {
        auto owner = std::make_shared<std::string const>(std::move(bytes));
        std::string_view const view = *owner;
        return held_record{std::move(owner), view};
    };
    auto manifest = waiting_record(key);
    if (manifest && !detail::is_manifest(*manifest)) return in_string(std::move(*manifest));
    if (!manifest) {
        auto const reader = store_.read_projections();
        auto const stored = reader->get(key);
        if (!stored) return std::nullopt;
        if (!detail::is_manifest(*stored)) {
            // Whole: one copy out of the map, into huge pages when large.
            return held_copy(stored->size(), options_.huge_page_record_bytes, [&](char* out) {
                if (!stored->empty()) std::memcpy(out, stored->data(), stored->size());
                return true;
            });
        }
        manifest = std::string(*stored);
    }
    // In chunks: the ones still waiting for a commit from memory, the rest from the store, put
    // together into one buffer (huge pages when large) without a second copy. mutex_ is not
    // held while the read transaction is open (waiting_chunks takes it before).
    auto const chunks_waiting = waiting_chunks(*manifest);
    std::uint64_t total = 0;
    if (!detail::decode_manifest(*manifest, &total)) {
        problem = "its chunk list does not decode";
        return in_string(std::move(*manifest));
    }
    auto const reader = store_.read_projections();
    auto held = held_copy(static_cast<std::size_t>(total), options_.huge_page_record_bytes, [&](char* out) {
        return detail::assemble_checkpoint_into(
            *manifest,
            [&](std::string_view chunk) -> std::optional<std::string_view> {
                auto const in_memory = chunks_waiting.find(std::string(chunk));
                if (in_memory != chunks_waiting.end()) return std::string_view(in_memory->second);
                return reader->get(chunk);
            },
            [&](std::size_t) { return out; }, &problem);
    });
    if (!held.owner) return in_string(std::move(*manifest));  // there, not usable (`problem` says why)
    return held;
}

bool checkpoint_keeper::waits(std::string const& key) const {
    std::lock_guard const lock(mutex_);
    auto const named = [&](auto const& records) {
        return std::ranges::find(records, key, &std::pair<std::string, std::string>::first) != records.end();
    };
    return named(pending_) || named(unconfirmed_);
}

std::optional<std::pair<std::shared_ptr<record_lease>, std::string_view>> checkpoint_keeper::whole_in_place(
    std::string const& key) {
    // Waiting for a commit: newer than what is stored (record() reads it from memory).
    if (waits(key)) return std::nullopt;
    auto lease = std::make_shared<record_lease>(store_.read_projections());
    auto const bytes = lease->reader()->get(key);
    // Not stored, or a manifest (its chunks are put together into one copy by record()).
    if (!bytes || detail::is_manifest(*bytes)) return std::nullopt;
    return std::pair{std::move(lease), *bytes};
}

std::optional<std::pair<std::shared_ptr<record_lease>, std::vector<std::string_view>>>
checkpoint_keeper::chunks_in_place(std::string const& key) {
    if (waits(key)) return std::nullopt;
    auto lease = std::make_shared<record_lease>(store_.read_projections());
    auto const* const reader = lease->reader();
    auto const manifest = reader->get(key);
    // Whole (whole_in_place's), or compressed (its chunks must be decompressed somewhere).
    if (!manifest || !detail::is_manifest(*manifest) || detail::is_compressed_manifest(*manifest)) {
        return std::nullopt;
    }
    auto const entries = detail::decode_manifest(*manifest);
    if (!entries) return std::nullopt;
    std::vector<std::string_view> pieces;
    pieces.reserve(entries->size());
    for (auto const& entry : *entries) {
        // A chunk not stored (still waiting for a commit) or not of its length: record_held
        // puts the record together from memory, or says what is wrong.
        auto const bytes = reader->get(entry.key);
        if (!bytes || bytes->size() != entry.size) return std::nullopt;
        pieces.push_back(*bytes);
    }
    return std::pair{std::move(lease), std::move(pieces)};
}

std::optional<detail::decompressed_pieces> checkpoint_keeper::chunks_decompressed(std::string const& key) {
    if (waits(key)) return std::nullopt;
    auto const reader = store_.read_projections();
    auto const manifest = reader->get(key);
    if (!manifest || !detail::is_compressed_manifest(*manifest)) return std::nullopt;
    auto const entries = detail::decode_manifest(*manifest);
    if (!entries) return std::nullopt;
    // Every chunk is decompressed before the read transaction ends: nothing views the map.
    return detail::decompress_pieces(
        *entries, [&](std::string_view chunk) { return reader->get(chunk); }, options_.huge_page_record_bytes);
}

std::optional<detail::projection_snapshot_view> checkpoint_keeper::usable(std::string_view bytes, std::uint32_t code_version,
                                                                          std::uint64_t next_position,
                                                                          std::string& problem) const {
    auto checkpoint = detail::decode_checkpoint_view(bytes, &problem);
    if (checkpoint && !covers(checkpoint->code_version, checkpoint->next_position, code_version, next_position, problem)) {
        return std::nullopt;
    }
    return checkpoint;
}

bool checkpoint_keeper::covers(std::uint32_t stored_version, std::uint64_t stored_next, std::uint32_t code_version,
                               std::uint64_t next_position, std::string& problem) const {
    if (stored_version != code_version) {
        problem = "of code version " + std::to_string(stored_version) + ", the read model is at " +
                  std::to_string(code_version);
    } else if (stored_next != next_position || next_position > store_.head().events) {
        problem = "covers " + std::to_string(stored_next) + " events, not the " + std::to_string(next_position) +
                  " its key says within a log of " + std::to_string(store_.head().events);
    } else {
        return true;
    }
    return false;
}

std::unique_ptr<projections::read_model> checkpoint_keeper::load(projections::read_model const& prototype,
                                                                 std::uint64_t next_position,
                                                                 std::shared_ptr<record_lease>* lease) {
    auto const key = detail::checkpoint_key(prototype.name(), next_position);
    std::string problem;
    auto const own = record_held(key, problem);
    if (!own) return nullptr;  // never taken (or still waiting for a commit)
    bool const with_table = prototype.shared_table() != nullptr;
    auto const table_key = detail::checkpoint_table_key(next_position);
    std::unique_ptr<projections::read_model> model;
    try {
        auto const checkpoint = problem.empty() ? usable(own->bytes, prototype.code_version(), next_position, problem)
                                                : std::nullopt;
        if (checkpoint && !with_table) {
            model = prototype.fresh();
            model->load(checkpoint->state);
        } else if (checkpoint) {
            // Kept by the loaded table while its candidates are undecoded (load_table_lazily):
            // the record in the map inside the lease's transaction, or a copy (in huge pages).
            std::string table_problem;
            std::shared_ptr<void const> keep;
            std::string_view table_bytes;
            std::optional<std::vector<std::string_view>> pieces;  // a record in chunks: decoded from them
            std::shared_ptr<projections::detail::application_table> loaded;
            if (lease != nullptr) {
                if (auto in_place = whole_in_place(table_key)) {
                    table_bytes = in_place->second;
                    *lease = std::move(in_place->first);
                    keep = *lease;
                } else if (auto chunks = chunks_in_place(table_key)) {
                    // Decoded where its chunks lie: no contiguous copy into fresh memory (~145
                    // MB at 10,000,000 events, ~20 % of the last interval's answer, rm-asof9).
                    *lease = std::move(chunks->first);
                    keep = *lease;
                    pieces = std::move(chunks->second);
                }
            }
            if (!keep) {
                if (auto decompressed = chunks_decompressed(table_key)) {
                    // Compressed: each chunk decompressed into its own place, decoded from
                    // those pieces as plain chunks are where they lie (no contiguous copy).
                    keep = std::move(decompressed->owner);
                    pieces = std::move(decompressed->pieces);
                }
            }
            if (pieces) {
                auto const table = detail::decode_checkpoint_pieces(*pieces, &table_problem);
                if (table && covers(table->code_version, table->next_position,
                                    projections::application_table_code_version(), next_position, table_problem)) {
                    loaded = projections::load_table_lazily(keep, table->state);
                }
            }
            if (!keep) {
                if (auto stored = record_held(table_key, table_problem)) {
                    table_bytes = stored->bytes;
                    keep = std::move(stored->owner);
                }
            }
            if (!keep) problem = "its application table was not taken";
            if (!table_problem.empty()) problem = "its application table: " + table_problem;
            auto const table = keep && !loaded && table_problem.empty()
                                   ? usable(table_bytes, projections::application_table_code_version(),
                                            next_position, problem)
                                   : std::nullopt;
            if (table) loaded = projections::load_table_lazily(keep, table->state);
            if (loaded) {
                if (loaded->next != next_position) throw codec_error("the application table does not cover its record's events");
                model = prototype.fresh();
                model->load_with_table(checkpoint->state, loaded);
            }
        }
    } catch (codec_error const& e) {
        problem = e.what();
        model.reset();
    }
    if (!model && lease != nullptr) *lease = nullptr;  // nothing reads it
    std::lock_guard const lock(mutex_);
    if (!model) {
        spdlog::warn("projection {}: checkpoint at {} unusable ({}); folding from an earlier one, "
                     "which takes it again",
                     prototype.name(), next_position, problem);
        ++stats_.unusable;
        // So that the next fold crossing it takes it again (the table with it), comparing its
        // chunks with the stored ones again (a damaged chunk is put again).
        known_chunks_.clear();
        known_.erase(key);
        index_.erase(key);
        if (with_table) {
            known_.erase(table_key);
            index_.erase(table_key);
        }
        return nullptr;
    }
    ++stats_.used;
    known_.insert(key);
    return model;
}

/// The positions nearest() tries for a limit, best first: the interval multiples and the month
/// starts (their records) at or before it, the larger first.
class checkpoint_keeper::candidates {
public:
    candidates(checkpoint_keeper& keeper, std::uint64_t limit) : keeper_(keeper) {
        if (limit == 0) return;
        auto const every = keeper.options_.every;
        by_interval_ = every == 0 ? 0 : limit / every * every;
        if (keeper.options_.month_starts) {
            // The month of the last event to fold: its first event is at or before it.
            auto const last = keeper.store_.read_event(limit - 1);
            auto const first = keeper.store_.read_event(0);
            if (last && first) {
                month_ = last->recorded_at;
                first_recorded_ = first->recorded_at;
            }
        }
        limit_ = limit;
        find_month();
    }

    /// The best position left (0: none).
    std::uint64_t best() const { return std::max(by_interval_, by_month_); }

    /// Drops best() (it was not usable).
    void skip() {
        auto const every = keeper_.options_.every;
        auto const best = this->best();
        if (by_interval_ == best) by_interval_ = by_interval_ >= every ? by_interval_ - every : 0;
        if (by_month_ == best && month_) {
            month_ = detail::previous_month_start(*month_);
            find_month();
        }
    }

private:
    void find_month() {
        // From `month_` back to the ledger's first month, the latest month that has a record.
        by_month_ = 0;
        while (month_ && (*month_ > *first_recorded_ || detail::same_month(*month_, *first_recorded_))) {
            auto const position = keeper_.month_position(*month_);
            if (position && *position <= limit_) {
                by_month_ = *position;
                return;
            }
            month_ = detail::previous_month_start(*month_);
        }
        month_.reset();
    }

    checkpoint_keeper& keeper_;
    std::uint64_t limit_ = 0;
    std::uint64_t by_interval_ = 0;
    std::uint64_t by_month_ = 0;
    std::optional<timestamp> month_;
    std::optional<timestamp> first_recorded_;
};

std::pair<std::unique_ptr<projections::read_model>, std::uint64_t> checkpoint_keeper::nearest(
    projections::read_model const& prototype, std::uint64_t limit) {
    candidates walk(*this, limit);
    for (;;) {
        auto const best = walk.best();
        if (best == 0) return {prototype.fresh(), 0};
        if (auto model = load(prototype, best)) return {std::move(model), best};
        walk.skip();
    }
}

std::uint64_t checkpoint_keeper::first_candidate(std::uint64_t limit) { return candidates(*this, limit).best(); }

checkpoint_stats checkpoint_keeper::stats() {
    confirm_written();
    std::lock_guard const lock(mutex_);
    auto stats = stats_;
    stats.waiting = pending_.size() + unconfirmed_.size();
    return stats;
}

}  // namespace ledger::app
