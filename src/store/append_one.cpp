#include "detail/append_one.hpp"
#include "detail/link_and_leaf.hpp"

#include "ledger/envelope_codec.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <stdexcept>

namespace ledger::store::detail {
namespace {

// The writer's view of a head: the one it keeps pending (format 8), else the record, which is
// then current (the writer is the only one that defers, and its open put what was pending).
std::optional<stream_head> load_head(lmdb::txn const& txn, tables const& db, pending_heads const* pending,
                                     std::string_view stream) {
    if (pending == nullptr || !pending->enabled()) return read_stream_head(txn, db, stream);
    auto head = read_stored_head(txn, db, stream);
    if (head) {
        if (auto const* newer = pending->find(head->stream_number)) return *newer;
    }
    return head;
}

std::optional<recorded_event> load_event(lmdb::txn const& txn, tables const& db,
                                         std::uint64_t position) {
    auto const value = txn.get(db.log, view(encode_u64(position)));
    if (!value) return std::nullopt;
    std::string scratch;
    return decode_stored(db.log_codec->decode(position, *value, scratch));
}

// The ledger as the group's transaction sees it, for the append policy.
class txn_lookup final : public stream_lookup {
public:
    txn_lookup(lmdb::txn const& txn, tables const& db, pending_heads const* pending)
        : txn_(txn), db_(db), pending_(pending) {}

    std::optional<std::uint64_t> last_version(std::string_view stream) const override {
        auto const head = load_head(txn_, db_, pending_, stream);
        return head ? std::optional(head->last_version) : std::nullopt;
    }
    std::string rule_state(std::string_view stream) const override {
        auto head = load_head(txn_, db_, pending_, stream);
        return head ? std::move(head->rule_state) : std::string{};
    }
    std::optional<recorded_event> event_at(std::uint64_t position) const override {
        return load_event(txn_, db_, position);
    }

private:
    lmdb::txn const& txn_;
    tables const& db_;
    pending_heads const* pending_;
};

// The subject_keys table inside the group's transaction, for the personal data seal.
class txn_key_table final : public subject_key_table {
public:
    txn_key_table(lmdb::write_txn& txn, tables const& db) : txn_(txn), db_(db) {}

