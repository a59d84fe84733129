#include "detail/stream_table.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ledger::store::detail {
namespace {

// A head's key: number ‖ 2^64-1 in the combined layout, the number alone in the linked one.
std::string_view head_key(tables const& db, stream_index_key const& combined) noexcept {
    return db.layout == stream_layout::linked ? view(combined).substr(0, 8) : view(combined);
}

// The first position of a linked head's newest run, without copying its rule state.
std::uint64_t last_run_of(std::string_view head_bytes) {
    std::size_t used = 0;
    read_leb128(head_bytes, used);
    return read_leb128(head_bytes, used);
}

// Linked layout: the run to start a walk back to `version` from: the run of the stream's first
// mark at or above it, or else its newest run (`newest_run` when the caller has the head, else
// the head's record brought up to date: format 8's record may be behind). nullopt: no head.
std::optional<std::uint64_t> walk_start(lmdb::txn const& txn, tables const& db, std::uint64_t stream_number,
                                        std::uint64_t version, std::optional<std::uint64_t> newest_run = {}) {
    lmdb::cursor marks(txn, db.stream_marks);
    auto const key = encode_stream_index_key(stream_number, version);
    if (auto const mark = marks.seek(view(key));
        mark && mark->first.size() == key.size() && decode_u64(mark->first.substr(0, 8)) == stream_number) {
        std::size_t used = 0;
        return read_leb128(mark->second, used);
    }
    if (newest_run) return newest_run;
    auto const record = txn.get(db.streams, view(encode_u64(stream_number)));
    if (!record) return std::nullopt;
    if (!db.lazy_heads) return last_run_of(*record);
    auto head = decode_stream_head(*record, db.heads, stream_number);
    apply_pending_runs(txn, db, head);
    return head.last_run;
}

// Linked layout: calls visit(run position, record) for the stream's runs from `run` back,
// newest first, while it returns true. False when a link leads nowhere or to another stream.
template <typename Visit>
bool walk_runs(lmdb::txn const& txn, tables const& db, std::uint64_t stream_number, std::uint64_t run,
               Visit&& visit) {
    for (;;) {
        auto const bytes = txn.get(db.stream_runs, view(encode_u64(run)));
        if (!bytes) return false;
        auto const record = decode_run_record(*bytes);
        if (record.stream_number != stream_number) return false;
        if (!visit(run, record)) return true;
        if (record.first_version == 0) return true;
        if (record.back == 0 || record.back > run) return false;
        run -= record.back;
    }
}

}  // namespace

void encode_run_record(run_record const& run, std::string& out) {
    append_leb128(run.stream_number, out);
    append_leb128(run.first_version, out);
    append_leb128(run.back, out);
}

run_record decode_run_record(std::string_view bytes) {
    run_record run;
    std::size_t used = 0;
    run.stream_number = read_leb128(bytes, used);
    run.first_version = read_leb128(bytes, used);
    run.back = read_leb128(bytes, used);
    if (used != bytes.size()) throw codec_error("a stream run record has trailing bytes");
    return run;
}

stream_key_parts parse_stream_key(std::string_view key) noexcept {
    if (key.size() != sizeof(stream_index_key)) return {};
    auto const number = decode_u64(key.substr(0, 8));
    auto const version = decode_u64(key.substr(8));
    if (version == head_key_version) return {.what = stream_key_parts::kind::head, .stream_number = number};
    return {.what = stream_key_parts::kind::run, .stream_number = number, .first_version = version};
}

std::optional<stream_head> read_stream_head(lmdb::txn const& txn, tables const& db, std::string_view stream) {
    auto head = read_stored_head(txn, db, stream);
    if (head && db.lazy_heads) apply_pending_runs(txn, db, *head);
    return head;
}

std::optional<std::uint64_t> heads_pending_from(lmdb::txn const& txn, tables const& db) {
    if (!db.lazy_heads) return std::nullopt;
    auto const from = txn.get(db.meta, meta_heads_pending_from);
    if (!from) return std::nullopt;
    return decode_u64(*from);
}

