#include "ledger/store/event_store.hpp"

#include "detail/directory_lock.hpp"
#include "detail/event_id_index.hpp"
#include "detail/group_writer.hpp"
#include "detail/log_read_ahead.hpp"
#include "detail/map_growth.hpp"
#include "detail/merkle_tree.hpp"
#include "detail/replicated_append.hpp"
#include "detail/stream_table.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/lmdb.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>

namespace ledger::store {

using detail::decode_u64;
using detail::encode_u64;

struct event_store::impl {
    explicit impl(store_options opts);
    /// At a writer's open: puts format 8's heads a killed writer left pending (no-op otherwise).
    void put_heads_left_pending();

    detail::log_tip load_tip();

    /// Calls visit(position, log value) for each log entry from `from`, until it returns
    /// false (db.log_codec->decode gives the stored bytes). Short read transactions, one per chunk: a long scan must neither pin old pages
    /// (which grows the file) nor hold off a map resize; the log is append-only, so chunks agree.
    template <class Visit>
    void scan_stored(std::uint64_t from, Visit&& visit);
    void on_commit(std::span<recorded_event const> events, detail::log_tip const& tip);

    store_options options;
    std::unique_ptr<detail::directory_lock> lock;  // before env: nobody else writes while it is open
    lmdb::env env;
    detail::tables db;

    mutable std::mutex head_mutex;
    mutable std::condition_variable head_changed;
    chain_head committed;

    std::mutex observers_mutex;
    std::map<std::uint64_t, commit_observer> observers;
    std::uint64_t next_observer = 0;

    std::mutex hook_mutex;
    before_commit_hook before_commit;
    after_commit_hook after_commit;  // guarded by hook_mutex

    void run_before_commit(lmdb::write_txn& txn);
    std::optional<error> run_after_commit(std::span<recorded_event const> events);
    void on_failure(std::string const& cause);

    std::mutex failure_mutex;
    std::function<void(std::string const&)> failure_handler;
    std::atomic<std::uint64_t> snapshot_failures{0};

