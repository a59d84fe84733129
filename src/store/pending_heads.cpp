#include "detail/pending_heads.hpp"

#include "detail/stream_table.hpp"

namespace ledger::store::detail {

stream_head const* pending_heads::find(std::uint64_t stream_number) const {
    if (auto const staged = staged_.find(stream_number); staged != staged_.end()) return &staged->second.head;
    if (auto const known = committed_.find(stream_number); known != committed_.end()) return &known->second.head;
    return nullptr;
}

void pending_heads::defer(stream_head const& head, std::uint64_t first_position) {
    staged_[head.stream_number] = entry{head, false};
    if (!marker_ && !staged_marker_) staged_marker_ = first_position;
}

void pending_heads::put_at_once(stream_head const& head) {
    // Only a head this writer keeps needs its copy moved on; the others' records are current.
    if (staged_.contains(head.stream_number) || committed_.contains(head.stream_number)) {
        staged_[head.stream_number] = entry{head, true};
    }
}

void pending_heads::before_commit(lmdb::write_txn& txn, tables const& db, bool write_all_now,
                                  std::uint64_t next_position) {
    if (!enabled_ || (!marker_ && !staged_marker_)) return;
    if (staged_marker_) txn.put(db.meta, meta_heads_pending_from, view(encode_u64(*staged_marker_)));
    // Counted in events after this group, which are at least the runs a reader would scan: a
    // group that takes the span past the limit (a large first one too) writes them itself.
    auto const from = marker_ ? *marker_ : *staged_marker_;
    bool const due = write_all_now || commits_pending_ + 1 >= commits_per_write ||
                     next_position - from > max_pending_events;
    if (due) write_all(txn, db);
}

void pending_heads::write_all(lmdb::write_txn& txn, tables const& db) {
    auto const put = [&](std::uint64_t number, entry const& e) {
        if (e.stored) return;
        scratch_.clear();
        encode_stream_head(e.head, db.heads, scratch_);
        txn.put(db.streams, view(encode_u64(number)), scratch_);
    };
    for (auto const& [number, e] : staged_) put(number, e);
    for (auto const& [number, e] : committed_) {
        if (!staged_.contains(number)) put(number, e);
    }
    txn.remove(db.meta, meta_heads_pending_from);
    wrote_all_ = true;
}

void pending_heads::commit() {
    if (wrote_all_) {
        committed_.clear();
        marker_.reset();
        commits_pending_ = 0;
    } else if (marker_ || staged_marker_) {
        for (auto& [number, e] : staged_) committed_[number] = std::move(e);
        if (staged_marker_) marker_ = staged_marker_;
        ++commits_pending_;
    }
    discard();
}

void pending_heads::discard() {
    staged_.clear();
    staged_marker_.reset();
    wrote_all_ = false;
}

}  // namespace ledger::store::detail
