#include "detail/replicated_append.hpp"

#include "detail/map_growth.hpp"
#include "detail/merkle_tree.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/sha256.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ledger::store::detail {
namespace {

error refused(std::uint64_t position, std::string reason) {
    error e{error_code::invalid_event,
            "the replicated event at position " + std::to_string(position) +
                " cannot be stored: " + reason,
            {}};
    e.details["position"] = position;
    e.details["reason"] = reason;
    return e;
}

/// The ledger as the transaction sees it, for the append policy's rule-state fold.
class txn_lookup final : public stream_lookup {
public:
    txn_lookup(lmdb::txn const& txn, tables const& db) : txn_(txn), db_(db) {}
    std::optional<std::uint64_t> last_version(std::string_view stream) const override {
        auto const head = read_stream_head(txn_, db_, stream);
        return head ? std::optional(head->last_version) : std::nullopt;
    }
    std::string rule_state(std::string_view stream) const override {
        auto head = read_stream_head(txn_, db_, stream);
        return head ? std::move(head->rule_state) : std::string{};
    }
    std::optional<recorded_event> event_at(std::uint64_t position) const override {
        auto const value = txn_.get(db_.log, view(encode_u64(position)));
        if (!value) return std::nullopt;
        std::string scratch;
        return decode_stored(db_.log_codec->decode(position, *value, scratch));
    }

private:
    lmdb::txn const& txn_;
    tables const& db_;
};

/// The tip as the transaction sees it (the follower's writes are the only ones).
log_tip read_tip(lmdb::txn const& txn, tables const& db) {
    log_tip tip;
    tip.tails = read_index_tails(txn, db);
    if (auto const number = txn.get(db.meta, meta_next_stream_number)) tip.next_stream_number = decode_u64(*number);
    if (auto const head = txn.get(db.meta, meta_chain_head)) {
        auto const stored = decode_chain_head(*head);
        tip.next_position = stored.last_position + 1;
        tip.last_hash = stored.hash;
        if (auto const last = txn.get(db.log, view(encode_u64(stored.last_position)))) {
            std::string scratch;
            tip.last_recorded_at = decode_stored(db.log_codec->decode(stored.last_position, *last, scratch)).recorded_at;
        }
    }
    return tip;
}

/// The stream head's rule state after `event`, folded by the policy as the leader's append
/// did. The leader admitted the event already; a refusal here (the policy sees sealed data)
/// keeps the state as it was and is logged, never refuses a chained event.
std::string fold_rule_state(replicated_context const& ctx, lmdb::txn const& txn,
                            recorded_event const& e, std::string rule_state) {
    event_to_append const as_appended{.id = e.id, .type = e.type, .schema_version = e.schema_version,
                                      .occurred_at = e.occurred_at, .data = e.data, .metadata = e.metadata,
                                      .correlation_id = e.correlation_id, .causation_id = e.causation_id};
    std::string folded = rule_state;
    txn_lookup const lookup(txn, ctx.db);
    if (auto const refusal = ctx.policy.admit(lookup, e.stream, e.position, {&as_appended, 1}, folded)) {
        spdlog::warn("the rule state of {} did not fold the replicated event at {} ({}); kept as it was",
                     e.stream, e.position, refusal->message);
        return rule_state;
    }
    return folded;
}

/// Puts one checked event: log entry, stream index, id index, stream head, subject key.
/// The log and index puts are append_one's own (put_stored_event, put_stream_head).
std::optional<error> put_event(replicated_context const& ctx, lmdb::write_txn& txn, log_tip& tip,
                               replicated_event const& in, recorded_event const& e) {
    auto const existing = read_stream_head(txn, ctx.db, e.stream);
    stream_head head = existing ? *existing : stream_head{tip.next_stream_number, 0, {}};
    std::uint64_t const expected_version = existing ? head.last_version + 1 : 0;
    if (e.version != expected_version) {
        return refused(in.position, "it has version " + std::to_string(e.version) + " of " + e.stream +
                                        ", which is at " + std::to_string(expected_version));
    }
    if (!existing) ++tip.next_stream_number;
    if (find_event_id(txn, ctx.db, e.id)) {
        return refused(in.position, "its event id " + to_string(e.id) + " is already in the ledger");
    }
    // The same puts as the leader's writer (put_event.hpp): log, event id, stream-index run.
    put_stored_event(txn, ctx.db,
                     event_placement{.position = in.position,
                                     .stream_number = head.stream_number,
                                     .version = e.version,
                                     .id = e.id,
                                     .last_run = &head.last_run},
                     in.stored, tip.tails);
    head.rule_state = fold_rule_state(ctx, txn, e, std::move(head.rule_state));
    head.last_version = e.version;
    std::string scratch;
    put_stream_head(txn, ctx.db, e.stream, head, !existing, scratch);
    if (in.subject_key) txn.put(ctx.db.subject_keys, in.subject_key->first, in.subject_key->second);
    if (in.erased_subject) txn.remove(ctx.db.subject_keys, *in.erased_subject);
    return std::nullopt;
}

/// Checks and puts the whole batch in `txn`; the first event that does not fit refuses it.
result<replicated_outcome> put_batch(replicated_context const& ctx, lmdb::write_txn& txn,
                                     std::span<replicated_event const> events) {
    replicated_outcome out{{}, read_tip(txn, ctx.db)};
    sha256_hasher hasher;
    for (auto const& in : events) {
        if (in.position != out.tip.next_position) {
            return refused(in.position, "the ledger's next position is " + std::to_string(out.tip.next_position));
        }
        if (in.stored.size() <= sha256_digest{}.size()) return refused(in.position, "it is too short to hold an event");
        auto const hash = hasher.chain(out.tip.last_hash, canonical_part(in.stored));
        if (hash != stored_hash(in.stored)) {
            return refused(in.position, "its hash does not chain onto this ledger's head");
        }
        recorded_event e;
        try {
            e = decode_stored(in.stored);
        } catch (codec_error const& bad) {
            return refused(in.position, std::string("it does not decode: ") + bad.what());
        }
        if (e.position != in.position) return refused(in.position, "it records position " + std::to_string(e.position));
        if (auto problem = put_event(ctx, txn, out.tip, in, e)) return *problem;
        out.tip.last_hash = hash;
        out.tip.last_recorded_at = std::max(out.tip.last_recorded_at, e.recorded_at);
        ++out.tip.next_position;
        out.written.push_back(std::move(e));
    }
    return out;
}

}  // namespace

result<replicated_outcome> append_replicated(replicated_context const& ctx,
                                             std::span<replicated_event const> events) {
    for (;;) {
        try {
            lmdb::write_txn txn(ctx.env);
            auto out = put_batch(ctx, txn, events);
            if (!out || out->written.empty()) return out;  // a refusal aborts the transaction
            // TEAM seam step 2: the Merkle tree's nodes for exactly these events, as in the
            // group writer (docs/audit.md), so a follower proves what its leader proves.
            merkle_append(txn, ctx.db, out->written.front().position, out->written.size(),
                          [&events](std::uint64_t i) { return std::string_view(events[i].stored); });
            write_tip(txn, ctx.db, out->tip);
            if (ctx.before_commit) ctx.before_commit(txn);
            txn.commit();  // durable (fsync), as every group commit
            return out;
        } catch (lmdb::map_full const&) {
            if (!grow_map(ctx.env, ctx.max_map_size)) return error{error_code::storage_full, "the ledger's storage is full", {}};
        } catch (lmdb::error const& e) {
            return error{error_code::unavailable, std::string("the ledger could not store replicated events: ") + e.what(), {}};
        }
    }
}

}  // namespace ledger::store::detail