void apply_pending_runs(lmdb::txn const& txn, tables const& db, stream_head& head) {
    auto const from = heads_pending_from(txn, db);
    if (!from) return;
    visit_pending_runs(txn, db, *from, [&](std::uint64_t number, pending_run const& run) {
        if (number != head.stream_number) return;
        head.last_run = run.last_run;
        head.last_version = run.last_version;
    });
}

std::vector<std::pair<std::uint64_t, pending_run>> collect_pending_runs(lmdb::txn const& txn, tables const& db,
                                                                       std::uint64_t from) {
    // A stream's newest run is its last in log order: each visit replaces the one before.
    std::map<std::uint64_t, pending_run> newest;
    visit_pending_runs(txn, db, from,
                       [&](std::uint64_t number, pending_run const& run) { newest.insert_or_assign(number, run); });
    return {newest.begin(), newest.end()};
}

std::size_t recover_pending_heads(lmdb::write_txn& txn, tables const& db) {
    auto const from = heads_pending_from(txn, db);
    if (!from) return 0;
    std::string bytes;
    std::size_t put = 0;
    for (auto const& [number, run] : collect_pending_runs(txn, db, *from)) {
        auto const key = encode_u64(number);
        auto const stored = txn.get(db.streams, view(key));
        if (!stored) throw codec_error("a pending run names stream " + std::to_string(number) + ", which has no head");
        auto head = decode_stream_head(*stored, db.heads, number);
        if (head.last_run == run.last_run && head.last_version == run.last_version) continue;
        head.last_run = run.last_run;
        head.last_version = run.last_version;
        bytes.clear();
        encode_stream_head(head, db.heads, bytes);
        txn.put(db.streams, view(key), bytes);
        ++put;
    }
    txn.remove(db.meta, meta_heads_pending_from);
    return put;
}

std::optional<stream_head> read_stored_head(lmdb::txn const& txn, tables const& db, std::string_view stream) {
    std::optional<std::string_view> bytes;
    std::uint64_t stream_number = 0;  // the key's (combined layout)
    if (db.layout == stream_layout::separate) {
        bytes = txn.get(db.stream_heads, stream);
    } else if (auto const number = txn.get(db.stream_names, stream)) {
        stream_number = decode_u64(*number);
        bytes = txn.get(db.streams, head_key(db, encode_stream_index_key(stream_number, head_key_version)));
        if (!bytes) throw codec_error("the stream " + std::string(stream) + " has a number but no head");
    }
    if (!bytes) return std::nullopt;
    return decode_stream_head(*bytes, db.heads, stream_number);
}

void put_stream_head(lmdb::write_txn& txn, tables const& db, std::string_view stream,
                     stream_head const& head, bool created, std::string& scratch) {
    scratch.clear();
    encode_stream_head(head, db.heads, scratch);
    if (db.layout == stream_layout::separate) {
        txn.put(db.stream_heads, stream, scratch);
        return;
    }
    // A created stream has the largest number: its head goes after its first run, which
    // put_run_start has just appended at the table's end.
    txn.put(db.streams, head_key(db, encode_stream_index_key(head.stream_number, head_key_version)), scratch, created);
    if (created && !txn.put_new(db.stream_names, stream, view(encode_u64(head.stream_number)))) {
        throw std::logic_error("the stream name " + std::string(stream) + " already has a number");
    }
}

stream_index_tail read_stream_index_tail(lmdb::txn const& txn, tables const& db) {
    stream_index_tail tail;
    if (db.layout == stream_layout::linked) return tail;  // its runs always append
    lmdb::cursor last_stream(txn, db.layout == stream_layout::separate ? db.stream_index : db.streams);
    if (auto const key = last_stream.last(); key && key->first.size() == sizeof(stream_index_key)) {
        tail.any_stream = true;
        tail.newest_stream = decode_u64(key->first.substr(0, 8));
    }
    return tail;
}

void put_run_start(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
                   std::string_view position_key, stream_index_tail& tail) {
    // A stream's runs (number ‖ version) are the index's largest keys when it is the newest
    // stream (versions only grow within a stream): then MDB_APPEND. In the combined layout the
    // newest stream's head follows its runs, so only a stream newer than every other appends.
    bool const combined = db.layout == stream_layout::combined;
    bool const at_end = !tail.any_stream || stream_number > tail.newest_stream ||
                        (!combined && stream_number == tail.newest_stream);
    txn.put(combined ? db.streams : db.stream_index, view(encode_stream_index_key(stream_number, version)),
            position_key, at_end);
    if (at_end) {
        tail.any_stream = true;
        tail.newest_stream = stream_number;
    }
}