    std::optional<std::string> get(std::string_view subject) const override {
        auto const key = txn_.get(db_.subject_keys, subject);
        return key ? std::optional<std::string>(*key) : std::nullopt;
    }
    void put(std::string_view subject, std::string_view key) override {
        txn_.put(db_.subject_keys, subject, key);
    }
    void remove(std::string_view subject) override { txn_.remove(db_.subject_keys, subject); }

private:
    lmdb::write_txn& txn_;
    tables const& db_;
};

error duplicate_id(std::size_t index, uuid const& id, std::string_view why) {
    error e{error_code::duplicate_event_id, std::string(why), {}};
    e.details["index"] = index;
    e.details["id"] = to_string(id);
    return e;
}

// Stored data may be sealed (personal fields encrypted); the seal compares it with what the
// client sent.
bool same_event(append_context const& ctx, recorded_event const& stored,
                append_request const& request, event_to_append const& event) {
    bool const same_envelope = stored.stream == request.stream && stored.type == event.type &&
                               stored.schema_version == event.schema_version &&
                               stored.occurred_at == event.occurred_at &&
                               stored.metadata == event.metadata;
    if (!same_envelope) return false;
    if (stored.data == event.data) return true;
    return ctx.seal != nullptr &&
           ctx.seal->same_data(txn_key_table(ctx.txn, ctx.db), stored, event);
}

std::optional<error> duplicate_within_batch(append_request const& request) {
    std::vector<std::pair<uuid, std::size_t>> ids;
    for (std::size_t i = 0; i < request.events.size(); ++i) {
        if (request.events[i].id) ids.emplace_back(*request.events[i].id, i);
    }
    std::sort(ids.begin(), ids.end());
    auto const twin = std::adjacent_find(ids.begin(), ids.end(),
                                         [](auto const& a, auto const& b) { return a.first == b.first; });
    if (twin == ids.end()) return std::nullopt;
    return duplicate_id(std::next(twin)->second, twin->first, "the batch uses this event id twice");
}

// An idempotent retry re-sends a whole batch that is already stored, event for event.
// nullopt: none of the batch's ids is known, so it is a new batch.
std::optional<append_result> find_recorded(append_context const& ctx, append_request const& request) {
    // The usual case, a new batch, without allocating: stop at the first known id.
    auto const known = [&](event_to_append const& event) {
        return event.id && find_event_id(ctx.txn, ctx.db, *event.id);
    };
    if (std::none_of(request.events.begin(), request.events.end(), known)) return std::nullopt;
    std::vector<std::optional<std::uint64_t>> positions(request.events.size());
    for (std::size_t i = 0; i < request.events.size(); ++i) {
        auto const& id = request.events[i].id;
        if (!id) continue;
        positions[i] = find_event_id(ctx.txn, ctx.db, *id);
    }

    append_success original{.stream = request.stream, .already_recorded = true};
    for (std::size_t i = 0; i < request.events.size(); ++i) {
        auto const& event = request.events[i];
        if (!positions[i]) {
            return duplicate_id(i, event.id.value_or(uuid{}),
                                "this batch mixes new events with ones already recorded");
        }
        auto const stored = load_event(ctx.txn, ctx.db, *positions[i]);
        bool const in_place = i == 0 || *positions[i] == *positions[0] + i;
        if (!stored || !in_place || !same_event(ctx, *stored, request, event)) {
            return duplicate_id(i, *event.id, "this event id is already used by a different event");
        }
        if (i == 0) {
            original.first_position = stored->position;
            original.first_version = stored->version;
        }
        original.last_position = stored->position;
        original.last_version = stored->version;
    }
    return original;
}

// A generated id no event uses yet. UUIDv7 ids carry 62 random bits from the CSPRNG, so a
// second draw is (almost) never needed; it is checked because the index must never repoint.
uuid fresh_id(append_context const& ctx) {
    for (;;) {
        auto const id = make_uuid_v7();
        // Past the largest key of the index, so not in it: the usual case, without a lookup.
        if (ctx.tip.tails.ids.past(event_id_key(id, ctx.db.id_layout)) || !find_event_id(ctx.txn, ctx.db, id)) {
            return id;
        }
    }
}

error wrong_version(expected_version const& expected, std::optional<std::uint64_t> actual) {
    error e{error_code::wrong_expected_version, "the stream is not at the expected version", {}};
    e.details["expected"] = expected.to_json();
    e.details["actual"] = actual ? boost::json::value(*actual) : boost::json::value(nullptr);
    return e;
}

/// Seals the group's last slot (canonical bytes, chain hash) and puts it. `prepared`: the
/// event's template made before the writer, or empty; `exact`: the template was made from the
/// very event in the slot (the request's own events, not sealed ones), so the canonical bytes
/// are joined from it instead of encoded again and compared with it (issue 18: the writer's
/// per-event cost; a test compares both ways on random events).
void seal_and_put(append_context& ctx, event_placement const& where, std::string_view prepared, bool exact) {
    // The Merkle leaf (SHA-256(0x00 ‖ canonical)) is hashed beside the chain link: the two
    // overlap in the CPU, and merkle_append takes the group's leaves as they are.
    auto const chain = [&](std::string_view canonical) {
        auto const hashes = hash_link_and_leaf(ctx.tip.last_hash, canonical);
        ctx.written.keep_leaf(hashes.leaf);
        return hashes.link;
    };
    auto const opened = exact ? ctx.db.log_codec->open_prepared(prepared) : std::nullopt;
    if (!opened) {
        auto const stored = ctx.written.seal_last(chain);
        ctx.spliced += put_stored_event(ctx.txn, ctx.db, where, stored, ctx.tip.tails, prepared);
        return;
    }
    auto const fields = fields_of(ctx.written.events().back());
    auto const stored = ctx.written.seal_last_joined(opened->templ, opened->layout, fields, chain);
    thread_local std::string value;  // the encoded value, its memory reused
    put_encoded_event(ctx.txn, ctx.db, where, ctx.db.log_codec->encode_opened(*opened, fields, stored, value),
                      ctx.tip.tails);
    ++ctx.spliced;
}

append_success write_events(append_context& ctx, append_request const& request,
                            std::span<event_to_append const> events, prepared_templates const* prepared,
                            std::optional<stream_head> existing, std::string rule_state) {
    if (prepared != nullptr && prepared->size() != events.size()) prepared = nullptr;
    bool const exact = prepared != nullptr && events.data() == request.events.data();
    std::size_t index = 0;
    stream_head head = existing ? std::move(*existing) : stream_head{ctx.tip.next_stream_number++, 0, {}};
    std::uint64_t version = existing ? head.last_version + 1 : 0;
    // recorded_at never decreases along the log, even if the wall clock steps back.
    timestamp const recorded_at = std::max(request.recorded_at.value_or(now()), ctx.tip.last_recorded_at);

    append_success success{.stream = request.stream,
                           .first_version = version,
                           .first_position = ctx.tip.next_position};
    for (auto const& event : events) {
        // The slot's strings keep their memory from earlier groups: assigning reuses it.
        recorded_event& e = ctx.written.next_slot();
        e.position = ctx.tip.next_position;
        e.stream = request.stream;
        e.version = version;
        e.id = event.id ? *event.id : fresh_id(ctx);
        e.type = event.type;
        e.schema_version = event.schema_version;
        e.occurred_at = event.occurred_at;
        e.recorded_at = recorded_at;
        e.actor = request.actor;
        e.correlation_id = event.correlation_id;
        e.causation_id = event.causation_id;
        e.data = event.data;
        e.metadata = event.metadata;
        seal_and_put(ctx,
                     event_placement{.position = e.position,
                                     .stream_number = head.stream_number,
                                     .version = version,
                                     .id = e.id,
                                     .last_run = &head.last_run},
                     prepared != nullptr ? prepared->at(index) : std::string_view{}, exact);
        ++index;
        ctx.tip.last_hash = e.hash;
        ++ctx.tip.next_position;
        ++version;
    }
    head.last_version = version - 1;
    // Format 8: an existing stream's head whose rule state the request left as it was waits in
    // the writer (pending_heads.hpp); its record's rule state stays the stream's.
    bool const defer = ctx.heads != nullptr && ctx.heads->enabled() && existing && head.rule_state == rule_state;
    head.rule_state = std::move(rule_state);
    if (defer) {
        ctx.heads->defer(head, success.first_position);
    } else {
        std::string local_scratch;
        put_stream_head(ctx.txn, ctx.db, request.stream, head, !existing, ctx.scratch ? *ctx.scratch : local_scratch);
        if (ctx.heads != nullptr) ctx.heads->put_at_once(head);
    }
    ctx.tip.last_recorded_at = recorded_at;

    success.last_version = head.last_version;
    success.last_position = ctx.tip.next_position - 1;
    return success;
}

}  // namespace

append_result append_one(append_context& ctx, append_request const& request) {
    if (!is_valid_stream_name(request.stream)) {
        return error{error_code::invalid_stream_name,
                     "a stream name is <category>-<id>, e.g. candidate-c-0192", {}};
    }
    if (request.events.empty()) {
        return error{error_code::bad_request, "a batch needs at least one event", {}};
    }
    if (auto twin = duplicate_within_batch(request)) return *twin;
    if (auto recorded = find_recorded(ctx, request)) return *recorded;

    auto head = load_head(ctx.txn, ctx.db, ctx.heads, request.stream);
    auto const last = head ? std::optional(head->last_version) : std::nullopt;
    if (!request.expected.met_by(last)) return wrong_version(request.expected, last);

    // A copy: the policy changes it in place, and write_events compares it with the head's to
    // know whether the head may wait (format 8).
    std::string rule_state = head ? head->rule_state : std::string{};
    txn_lookup const lookup(ctx.txn, ctx.db, ctx.heads);
    if (auto refused = ctx.policy.admit(lookup, request.stream, ctx.tip.next_position,
                                        request.events, rule_state)) {
        return *refused;
    }
    if (ctx.seal == nullptr || !ctx.seal->applies_to(request.stream)) {
        return write_events(ctx, request, request.events, ctx.prepared, std::move(head), std::move(rule_state));
    }
    // Sealed after admission, so a refused request neither creates nor destroys a key.
    std::vector<event_to_append> sealed = request.events;
    txn_key_table keys(ctx.txn, ctx.db);
    for (auto& event : sealed) ctx.seal->seal(keys, request.stream, event);
    // The templates were made from the data as sent: the writer uses the ones sealing left alone.
    return write_events(ctx, request, sealed, ctx.prepared, std::move(head), std::move(rule_state));
}

void write_tip(lmdb::write_txn& txn, tables const& db, log_tip const& tip) {
    if (tip.next_position > 0) {
        txn.put(db.meta, meta_chain_head,
                encode_chain_head({.last_position = tip.next_position - 1, .hash = tip.last_hash}));
    }
    txn.put(db.meta, meta_next_stream_number, view(encode_u64(tip.next_stream_number)));
}

}  // namespace ledger::store::detail