    std::unique_ptr<detail::group_writer> writer;  // last: stops first
};

event_store::impl::impl(store_options opts)
    : options(std::move(opts)),
      lock(options.writer ? std::make_unique<detail::directory_lock>(options.directory) : nullptr),
      env(lmdb::env_options{.directory = options.directory, .map_size = options.initial_map_size}) {
    if (!options.policy) options.policy = std::make_shared<accept_all_policy>();
    {
        lmdb::write_txn txn(env);
        db = detail::tables::open(txn);
        auto const format = txn.get(db.meta, detail::meta_format_version);
        auto const version = format ? decode_u64(*format) : 0;
        if (!format) {
            // New: the newest layout (tables::open chose it for a ledger without a version), and
            // the dictionary its log values use (2, trained on format 5's templates), in the same
            // transaction: a format-5 ledger never exists without it, and it is never replaced
            // (docs/storage.md).
            txn.put(db.meta, detail::meta_format_version, detail::view(encode_u64(detail::format_version)));
            detail::log_values::store_dictionary(txn, db.meta, detail::builtin_template_dictionary_id,
                                                 detail::builtin_template_dictionary());
            db.log_codec = detail::log_values::load(txn, db.meta, detail::log_values::encoding::split);
        } else if (options.writer && version >= detail::oldest_readable_format_version &&
                   version < detail::newest_separate_format_version) {
            // Format 1 is read as format 2 (tables.hpp); from now on it may hold runs, so older
            // builds must refuse it. It keeps the separate layout: it is never rewritten.
            txn.put(db.meta, detail::meta_format_version,
                    detail::view(encode_u64(detail::newest_separate_format_version)));
        } else if (version < detail::oldest_readable_format_version || version > detail::format_version) {
            throw std::runtime_error("ledger at " + options.directory.string() +
                                     " has format version " + std::to_string(version) +
                                     "; this build reads versions " +
                                     std::to_string(detail::oldest_readable_format_version) + " to " +
                                     std::to_string(detail::format_version));
        }
        txn.commit();
    }
    if (options.writer) put_heads_left_pending();
    auto const tip = load_tip();
    // Ledgers written before the Merkle tree get it once, here (logged); a tree longer than the
    // log means the log lost events.
    if (options.writer) detail::merkle_catch_up(env, db);
    committed = chain_head{tip.next_position, tip.last_hash};
    writer = std::make_unique<detail::group_writer>(
        env, db, *options.policy, tip,
        detail::group_writer_options{options.max_map_size, options.max_group_events,
                                     [this](lmdb::write_txn& txn) { run_before_commit(txn); },
                                     options.seal.get(), options.max_queued_appends,
                                     [this](std::string const& cause) { on_failure(cause); },
                                     [this](std::span<recorded_event const> events) { return run_after_commit(events); }},
        [this](std::span<recorded_event const> events, detail::log_tip const& t) {
            on_commit(events, t);
        });
    spdlog::debug("opened ledger at {} with {} events", options.directory.string(), tip.next_position);
}

void event_store::impl::put_heads_left_pending() {
    // Format 8 after a kill -9: the heads the last writer kept in memory, from the run records.
    // A map opened smaller than the ledger holds only its free pages (LMDB maps what is used),
    // and these puts rewrite scattered `streams` leaves: grown as the writer's groups are.
    for (;;) {
        try {
            lmdb::write_txn txn(env);
            auto const put = detail::recover_pending_heads(txn, db);
            txn.commit();
            if (put > 0) spdlog::info("wrote {} stream heads left pending by the last writer", put);
            return;
        } catch (lmdb::map_full const&) {
            if (!detail::grow_map(env, options.max_map_size)) throw;
        }
    }
}

detail::log_tip event_store::impl::load_tip() {
    lmdb::read_txn txn(env);
    detail::log_tip tip;
    if (auto const number = txn.get(db.meta, detail::meta_next_stream_number)) {
        tip.next_stream_number = decode_u64(*number);
    }
    tip.tails = detail::read_index_tails(txn, db);
    lmdb::cursor last(txn, db.log);
    auto const entry = last.last();
    auto const stored_head = txn.get(db.meta, detail::meta_chain_head);
    // The log and its stored head agree in both directions: a head without a log is a log
    // emptied on disk, not a new ledger.
    if (!entry) {
        if (stored_head) throw std::runtime_error("the ledger's log is empty but its chain head names an event");
        return tip;
    }
    auto const last_position = decode_u64(entry->first);
    auto const last_hash = detail::log_values::hash_of(entry->second);
    if (!stored_head || detail::decode_chain_head(*stored_head).last_position != last_position ||
        detail::decode_chain_head(*stored_head).hash != last_hash) {
        throw std::runtime_error("the ledger's chain head does not match its last event");
    }
    // Positions are dense from 0, so a log with fewer entries lost one in the middle.
    if (txn.entries(db.log) != last_position + 1) {
        throw std::runtime_error("the ledger's log has " + std::to_string(txn.entries(db.log)) +
                                 " events but its last position is " + std::to_string(last_position));
    }
    tip.next_position = last_position + 1;
    tip.last_hash = last_hash;
    std::string scratch;
    tip.last_recorded_at = decode_stored(db.log_codec->decode(last_position, entry->second, scratch)).recorded_at;
    return tip;
}

template <class Visit>
void event_store::impl::scan_stored(std::uint64_t from, Visit&& visit) {
    constexpr std::size_t chunk = 4096;
    std::uint64_t position = from;
    for (;;) {
        lmdb::read_txn txn(env);
        detail::log_read_ahead ahead(env.mapped());
        lmdb::cursor cursor(txn, db.log);
        auto entry = cursor.seek(detail::view(encode_u64(position)));
        for (std::size_t n = 0; n < chunk; ++n) {
            if (!entry) return;
            ahead.at(entry->second);
            position = decode_u64(entry->first);
            if (!visit(position, entry->second)) return;
            ++position;
            entry = cursor.next();
        }
    }
}

namespace {

class projection_records_in_txn final : public projection_records {
public:
    projection_records_in_txn(lmdb::write_txn& txn, lmdb::dbi table) : txn_(txn), table_(table) {}
    void put(std::string_view key, std::string_view value) override { txn_.put(table_, key, value); }
    std::size_t erase_prefix(std::string_view prefix, std::size_t limit) override {
        std::vector<std::string> keys;
        {
            lmdb::cursor cursor(txn_, table_);
            for (auto e = cursor.seek(prefix); e && e->first.starts_with(prefix) && keys.size() < limit; e = cursor.next()) {
                keys.emplace_back(e->first);
            }
        }
        for (auto const& key : keys) txn_.remove(table_, key);
        return keys.size();
    }

private:
    lmdb::write_txn& txn_;
    lmdb::dbi table_;
};

}  // namespace

void event_store::impl::run_before_commit(lmdb::write_txn& txn) {
    std::lock_guard const guard(hook_mutex);
    if (!before_commit) return;
    // In a nested transaction, so a hook that fails (a snapshot that cannot be written) leaves
    // nothing half-written and never fails the group's appends; the hook tries again later.
    auto nested = lmdb::write_txn::nested(txn);
    projection_records_in_txn records(nested, db.projections);
    try {
        before_commit(records);
    } catch (lmdb::map_full const&) {
        throw;  // the group grows the map and retries: the appends need the room too
    } catch (std::exception const& e) {
        ++snapshot_failures;
        spdlog::error("the before-commit hook failed (appends go on without it): {}", e.what());
        return;  // the nested transaction aborts
    }
    nested.commit();
}

std::optional<error> event_store::impl::run_after_commit(std::span<recorded_event const> events) {
    after_commit_hook hook;
    {
        std::lock_guard const guard(hook_mutex);
        hook = after_commit;
    }
    return hook ? hook(events) : std::nullopt;
}

void event_store::impl::on_failure(std::string const& cause) {
    std::lock_guard const guard(failure_mutex);
    if (failure_handler) failure_handler(cause);
}

void event_store::impl::on_commit(std::span<recorded_event const> events,
                                  detail::log_tip const& tip) {
    {
        std::lock_guard const lock(observers_mutex);
        for (auto const& [handle, observer] : observers) {
            try {
                observer(events);
            } catch (std::exception const& e) {
                // The commit is durable; one failing observer must not hide it from the rest.
                spdlog::error("a commit observer failed: {}", e.what());
            }
        }
    }
    {
        std::lock_guard const lock(head_mutex);
        committed = chain_head{tip.next_position, tip.last_hash};
    }
    head_changed.notify_all();
}

event_store::event_store(store_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

event_store::~event_store() = default;

append_result event_store::append(append_request request) {
    if (!impl_->options.writer) {
        return error{error_code::unavailable, "the ledger is open for reading only; nothing was written", {}};
    }
    // The writer answers many such callers per commit: it only stores each answer, then wakes
    // them all with one futex wake (group_writer::answered) instead of a promise and a wake-up
    // call per caller. The writer never touches `slot` after `ready`, so it may go at once.
    struct answer_slot {
        std::optional<append_result> result;
        std::atomic<bool> ready{false};
    } slot;
    auto const& answered = impl_->writer->answered();
    impl_->writer->submit(std::move(request), [&slot](append_result result) {
        slot.result = std::move(result);
        slot.ready.store(true, std::memory_order_release);
    });
    for (;;) {
        auto const seen = answered.load(std::memory_order_acquire);
        if (slot.ready.load(std::memory_order_acquire)) return std::move(*slot.result);
        answered.wait(seen, std::memory_order_acquire);
    }
}

std::optional<error> event_store::write_projection_records() {
    if (!impl_->options.writer) {
        return error{error_code::unavailable, "the ledger is open for reading only; nothing was written", {}};
    }
    std::promise<append_result> promise;
    auto future = promise.get_future();
    impl_->writer->submit_records_only([&promise](append_result result) { promise.set_value(std::move(result)); });
    auto result = future.get();
    if (result) return std::nullopt;
    return result.error();
}

void event_store::append_async(append_request request, std::function<void(append_result)> done) {
    if (!impl_->options.writer) {
        done(error{error_code::unavailable, "the ledger is open for reading only; nothing was written", {}});
        return;
    }
    impl_->writer->submit(std::move(request), std::move(done));
}

std::optional<std::string> event_store::failure() const { return impl_->writer->failure(); }

void event_store::set_failure_handler(std::function<void(std::string const&)> handler) {
    std::lock_guard const guard(impl_->failure_mutex);
    impl_->failure_handler = std::move(handler);
}

bool event_store::stop_appends(std::chrono::milliseconds timeout) { return impl_->writer->stop(timeout); }

writer_stats event_store::writer_statistics() const {
    auto const counted = impl_->writer->stats();
    return writer_stats{.commits = counted.commits,
                        .requests_committed = counted.requests_committed,
                        .largest_group = counted.largest_group,
                        .queue_full = counted.queue_full,
                        .snapshot_failures = impl_->snapshot_failures.load(),
                        .events_committed = counted.events_committed,
                        .events_spliced = counted.events_spliced,
                        .gathering_ns = counted.gathering_ns,
                        .writing_ns = counted.writing_ns,
                        .committing_ns = counted.committing_ns,
                        .answering_ns = counted.answering_ns};
}

std::optional<std::uint64_t> event_store::last_version(std::string_view stream) const {
    lmdb::read_txn txn(impl_->env);
    auto const head = detail::read_stream_head(txn, impl_->db, stream);
    if (!head) return std::nullopt;
    return head->last_version;
}

result<std::vector<recorded_event>> event_store::read_stream(
    std::string_view stream, std::optional<std::uint64_t> from_version, std::size_t limit,
    read_direction direction) const {
    lmdb::read_txn txn(impl_->env);
    auto const found = detail::read_stream_head(txn, impl_->db, stream);
    if (!found) {
        return error{error_code::stream_not_found, "no stream named " + std::string(stream), {}};
    }
    auto const& head = *found;
    std::vector<recorded_event> events;
    if (limit == 0) return events;
    // Versions are dense: the range [first, last] is found through the stream index at once.
    std::uint64_t first = 0, last = 0;
    if (direction == read_direction::forward) {
        first = from_version.value_or(0);
        if (first > head.last_version) return events;
        last = head.last_version - first < limit - 1 ? head.last_version : first + (limit - 1);
    } else {
        last = std::min(from_version.value_or(head.last_version), head.last_version);
        first = last < limit - 1 ? 0 : last - (limit - 1);
    }
    std::vector<std::uint64_t> positions;
    if (!detail::locate_versions(txn, impl_->db, head, first, last, positions)) {
        throw std::runtime_error("stream index has a gap in " + std::string(stream));
    }
    if (direction == read_direction::backward) std::reverse(positions.begin(), positions.end());
    std::string scratch;
    auto version = direction == read_direction::forward ? first : last;
    for (auto const position : positions) {
        auto const value = txn.get(impl_->db.log, detail::view(encode_u64(position)));
        if (!value) throw std::runtime_error("stream index points past the log");
        events.push_back(decode_stored(impl_->db.log_codec->decode(position, *value, scratch)));
        if (events.back().stream != stream || events.back().version != version) {
            throw std::runtime_error("stream index points at another event in " + std::string(stream));
        }
        direction == read_direction::forward ? ++version : --version;
    }
    return events;
}

std::vector<recorded_event> event_store::read_log(log_query const& query) const {
    std::vector<recorded_event> events;
    if (query.limit == 0) return events;
    scan(query.from_position, [&](recorded_event const& e) {
        bool const type_ok = query.type.empty() || e.type == query.type;
        bool const category_ok = query.category.empty() || stream_category(e.stream) == query.category;
        if (type_ok && category_ok) events.push_back(e);
        return events.size() < query.limit;
    });
    return events;
}

std::optional<recorded_event> event_store::read_event(std::uint64_t position) const {
    lmdb::read_txn txn(impl_->env);
    auto const value = txn.get(impl_->db.log, detail::view(encode_u64(position)));
    if (!value) return std::nullopt;
    std::string scratch;
    return decode_stored(impl_->db.log_codec->decode(position, *value, scratch));
}

std::optional<std::uint64_t> event_store::position_of(uuid const& id) const {
    lmdb::read_txn txn(impl_->env);
    return detail::find_event_id(txn, impl_->db, id);
}

void event_store::scan(std::uint64_t from_position,
                       std::function<bool(recorded_event const&)> const& visit) const {
    recorded_event event;  // one object for the whole scan: its strings keep their memory
    std::string scratch;   // and one buffer for decompressed values
    impl_->scan_stored(from_position, [&](std::uint64_t position, std::string_view value) {
        decode_stored_into(impl_->db.log_codec->decode(position, value, scratch), event);
        return visit(event);
    });
}

namespace {

// The event the verify walk met before this one (its stream and version), for the linked
// layout's check that an event without a run of its own continues its predecessor's run.
struct previous_event {
    bool any = false;
    std::string stream;
    std::uint64_t version = 0;
};

// Linked layout (format 7): the event starts a run (whose record names its stream and version)
// or continues the run of the event right before it in the log. The runs' back links, heads
// and marks are checked once, by count_stream_records.
std::string linked_run_problem(lmdb::read_txn const& txn, detail::tables const& db, recorded_event const& e,
                               std::uint64_t position, std::uint64_t stream_number, previous_event const& previous,
                               std::uint64_t& run_starts) {
    if (auto const run = txn.get(db.stream_runs, detail::view(encode_u64(position)))) {
        auto const record = detail::decode_run_record(*run);
        if (record.stream_number != stream_number || record.first_version != e.version) {
            return "the stream index does not point at this event";
        }
        ++run_starts;
        return {};
    }
    bool const continues = previous.any && previous.stream == e.stream && previous.version + 1 == e.version;
    return continues ? std::string{} : "the stream index does not point at this event";
}

// Whether the event-id and stream indexes point at `position` for this event; empty when they do.
// Counts the events that start a stream-index run in `run_starts`.
std::string index_problem(lmdb::read_txn const& txn, detail::tables const& db, recorded_event const& e,
                          std::uint64_t position, previous_event const& previous, std::uint64_t& run_starts) {
    if (detail::find_event_id(txn, db, e.id) != position) return "the event-id index does not point at this event";
    // The record first: the runs since a format-8 marker are scanned only for an event past it.
    auto stream = detail::read_stored_head(txn, db, e.stream);
    if (stream && e.version > stream->last_version && db.lazy_heads) detail::apply_pending_runs(txn, db, *stream);
    if (!stream) return "the event's stream has no head";
    if (e.version > stream->last_version) return "the event's version is past its stream's head";
    if (db.layout == detail::stream_layout::linked) {
        return linked_run_problem(txn, db, e, position, stream->stream_number, previous, run_starts);
    }
    auto const by_version = detail::locate_version(txn, db, stream->stream_number, e.version);
    if (!by_version || by_version->position != position) return "the stream index does not point at this event";
    if (by_version->run_start) ++run_starts;
    return {};
}

}  // namespace

verify_report event_store::verify(bool check_indexes) const {
    verify_report report;
    sha256_hasher hasher;
    std::uint64_t run_starts = 0;  // events that start a stream-index run
    previous_event previous;
    auto fail = [&](std::uint64_t position, std::string problem) {
        report.ok = false;
        report.first_bad_position = position;
        report.problem = std::move(problem);
        return false;
    };
    std::string scratch;
    impl_->scan_stored(0, [&](std::uint64_t position, std::string_view value) {
        if (position != report.events) return fail(report.events, "the log has a gap here");
        try {
            // A damaged compressed value fails here (codec_error) or in the chain below.
            auto const stored = impl_->db.log_codec->decode(position, value, scratch);
            auto const expected = hasher.chain(report.head.hash, canonical_part(stored));
            if (expected != stored_hash(stored)) return fail(position, "hash does not match the chain");
            auto const event = decode_stored(stored);
            if (event.position != position) {
                return fail(position, "event records a different position than its key");
            }
            if (check_indexes) {
                lmdb::read_txn txn(impl_->env);
                if (auto problem = index_problem(txn, impl_->db, event, position, previous, run_starts);
                    !problem.empty()) {
                    return fail(position, std::move(problem));
                }
                previous.any = true;
                previous.stream = event.stream;
                previous.version = event.version;
            }
            report.head.hash = expected;
        } catch (codec_error const& e) {
            return fail(position, e.what());
        }
        ++report.events;
        report.head.events = report.events;
        return true;
    });
    if (report.ok && check_indexes) check_index_sizes(report, run_starts);
    if (report.ok) {
        // Appends may go on during the walk; when none did, the stored head must match too.
        auto const committed = head();
        if (committed.events == report.events && committed.hash != report.head.hash) {
            report.ok = false;
            report.problem = "the stored chain head does not match the log";
            report.first_bad_position = report.head.position();
        }
    }
    return report;
}

store_stats event_store::stats() const {
    lmdb::read_txn txn(impl_->env);
    std::error_code ignored;
    auto const file = std::filesystem::file_size(impl_->options.directory / "data.mdb", ignored);
    return store_stats{.events = txn.entries(impl_->db.log),
                       .streams = detail::stream_count(txn, impl_->db),
                       .projection_records = txn.entries(impl_->db.projections),
                       .map_size = impl_->env.map_size(),
                       .file_size = file == static_cast<std::uintmax_t>(-1) ? 0 : file};
}

void event_store::check_index_sizes(verify_report& report, std::uint64_t run_starts) const {
    // Every event was found through both indexes; equal sizes mean they hold nothing else (the
    // stream index: one entry per run, each the run start of an event).
    lmdb::read_txn txn(impl_->env);
    auto const events = txn.entries(impl_->db.log);
    if (events != report.events) return;  // appends went on during the walk: sizes differ anyway
    // In the combined layout (format 3) every record of `streams` must be a head or a run, and
    // every name must lead to a head (count_stream_records).
    detail::stream_census census;
    try {
        census = detail::count_stream_records(txn, impl_->db);
    } catch (codec_error const&) {
        census.malformed = 1;  // a damaged head, run or format-8 marker
    }
    if (detail::count_event_ids(txn, impl_->db) != events || census.runs != run_starts || census.versions != events ||
        census.malformed != 0) {
        report.ok = false;
        report.problem = "the indexes hold entries that are not in the log";
    }
}

chain_head event_store::head() const {
    std::lock_guard const lock(impl_->head_mutex);
    return impl_->committed;
}

bool event_store::wait_for_position(std::uint64_t position, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->head_mutex);
    return impl_->head_changed.wait_for(lock, timeout,
                                        [&] { return impl_->committed.events > position; });
}

std::uint64_t event_store::add_observer(commit_observer observer) {
    std::lock_guard const lock(impl_->observers_mutex);
    auto const handle = impl_->next_observer++;
    impl_->observers.emplace(handle, std::move(observer));
    return handle;
}

void event_store::remove_observer(std::uint64_t handle) {
    std::lock_guard const lock(impl_->observers_mutex);
    impl_->observers.erase(handle);
}

void event_store::set_before_commit_hook(before_commit_hook hook) {
    std::lock_guard const lock(impl_->hook_mutex);
    impl_->before_commit = std::move(hook);
}

void event_store::set_after_commit_hook(after_commit_hook hook) {
    std::lock_guard const lock(impl_->hook_mutex);
    impl_->after_commit = std::move(hook);
}

result<chain_head> event_store::append_replicated(std::span<replicated_event const> events) {
    auto stored = detail::append_replicated(
        {impl_->env, impl_->db, *impl_->options.policy, impl_->options.max_map_size,
         [this](lmdb::write_txn& txn) { impl_->run_before_commit(txn); }},
        events);
    if (!stored) return stored.error();
    if (!stored->written.empty()) impl_->on_commit(stored->written, stored->tip);
    return head();
}

std::optional<std::string> event_store::stored_event(std::uint64_t position) const {
    lmdb::read_txn txn(impl_->env);
    auto const value = txn.get(impl_->db.log, detail::view(encode_u64(position)));
    if (!value) return std::nullopt;
    std::string scratch;
    return std::string(impl_->db.log_codec->decode(position, *value, scratch));
}

std::optional<std::string> event_store::stored_subject_key(std::string_view subject) const {
    lmdb::read_txn txn(impl_->env);
    auto const key = txn.get(impl_->db.subject_keys, subject);
    return key ? std::optional<std::string>(*key) : std::nullopt;
}

std::optional<std::string> event_store::read_projection_record(std::string_view key) const {
    lmdb::read_txn txn(impl_->env);
    auto const value = txn.get(impl_->db.projections, key);
    if (!value) return std::nullopt;
    return std::string(*value);
}

struct projection_reader::impl {
    lmdb::read_txn txn;
    lmdb::dbi table;
};

projection_reader::projection_reader(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
projection_reader::~projection_reader() = default;

std::optional<std::string_view> projection_reader::get(std::string_view key) const {
    return impl_->txn.get(impl_->table, key);
}

void projection_reader::scan(std::string_view from, std::string_view prefix,
                             std::function<bool(std::string_view, std::string_view)> const& visit) const {
    lmdb::cursor cursor(impl_->txn, impl_->table);
    for (auto e = cursor.seek(from); e && e->first.starts_with(prefix); e = cursor.next()) {
        if (!visit(e->first, e->second)) return;
    }
}

std::unique_ptr<projection_reader> event_store::read_projections() const {
    return std::unique_ptr<projection_reader>(
        new projection_reader(std::make_unique<projection_reader::impl>(projection_reader::impl{lmdb::read_txn(impl_->env), impl_->db.projections})));
}

std::optional<std::string> event_store::subject_key(std::string_view subject) const {
    lmdb::read_txn txn(impl_->env);
    auto const key = txn.get(impl_->db.subject_keys, subject);
    if (!key) return std::nullopt;
    if (!impl_->options.seal) return std::string(*key);
    return impl_->options.seal->open_key(subject, *key);
}

lmdb::env& event_store::environment() { return impl_->env; }

std::uint64_t event_store::tree_size() const {
    lmdb::read_txn txn(impl_->env);
    return detail::merkle_size(txn, impl_->db);
}

sha256_digest event_store::tree_root(std::uint64_t size) const {
    lmdb::read_txn txn(impl_->env);
    return detail::merkle_root(txn, impl_->db, size);
}

std::vector<sha256_digest> event_store::inclusion_proof(std::uint64_t position, std::uint64_t size) const {
    lmdb::read_txn txn(impl_->env);
    return detail::merkle_inclusion(txn, impl_->db, position, size);
}

std::vector<sha256_digest> event_store::consistency_proof(std::uint64_t first, std::uint64_t second) const {
    lmdb::read_txn txn(impl_->env);
    return detail::merkle_consistency(txn, impl_->db, first, second);
}

std::optional<std::pair<std::uint64_t, std::string>> event_store::verify_tree() const {
    auto problem = detail::merkle_check(impl_->env, impl_->db);
    if (!problem) return std::nullopt;
    return std::pair{problem->position, std::move(problem->problem)};
}

}  // namespace ledger::store