void put_linked_run(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
                    std::uint64_t position, std::uint64_t& last_run) {
    thread_local std::string value;
    value.clear();
    encode_run_record({.stream_number = stream_number,
                       .first_version = version,
                       .back = version == 0 ? 0 : position - last_run},
                      value);
    txn.put(db.stream_runs, view(encode_u64(position)), value, /*append=*/true);
    last_run = position;
}

void put_mark(lmdb::write_txn& txn, tables const& db, std::uint64_t stream_number, std::uint64_t version,
              std::uint64_t run) {
    std::string value;
    append_leb128(run, value);
    txn.put(db.stream_marks, view(encode_stream_index_key(stream_number, version)), value);
}

std::optional<version_location> locate_version(lmdb::txn const& txn, tables const& db,
                                               std::uint64_t stream_number, std::uint64_t version) {
    if (db.layout == stream_layout::linked) {
        auto const start = walk_start(txn, db, stream_number, version);
        if (!start) return std::nullopt;
        std::optional<version_location> found;
        walk_runs(txn, db, stream_number, *start, [&](std::uint64_t run, run_record const& record) {
            if (record.first_version > version) return true;
            found = version_location{run + (version - record.first_version), version == record.first_version};
            return false;
        });
        return found;
    }
    auto const key = encode_stream_index_key(stream_number, version);
    lmdb::cursor cursor(txn, db.layout == stream_layout::separate ? db.stream_index : db.streams);
    auto entry = cursor.seek(view(key));
    if (entry && entry->first == view(key)) return version_location{decode_u64(entry->second), true};
    // The largest key below: a run of this stream, or another stream's (or its head).
    entry = entry ? cursor.prev() : cursor.last();
    if (!entry || entry->first.size() != key.size() || decode_u64(entry->first.substr(0, 8)) != stream_number) {
        return std::nullopt;
    }
    auto const first_version = decode_u64(entry->first.substr(8));
    return version_location{decode_u64(entry->second) + (version - first_version), false};
}

bool locate_versions(lmdb::txn const& txn, tables const& db, stream_head const& head, std::uint64_t first,
                     std::uint64_t last, std::vector<std::uint64_t>& out) {
    auto const begin = out.size();
    if (db.layout != stream_layout::linked) {
        for (auto version = first;; ++version) {
            auto const where = locate_version(txn, db, head.stream_number, version);
            if (!where) return false;
            out.push_back(where->position);
            if (version == last) return true;
        }
    }
    auto const start = walk_start(txn, db, head.stream_number, last, head.last_run);
    if (!start) return false;
    // Newest first: versions [record.first_version, end) of each run, end the newer run's first.
    std::uint64_t end = last + 1;
    walk_runs(txn, db, head.stream_number, *start, [&](std::uint64_t run, run_record const& record) {
        for (auto version = end; version > std::max(first, record.first_version);) {
            --version;
            out.push_back(run + (version - record.first_version));
        }
        end = std::min(end, record.first_version);
        return record.first_version > first;
    });
    std::reverse(out.begin() + static_cast<std::ptrdiff_t>(begin), out.end());
    return out.size() - begin == last - first + 1;
}

