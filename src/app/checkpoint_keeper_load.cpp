// Loading a read model from a checkpoint, and finding the nearest usable one at or before a
// position (the interval multiples and the month starts).
#include "ledger/app/checkpoint_keeper.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/decompressed_pieces.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/applications.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ledger::app {

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

}  // namespace ledger::app