namespace {

// The linked layout's records (format 7): every head's runs reached by its back links, in
// decreasing versions down to version 0, and no other run; every mark where it belongs.
stream_census count_linked_records(lmdb::txn const& txn, tables const& db) {
    stream_census census;
    census.runs = txn.entries(db.stream_runs);
    std::uint64_t linked_runs = 0, expected_marks = 0;
    // Format 8: the heads as a reader sees them (pending runs applied), computed once.
    auto const from = heads_pending_from(txn, db);
    auto const pending = from ? collect_pending_runs(txn, db, *from) : std::vector<std::pair<std::uint64_t, pending_run>>{};
    std::size_t matched = 0;
    lmdb::cursor heads(txn, db.streams);
    for (auto entry = heads.first(); entry; entry = heads.next()) {
        if (entry->first.size() != 8) {
            ++census.malformed;
            continue;
        }
        auto head = decode_stream_head(entry->second, db.heads, decode_u64(entry->first));
        auto const run = std::lower_bound(pending.begin(), pending.end(), head.stream_number,
                                          [](auto const& p, std::uint64_t n) { return p.first < n; });
        if (run != pending.end() && run->first == head.stream_number) {
            head.last_run = run->second.last_run;
            head.last_version = run->second.last_version;
            ++matched;
        }
        ++census.heads;
        census.versions += head.last_version + 1;
        expected_marks += head.last_version / mark_interval;
        std::uint64_t below = head.last_version + 1;  // the newer run's first version
        bool reached_first = false;
        bool const linked = walk_runs(txn, db, head.stream_number, head.last_run,
                                      [&](std::uint64_t, run_record const& record) {
                                          ++linked_runs;
                                          if (record.first_version >= below) return false;
                                          below = record.first_version;
                                          reached_first = record.first_version == 0;
                                          return true;
                                      });
        if (!linked || !reached_first) ++census.malformed;
    }
    if (linked_runs != census.runs || matched != pending.size()) ++census.malformed;
    lmdb::cursor marks(txn, db.stream_marks);
    std::uint64_t mark_count = 0;
    for (auto entry = marks.first(); entry; entry = marks.next(), ++mark_count) {
        auto const parts = parse_stream_key(entry->first);
        std::size_t used = 0;
        auto const run = entry->second.empty() ? 0 : read_leb128(entry->second, used);
        auto const record = txn.get(db.stream_runs, view(encode_u64(run)));
        bool const fits = parts.what == stream_key_parts::kind::run && parts.first_version % mark_interval == 0 &&
                          parts.first_version > 0 && record &&
                          decode_run_record(*record).stream_number == parts.stream_number &&
                          decode_run_record(*record).first_version <= parts.first_version;
        if (!fits) ++census.malformed;
    }
    if (mark_count != expected_marks) ++census.malformed;
    return census;
}

}  // namespace

stream_census count_stream_records(lmdb::txn const& txn, tables const& db) {
    stream_census census;
    if (db.layout == stream_layout::linked) census = count_linked_records(txn, db);
    if (db.layout == stream_layout::separate) {
        lmdb::cursor heads(txn, db.stream_heads);
        for (auto entry = heads.first(); entry; entry = heads.next()) {
            ++census.heads;
            census.versions += decode_stream_head(entry->second, db.heads, 0).last_version + 1;
        }
        census.runs = txn.entries(db.stream_index);
        return census;
    }
    if (db.layout == stream_layout::combined) {
        lmdb::cursor records(txn, db.streams);
        for (auto entry = records.first(); entry; entry = records.next()) {
            auto const parts = parse_stream_key(entry->first);
            if (parts.what == stream_key_parts::kind::head) {
                auto const head = decode_stream_head(entry->second, db.heads, parts.stream_number);
                if (head.stream_number != parts.stream_number) {
                    ++census.malformed;
                    continue;
                }
                ++census.heads;
                census.versions += head.last_version + 1;
            } else if (parts.what == stream_key_parts::kind::run && entry->second.size() == 8) {
                ++census.runs;
            } else {
                ++census.malformed;
            }
        }
    }
    // Every name leads to a head, and only names do.
    lmdb::cursor names(txn, db.stream_names);
    std::uint64_t named = 0;
    for (auto entry = names.first(); entry; entry = names.next()) {
        bool const has_head =
            entry->second.size() == 8 &&
            txn.get(db.streams, head_key(db, encode_stream_index_key(decode_u64(entry->second), head_key_version)));
        if (has_head) {
            ++named;
        } else {
            ++census.malformed;
        }
    }
    if (named != census.heads) ++census.malformed;
    return census;
}

std::uint64_t stream_count(lmdb::txn const& txn, tables const& db) {
    return txn.entries(db.layout == stream_layout::separate ? db.stream_heads : db.stream_names);
}

}  // namespace ledger::store::detail
