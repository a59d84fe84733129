// bench-read_model_lmdb: the shared application table (projections/detail/applications.*) kept in
// private memory, as the server keeps it, against the same table kept in an LMDB environment of
// its own (issue 14: "measure both shapes before choosing"). A prototype for measuring only:
// nothing in the server uses the LMDB shape. docs/read-model-state-shapes.md says what it found.
//
//   bench-read_model_lmdb --data DIR [--work DIR] [--variants LIST] [--lookups K] [--keep 1]
//
// DIR is an existing ledger (e.g. `recruit-ledger demo --data DIR --events N`); it is opened for
// reading (no writer lock; the store's open still begins one empty write transaction, so use a
// copy of a ledger another process is writing). --work (default /tmp/rm-lmdb-bench-<pid>) holds
// the snapshot file and one LMDB environment per variant, removed at the end unless --keep 1.
// LIST is comma-separated, default
//   memory,lmdb:10000:fsync,lmdb:100000:fsync,lmdb:10000:nometasync,lmdb:10000:nosync,
//   lmdb:100000:nosync,lmdb:10000:writemap,lmdb:100000:writemap
// where lmdb:N:MODE folds into LMDB through a write-back cache of the entries touched, flushed
// every N events in one write transaction that also stores the position covered. MODE is the
// environment's durability: fsync (LMDB's default: every commit synced), nometasync
// (MDB_NOMETASYNC), nosync (MDB_NOSYNC), writemap (MDB_WRITEMAP: dirty pages live in the map,
// not in malloc'd memory; synced with msync), writemap-nosync. Every variant first runs a
// decode-only pass (scan + decode + retracted lookups, no fold) as the baseline.
//
// Each variant runs in a forked child, so each one's private memory is its own: one child folds
// (rows *_fold, *_fold_cpu, *_rss_anon, *_rss_anon_peak, flush times, sizes), then a fresh child
// plays a restarted server (*_ready_ms: memory decodes the snapshot record; LMDB opens the
// environment and reads the position; then *_restart_rss_anon, *_lookup_us: one application
// looked up by its ids in a read transaction of its own, *_iterate_ms: every application and
// campaign summarised as rendering would, through a read-only MDB_NOTLS environment, and
// *_matches_memory: 1 when that iteration's digest equals the in-memory table's).
// Rows are bench_report.hpp's; notes (load average, paths) go to stderr.
//
// RssAnon is read from /proc/self/status after malloc_trim(0) (the server trims after loading).
// The page cache is warm in every restart (the files were just written): a cold start after a
// reboot costs page faults that this does not measure.

#include "bench_report.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/projection_snapshot.hpp"
#include "ledger/store/event_store.hpp"
#include "projections/detail/applications.hpp"
#include "projections/detail/common.hpp"
#include "projections/read_model.hpp"

#include <lmdb.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using namespace ledger;
namespace ev = ledger::events;
namespace pd = ledger::projections::detail;

/// One application as this LMDB shape keeps it, keyed by (candidate << 32 | application), both
/// interned: the application table's entry as it was before it kept one entry per candidate.
struct application_row {
    std::uint32_t candidate = 0;
    std::uint32_t application = 0;
    pd::few<pd::receipt> receipts;
    std::uint32_t shortlisted = 0;
    std::uint32_t interviewed = 0;
    std::uint32_t accepted = 0;
    pd::few<pd::dated> offers;
    pd::few<std::uint64_t> contracts;
    bool empty() const noexcept {
        return receipts.empty() && offers.empty() && contracts.empty() && shortlisted == 0 &&
               interviewed == 0 && accepted == 0;
    }
};
using clock_type = std::chrono::steady_clock;

// ---- measuring ------------------------------------------------------------------------------

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// A field of /proc/self/status in MiB ("RssAnon", "RssFile", "VmHWM").
double status_mib(std::string_view field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
            return std::stod(line.substr(field.size() + 1)) / 1024.0;  // kB
        }
    }
    return -1;
}

double rss_anon_trimmed() {
    malloc_trim(0);
    return status_mib("RssAnon");
}

/// What a child reports: rows the parent prints, each with an optional baseline row's name.
class results {
public:
    explicit results(int fd) : fd_(fd) {}
    void add(std::string const& name, double value, std::string_view unit, std::string const& baseline = "-") {
        std::ostringstream line;
        line.precision(17);
        line << name << '\t' << value << '\t' << unit << '\t' << baseline << '\n';
        auto const text = line.str();
        if (write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) _exit(5);
    }

private:
    int fd_;
};

// ---- feeding the log ------------------------------------------------------------------------

/// Scans the whole log and hands `sink` each event as the runner would: data decoded when the
/// application table reads its type, a retraction with its retracted event read back by position.
template <class Sink>
std::uint64_t feed(store::event_store const& store, Sink&& sink) {
    std::uint64_t events = 0;
    store.scan(0, [&](recorded_event const& e) {
        std::optional<ev::recruitment_event> data;
        if (pd::application_table_reads(e.type, true)) data = ev::decode_event(e.type, e.schema_version, e.data);
        auto folded = app::fold_decoder::view(e, data);
        std::optional<recorded_event> target;
        std::optional<ev::recruitment_event> target_data;
        projections::fold_event target_view;
        if (auto const* retraction = data ? std::get_if<ev::event_retracted>(&*data) : nullptr;
            retraction != nullptr && retraction->position < e.position) {
            target = store.read_event(retraction->position);
            if (target && target->stream == e.stream) {
                if (pd::application_table_reads(target->type, true)) {
                    target_data = ev::decode_event(target->type, target->schema_version, target->data);
                }
                target_view = app::fold_decoder::view(*target, target_data);
                folded.retracted = &target_view;
            }
        }
        sink(folded);
        ++events;
        return true;
    });
    return events;
}

store::store_options reading(std::filesystem::path const& data) {
    store::store_options options;
    options.directory = data;
    options.writer = false;
    return options;
}

// ---- what rendering computes: a digest of every application's summary and every campaign ----

struct aggregate {
    std::uint64_t received = 0, shortlisted = 0, interviewed = 0, offered = 0, accepted = 0, contracted = 0,
                  started = 0, ended = 0;
    std::int64_t received_days = 0, offer_days = 0, started_days = 0, ended_days = 0;
    void add(pd::application_summary const& a) {
        ++received;
        shortlisted += a.shortlisted;
        interviewed += a.interviewed;
        offered += a.offered;
        accepted += a.accepted;
        contracted += a.contracted;
        started += a.started;
        ended += a.ended_on.has_value();
        received_days += a.received_day;
        offer_days += a.offer_day.value_or(0);
        started_days += a.started_on.value_or(0);
        ended_days += a.ended_on.value_or(0);
    }
};

struct fnv {
    std::uint64_t h = 1469598103934665603ULL;
    void bytes(std::string_view s) {
        for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    void number(std::int64_t v) { bytes(std::string_view(reinterpret_cast<char const*>(&v), sizeof v)); }
};

/// Digest of the per-campaign aggregates and the campaign profiles (both keyed by campaign id).
std::uint64_t digest(std::map<std::string, aggregate> const& by_campaign,
                     std::map<std::string, pd::campaign_profile> const& campaigns) {
    fnv f;
    for (auto const& [id, a] : by_campaign) {
        f.bytes(id);
        for (auto v : {a.received, a.shortlisted, a.interviewed, a.offered, a.accepted, a.contracted, a.started, a.ended}) {
            f.number(static_cast<std::int64_t>(v));
        }
        for (auto v : {a.received_days, a.offer_days, a.started_days, a.ended_days}) f.number(v);
    }
    for (auto const& [id, p] : campaigns) {
        f.bytes(id);
        f.number(p.planned);
        f.bytes(p.name);
        f.bytes(p.kind);
        f.bytes(p.organiser);
        for (auto const& [currency, sum] : p.costs) {
            f.bytes(currency);
            f.number(sum);
        }
    }
    return f.h;
}

// ---- the LMDB shape -------------------------------------------------------------------------

void check(char const* what, int rc) {
    if (rc != MDB_SUCCESS) throw std::runtime_error(std::string(what) + ": " + mdb_strerror(rc));
}

MDB_val as_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view as_view(MDB_val const& v) { return {static_cast<char const*>(v.mv_data), v.mv_size}; }

std::string big_endian(std::uint64_t value, int bytes) {
    std::string out(static_cast<std::size_t>(bytes), '\0');
    for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
    return out;
}
std::uint64_t from_big_endian(std::string_view bytes) {
    std::uint64_t value = 0;
    for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
    return value;
}

/// Varint (LEB128) and zigzag encoding of an entry's numbers: an application is ~20 bytes.
struct encoder {
    std::string out;
    void u(std::uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<char>(v));
    }
    void s(std::int64_t v) { u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
};
struct decoder {
    std::string_view in;
    std::uint64_t u() {
        std::uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            if (in.empty() || shift > 63) throw std::runtime_error("a stored entry is truncated");
            auto const c = static_cast<unsigned char>(in.front());
            in.remove_prefix(1);
            v |= std::uint64_t{c & 0x7fu} << shift;
            if ((c & 0x80) == 0) return v;
        }
    }
    std::int64_t s() {
        auto const v = u();
        return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    }
    std::uint32_t u32() { return static_cast<std::uint32_t>(u()); }
};

std::string encode(application_row const& a) {
    encoder e;
    e.u(a.receipts.size());
    for (auto const& r : a.receipts) {
        e.u(r.position);
        e.u(r.campaign_id);
        e.s(r.day);
    }
    e.u(a.shortlisted);
    e.u(a.interviewed);
    e.u(a.accepted);
    e.u(a.offers.size());
    for (auto const& o : a.offers) {
        e.u(o.position);
        e.s(o.day);
    }
    e.u(a.contracts.size());
    for (auto const c : a.contracts) e.u(c);
    return std::move(e.out);
}
application_row decode_application(std::string_view bytes, std::uint64_t key) {
    decoder d{bytes};
    application_row a{.candidate = static_cast<std::uint32_t>(key >> 32),
                            .application = static_cast<std::uint32_t>(key)};
    for (auto n = d.u(); n > 0; --n) {
        pd::receipt r;
        r.position = d.u();
        r.campaign_id = d.u32();
        r.day = static_cast<std::int32_t>(d.s());
        a.receipts.push_back(r);
    }
    a.shortlisted = d.u32();
    a.interviewed = d.u32();
    a.accepted = d.u32();
    for (auto n = d.u(); n > 0; --n) {
        auto const position = d.u();
        a.offers.push_back(pd::dated{position, d.s()});
    }
    for (auto n = d.u(); n > 0; --n) a.contracts.push_back(d.u());
    return a;
}
std::string encode(pd::campaign_entry const& c) {
    encoder e;
    e.u(c.plans.size());
    for (auto const& p : c.plans) {
        e.u(p.position);
        e.u(p.name);
        e.u(p.organiser);
        e.u(p.kind);
    }
    e.u(c.costs.size());
    for (auto const& cost : c.costs) {
        e.u(cost.currency);
        e.u(cost.events);
        e.s(cost.amount_minor);
    }
    return std::move(e.out);
}
pd::campaign_entry decode_campaign(std::string_view bytes) {
    decoder d{bytes};
    pd::campaign_entry c;
    for (auto n = d.u(); n > 0; --n) {
        pd::campaign_plan p;
        p.position = d.u();
        p.name = d.u32();
        p.organiser = d.u32();
        p.kind = static_cast<std::uint8_t>(d.u());
        c.plans.push_back(p);
    }
    for (auto n = d.u(); n > 0; --n) {
        pd::cost_sum cost;
        cost.currency = d.u32();
        cost.events = d.u32();
        cost.amount_minor = d.s();
        c.costs.push_back(cost);
    }
    return c;
}
std::string encode(pd::few<pd::employment_step> const& steps) {
    encoder e;
    e.u(steps.size());
    for (auto const& s : steps) {
        e.u(s.position);
        e.u(s.started);
        e.s(s.day);
    }
    return std::move(e.out);
}
pd::few<pd::employment_step> decode_employment(std::string_view bytes) {
    decoder d{bytes};
    pd::few<pd::employment_step> steps;
    for (auto n = d.u(); n > 0; --n) {
        pd::employment_step s;
        s.position = d.u();
        s.started = d.u() != 0;
        s.day = static_cast<std::int32_t>(d.s());
        steps.push_back(s);
    }
    return steps;
}

struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return boost::hash<std::string_view>{}(s); }
};

/// The environment and its named databases:
///   meta          "next" → positions [0, next) folded (8 bytes, big-endian), "texts" → texts numbered
///   texts         number (4 bytes BE) → text        text_numbers  text → number (4 bytes BE)
///   campaigns     campaign id's number → entry      applications  candidate ‖ application numbers → entry
///   employment    candidate's number → employment steps
/// Texts are numbered densely in the order first seen, so a new candidate's applications append
/// at the end of `applications`.
struct lmdb_env {
    MDB_env* env = nullptr;
    MDB_dbi meta = 0, texts = 0, text_numbers = 0, campaigns = 0, applications = 0, employment = 0;

    lmdb_env(std::filesystem::path const& dir, unsigned flags, std::size_t map_size) {
        std::filesystem::create_directories(dir);
        check("mdb_env_create", mdb_env_create(&env));
        check("mdb_env_set_maxdbs", mdb_env_set_maxdbs(env, 8));
        check("mdb_env_set_mapsize", mdb_env_set_mapsize(env, map_size));
        check("mdb_env_open", mdb_env_open(env, dir.c_str(), flags | MDB_NOTLS, 0640));
        bool const read_only = (flags & MDB_RDONLY) != 0;
        MDB_txn* txn = nullptr;
        check("mdb_txn_begin", mdb_txn_begin(env, nullptr, read_only ? MDB_RDONLY : 0u, &txn));
        unsigned const create = read_only ? 0u : MDB_CREATE;
        check("open meta", mdb_dbi_open(txn, "meta", create, &meta));
        check("open texts", mdb_dbi_open(txn, "texts", create, &texts));
        check("open text_numbers", mdb_dbi_open(txn, "text_numbers", create, &text_numbers));
        check("open campaigns", mdb_dbi_open(txn, "campaigns", create, &campaigns));
        check("open applications", mdb_dbi_open(txn, "applications", create, &applications));
        check("open employment", mdb_dbi_open(txn, "employment", create, &employment));
        check("mdb_txn_commit", mdb_txn_commit(txn));  // keeps the handles
    }
    lmdb_env(lmdb_env const&) = delete;
    lmdb_env& operator=(lmdb_env const&) = delete;
    ~lmdb_env() { mdb_env_close(env); }

    /// The page bytes in use (last page + 1) and the entries of `applications`.
    std::pair<std::uint64_t, std::uint64_t> used_and_applications() const {
        MDB_envinfo info{};
        MDB_stat stat{};
        check("mdb_env_info", mdb_env_info(env, &info));
        check("mdb_env_stat", mdb_env_stat(env, &stat));
        MDB_txn* txn = nullptr;
        check("mdb_txn_begin", mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn));
        MDB_stat apps{};
        check("mdb_stat", mdb_stat(txn, applications, &apps));
        mdb_txn_abort(txn);
        return {(info.me_last_pgno + 1) * std::uint64_t{stat.ms_psize}, apps.ms_entries};
    }
};

std::optional<std::string_view> get(MDB_txn* txn, MDB_dbi db, std::string_view key) {
    MDB_val k = as_val(key), v{};
    int const rc = mdb_get(txn, db, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check("mdb_get", rc);
    return as_view(v);
}

/// The application table's fold (a copy of application_table::apply_campaign/apply_candidate)
/// over entries that live in LMDB. The entries an event touches are read from the last commit
/// (a read transaction renewed after each flush) into a write-back cache; every `flush_every`
/// events one write transaction puts the cache's entries, the new texts and the position
/// covered, commits, and empties the cache. Threading: one thread (the catch-up thread's role).
class lmdb_table {
public:
    lmdb_table(lmdb_env& env, std::size_t flush_every) : env_(env), flush_every_(flush_every) {
        check("mdb_txn_begin", mdb_txn_begin(env_.env, nullptr, MDB_RDONLY, &reader_));
    }
    lmdb_table(lmdb_table const&) = delete;
    lmdb_table& operator=(lmdb_table const&) = delete;
    ~lmdb_table() { mdb_txn_abort(reader_); }

    void apply(projections::fold_event const& e) {
        fold(e);
        next_ = e.position + 1;
        if (++since_flush_ >= flush_every_) flush();
    }

    /// Writes the cache and the position in one transaction; returns the milliseconds it took.
    double flush() {
        auto const start = clock_type::now();
        mdb_txn_reset(reader_);  // lets the write reuse pages only the reader held
        MDB_txn* txn = nullptr;
        check("mdb_txn_begin", mdb_txn_begin(env_.env, nullptr, 0, &txn));
        auto put = [&](MDB_dbi db, std::string_view key, std::string_view value, unsigned flags = 0) {
            MDB_val k = as_val(key), v = as_val(value);
            check("mdb_put", mdb_put(txn, db, &k, &v, flags));
        };
        auto del = [&](MDB_dbi db, std::string_view key) {
            MDB_val k = as_val(key);
            int const rc = mdb_del(txn, db, &k, nullptr);
            if (rc != MDB_NOTFOUND) check("mdb_del", rc);
        };
        for (auto const& [number, text] : new_texts_) {
            auto const key = big_endian(number, 4);
            put(env_.texts, key, text, MDB_APPEND);
            put(env_.text_numbers, text, key);
        }
        // Keys in order: neighbouring entries share pages.
        auto sorted = [](auto const& map) {
            std::vector<typename std::decay_t<decltype(map)>::key_type> keys;
            keys.reserve(map.size());
            for (auto const& [k, v] : map) keys.push_back(k);
            std::sort(keys.begin(), keys.end());
            return keys;
        };
        for (auto const k : sorted(campaigns_)) {
            auto const& c = campaigns_.at(k);
            if (c.empty()) del(env_.campaigns, big_endian(k, 4));
            else put(env_.campaigns, big_endian(k, 4), encode(c));
        }
        for (auto const k : sorted(applications_)) {
            auto const& a = applications_.at(k);
            if (a.empty()) del(env_.applications, big_endian(k, 8));
            else put(env_.applications, big_endian(k, 8), encode(a));
        }
        for (auto const k : sorted(employment_)) {
            auto const& s = employment_.at(k);
            if (s.empty()) del(env_.employment, big_endian(k, 4));
            else put(env_.employment, big_endian(k, 4), encode(s));
        }
        put(env_.meta, "next", big_endian(next_, 8));
        put(env_.meta, "texts", big_endian(text_count_, 4));
        check("mdb_txn_commit", mdb_txn_commit(txn));
        // The cache holds at most one interval's entries; give its memory back.
        campaigns_ = {};
        applications_ = {};
        employment_ = {};
        text_cache_ = {};
        new_texts_ = {};
        since_flush_ = 0;
        check("mdb_txn_renew", mdb_txn_renew(reader_));
        auto const took = ms_since(start);
        ++flushes_;
        flush_ms_ += took;
        flush_ms_max_ = std::max(flush_ms_max_, took);
        return took;
    }

    void finish() {
        if (since_flush_ > 0 || flushes_ == 0) flush();
    }

    std::uint64_t flushes() const noexcept { return flushes_; }
    double flush_ms_total() const noexcept { return flush_ms_; }
    double flush_ms_max() const noexcept { return flush_ms_max_; }

private:
    std::uint32_t intern(std::string_view text) {
        if (auto const it = text_cache_.find(text); it != text_cache_.end()) return it->second;
        std::uint32_t number = 0;
        if (auto const stored = get(reader_, env_.text_numbers, text)) {
            number = static_cast<std::uint32_t>(from_big_endian(*stored));
        } else {
            number = text_count_++;
            new_texts_.emplace_back(number, std::string(text));
        }
        text_cache_.emplace(std::string(text), number);
        return number;
    }
    pd::campaign_entry& campaign(std::uint32_t id) {
        auto it = campaigns_.find(id);
        if (it != campaigns_.end()) return it->second;
        auto const stored = get(reader_, env_.campaigns, big_endian(id, 4));
        return campaigns_.emplace(id, stored ? decode_campaign(*stored) : pd::campaign_entry{}).first->second;
    }
    application_row& application(std::uint32_t candidate, std::uint32_t id) {
        auto const key = (std::uint64_t{candidate} << 32) | id;
        auto it = applications_.find(key);
        if (it != applications_.end()) return it->second;
        auto const stored = get(reader_, env_.applications, big_endian(key, 8));
        return applications_
            .emplace(key, stored ? decode_application(*stored, key)
                                 : application_row{.candidate = candidate, .application = id})
            .first->second;
    }
    pd::few<pd::employment_step>& employment(std::uint32_t candidate) {
        auto it = employment_.find(candidate);
        if (it != employment_.end()) return it->second;
        auto const stored = get(reader_, env_.employment, big_endian(candidate, 4));
        return employment_.emplace(candidate, stored ? decode_employment(*stored) : pd::few<pd::employment_step>{})
            .first->second;
    }

    template <class T>
    static void add_or_remove(pd::few<T>& items, T item, int sign) {
        if (sign > 0) {
            items.push_back(std::move(item));
            return;
        }
        auto const it = std::find_if(items.begin(), items.end(), [&](T const& x) { return x.position == item.position; });
        if (it != items.end()) items.erase(it);
    }
    static void add_or_remove(pd::few<std::uint64_t>& positions, std::uint64_t position, int sign) {
        if (sign > 0) {
            positions.push_back(position);
            return;
        }
        auto const it = std::find(positions.begin(), positions.end(), position);
        if (it != positions.end()) positions.erase(it);
    }
    static void count(std::uint32_t& counter, int sign) {
        if (sign > 0) ++counter;
        else if (counter > 0) --counter;
    }

    void fold(projections::fold_event const& e) {
        if (e.data == nullptr) return;
        projections::fold_event const* target = &e;
        int sign = 1;
        if (std::holds_alternative<ev::event_retracted>(*e.data)) {
            if (e.retracted == nullptr || e.retracted->data == nullptr) return;
            target = e.retracted;
            sign = -1;
        }
        auto const category = target->category();
        if (category == "campaign") fold_campaign(*target, sign);
        else if (category == "candidate") fold_candidate(*target, sign);
    }

    void fold_campaign(projections::fold_event const& e, int sign) {
        auto const id = intern(e.stream_id());
        auto add_cost = [&](std::string_view currency, std::int64_t amount) {
            auto const code = intern(currency);
            auto& entry = campaign(id);
            auto it = std::find_if(entry.costs.begin(), entry.costs.end(), [&](pd::cost_sum const& c) { return c.currency == code; });
            if (sign > 0) {
                if (it == entry.costs.end()) it = entry.costs.insert(it, pd::cost_sum{.currency = code});
                it->amount_minor += amount;
                ++it->events;
            } else if (it != entry.costs.end()) {
                it->amount_minor -= amount;
                if (--it->events == 0) entry.costs.erase(it);
            }
        };
        if (auto const* planned = std::get_if<ev::campaign_planned>(e.data)) {
            pd::campaign_plan const plan{.position = e.position, .name = intern(planned->name),
                                         .organiser = intern(planned->organiser),
                                         .kind = static_cast<std::uint8_t>(planned->kind)};
            add_or_remove(campaign(id).plans, plan, sign);
        } else if (auto const* cost = std::get_if<ev::cost_recorded>(e.data)) {
            add_cost(cost->currency.value, cost->amount_minor);
        } else if (auto const* advert = std::get_if<ev::advertisement_published>(e.data)) {
            if (advert->cost_minor && advert->currency) add_cost(advert->currency->value, *advert->cost_minor);
        }
    }

    void fold_candidate(projections::fold_event const& e, int sign) {
        auto const candidate = intern(e.stream_id());
        auto const day = static_cast<std::int32_t>(pd::day_number(e.occurred_at));
        auto touch = [&](std::string const& id) -> application_row& { return application(candidate, intern(id)); };
        if (auto const* received = std::get_if<ev::application_received>(e.data)) {
            auto const campaign_id = intern(received->campaign_id);
            add_or_remove(touch(received->application_id).receipts,
                          pd::receipt{.position = e.position, .campaign_id = campaign_id, .day = day}, sign);
        } else if (auto const* screened = std::get_if<ev::application_screened>(e.data)) {
            if (screened->outcome == ev::screening_outcome::shortlisted) count(touch(screened->application_id).shortlisted, sign);
        } else if (auto const* held = std::get_if<ev::interview_held>(e.data)) {
            if (held->outcome != ev::interview_outcome::no_show) count(touch(held->application_id).interviewed, sign);
        } else if (auto const* offer = std::get_if<ev::offer_extended>(e.data)) {
            add_or_remove(touch(offer->application_id).offers, pd::dated{e.position, day}, sign);
        } else if (auto const* answer = std::get_if<ev::offer_answered>(e.data)) {
            if (answer->accepted) count(touch(answer->application_id).accepted, sign);
        } else if (auto const* contract = std::get_if<ev::contract_signed>(e.data)) {
            add_or_remove(touch(contract->application_id).contracts, e.position, sign);
        } else if (auto const* started = std::get_if<ev::employment_started>(e.data)) {
            add_or_remove(employment(candidate),
                          pd::employment_step{e.position, true, static_cast<std::int32_t>(pd::day_number(started->started_on))}, sign);
        } else if (auto const* ended = std::get_if<ev::employment_ended>(e.data)) {
            add_or_remove(employment(candidate),
                          pd::employment_step{e.position, false, static_cast<std::int32_t>(pd::day_number(ended->ended_on))}, sign);
        }
    }

    lmdb_env& env_;
    std::size_t flush_every_;
    MDB_txn* reader_ = nullptr;
    std::uint64_t next_ = 0;
    std::uint32_t text_count_ = 0;
    std::size_t since_flush_ = 0;
    boost::unordered_flat_map<std::string, std::uint32_t, text_hash, std::equal_to<>> text_cache_;
    std::vector<std::pair<std::uint32_t, std::string>> new_texts_;
    boost::unordered_flat_map<std::uint32_t, pd::campaign_entry> campaigns_;
    boost::unordered_flat_map<std::uint64_t, application_row> applications_;
    boost::unordered_flat_map<std::uint32_t, pd::few<pd::employment_step>> employment_;
    std::uint64_t flushes_ = 0;
    double flush_ms_ = 0;
    double flush_ms_max_ = 0;
};

/// summarize() of applications.cpp over an entry and its candidate's steps (nullptr: none).
pd::application_summary summary_of(application_row const& entry, pd::few<pd::employment_step> const* steps) {
    auto const& first = entry.receipts.front();
    pd::application_summary a{.received_day = first.day,
                              .shortlisted = entry.shortlisted > 0,
                              .interviewed = entry.interviewed > 0,
                              .offered = !entry.offers.empty(),
                              .accepted = entry.accepted > 0,
                              .contracted = !entry.contracts.empty()};
    if (a.offered) a.offer_day = entry.offers.front().day;
    if (!a.contracted || steps == nullptr) return a;
    auto const contract_position = entry.contracts.front();
    std::optional<std::uint64_t> start_position;
    for (auto const& step : *steps) {
        if (step.position <= contract_position) continue;
        if (!start_position && step.started) {
            start_position = step.position;
            a.started = true;
            a.started_on = step.day;
        } else if (start_position && !step.started) {
            a.ended_on = step.day;
            break;
        }
    }
    return a;
}

std::string_view text_of(MDB_txn* txn, lmdb_env const& env, std::uint32_t number) {
    auto const text = get(txn, env.texts, big_endian(number, 4));
    if (!text) throw std::runtime_error("an entry names a text the table does not hold");
    return *text;
}

pd::campaign_profile profile_in(MDB_txn* txn, lmdb_env const& env, pd::campaign_entry const& entry) {
    pd::campaign_profile profile;
    for (auto const& cost : entry.costs) profile.costs[std::string(text_of(txn, env, cost.currency))] += cost.amount_minor;
    if (!entry.plans.empty()) {
        auto const& plan = entry.plans.front();
        profile.planned = true;
        profile.name = text_of(txn, env, plan.name);
        profile.organiser = text_of(txn, env, plan.organiser);
        profile.kind = projections::detail::enum_name(static_cast<ev::campaign_kind>(plan.kind));
    }
    return profile;
}

// ---- the variants ---------------------------------------------------------------------------

struct options {
    std::filesystem::path data;
    std::filesystem::path work;
    std::vector<std::string> variants;
    std::size_t lookups = 20'000;
    bool keep = false;
};

void decode_only(options const& o, results& out) {
    store::event_store store(reading(o.data));
    std::uint64_t touched = 0;
    auto const start = clock_type::now();
    auto const cpu = cpu_seconds();
    auto const events = feed(store, [&](projections::fold_event const& e) { touched += e.data != nullptr; });
    auto const seconds = ms_since(start) / 1000;
    auto const cpu_used = cpu_seconds() - cpu;
    out.add("rmstate_decode_only", static_cast<double>(events) / seconds, "events/s");
    out.add("rmstate_decode_only_cpu", static_cast<double>(events) / cpu_used, "events/cpu-s");
    out.add("rmstate_decode_only_rss_anon", rss_anon_trimmed(), "MiB");
    out.add("rmstate_events", static_cast<double>(events), "events");
    out.add("rmstate_events_read_by_table", static_cast<double>(touched), "events");
}

std::filesystem::path snapshot_file(options const& o) { return o.work / "memory.snapshot"; }
std::filesystem::path digest_file(options const& o) { return o.work / "memory.digest"; }

void memory_fold(options const& o, results& out) {
    store::event_store store(reading(o.data));
    pd::application_table table;
    table.with_costs = true;
    double peak = 0;
    auto const start = clock_type::now();
    auto const cpu = cpu_seconds();
    auto const events = feed(store, [&](projections::fold_event const& e) {
        table.fold_once(e);
        if (e.position % 100'000 == 0) peak = std::max(peak, status_mib("RssAnon"));
    });
    auto const seconds = ms_since(start) / 1000;
    auto const cpu_used = cpu_seconds() - cpu;
    out.add("rmstate_memory_fold", static_cast<double>(events) / seconds, "events/s", "rmstate_decode_only");
    out.add("rmstate_memory_fold_cpu", static_cast<double>(events) / cpu_used, "events/cpu-s", "rmstate_decode_only_cpu");
    auto const anon = rss_anon_trimmed();
    out.add("rmstate_memory_rss_anon", anon, "MiB", "rmstate_decode_only_rss_anon");
    out.add("rmstate_memory_rss_anon_peak", std::max(peak, anon), "MiB", "rmstate_decode_only_rss_anon");
    std::size_t applications = 0;
    for (auto const& person : table.candidates) applications += person.applications.size();
    out.add("rmstate_memory_applications", static_cast<double>(applications), "entries");
    // The record the runner stores (snapshot-table/applications) and decodes on start-up.
    auto const record = app::detail::encode_snapshot(
        {.code_version = pd::application_table::code_version, .next_position = table.next,
         .state = projections::save_table(table)});
    out.add("rmstate_memory_snapshot", static_cast<double>(record.size()) / 1048576.0, "MiB");
    std::ofstream(snapshot_file(o), std::ios::binary) << record;
}

void memory_restart(options const& o, results& out) {
    std::string record;
    {
        std::ifstream in(snapshot_file(o), std::ios::binary);
        record.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto const start = clock_type::now();
    std::string problem;
    auto snapshot = app::detail::decode_snapshot(record, &problem);
    if (!snapshot) throw std::runtime_error("the snapshot does not decode: " + problem);
    auto const table = projections::load_table(snapshot->state);
    snapshot.reset();
    out.add("rmstate_memory_ready_ms", ms_since(start), "ms");
    record.clear();
    record.shrink_to_fit();
    out.add("rmstate_memory_restart_rss_anon", rss_anon_trimmed(), "MiB");

    // Point lookups: an application by its candidate's and its own id, summarised.
    std::mt19937_64 random(7);
    std::vector<std::pair<std::string, std::string>> ids;
    std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(table->candidates.size() - 1));
    for (std::size_t i = 0; i < o.lookups; ++i) {
        auto const number = pick(random);
        auto const& person = *(table->candidates.begin() + number);
        if (person.applications.empty()) continue;
        ids.emplace_back(table->candidates.id(number), person.applications.front().id);
    }
    std::uint64_t found = 0;
    auto const lookup_start = clock_type::now();
    for (auto const& [candidate, application] : ids) {
        auto* const person = table->candidates.find(candidate);
        if (person == nullptr) continue;
        for (auto const& entry : person->applications) {
            if (entry.id != application || entry.receipts.empty()) continue;
            found += pd::summarize(entry, person->employment).contracted ? 2u : 1u;
        }
    }
    out.add("rmstate_memory_lookup_us", ms_since(lookup_start) * 1000 / static_cast<double>(ids.size()), "us");
    if (found == 0) throw std::runtime_error("no lookup found its application");

    // A full iteration, as rendering the three models' rows would walk the table.
    auto const iterate_start = clock_type::now();
    boost::unordered_flat_map<std::string_view, aggregate> by_number;
    pd::for_each_application(*table, [&](pd::application_summary const& a) { by_number[a.campaign_id].add(a); });
    std::map<std::string, aggregate> by_campaign;
    for (auto const& [id, a] : by_number) by_campaign.emplace(std::string(id), a);
    std::map<std::string, pd::campaign_profile> campaigns;
    for (auto const& [id, entry] : table->campaigns) campaigns.emplace(std::string(table->texts.text(id)), pd::profile_of(entry, table->texts));
    auto const d = digest(by_campaign, campaigns);
    out.add("rmstate_memory_iterate_ms", ms_since(iterate_start), "ms");
    out.add("rmstate_memory_restart_rss_anon_after_reads", rss_anon_trimmed(), "MiB");
    std::ofstream(digest_file(o)) << d;
    bench::note("memory: digest %016llx over %zu campaigns with applications", static_cast<unsigned long long>(d), by_campaign.size());
}

struct lmdb_variant {
    std::size_t every = 10'000;
    std::string mode = "fsync";
    std::string name() const { return "rmstate_lmdb_" + std::to_string(every) + "_" + mode_name(); }
    std::string mode_name() const {
        auto m = mode;
        std::replace(m.begin(), m.end(), '-', '_');
        return m;
    }
    unsigned flags() const {
        if (mode == "fsync") return 0;
        if (mode == "nometasync") return MDB_NOMETASYNC;
        if (mode == "nosync") return MDB_NOSYNC;
        if (mode == "writemap") return MDB_WRITEMAP;
        if (mode == "writemap-nosync") return MDB_WRITEMAP | MDB_NOSYNC;
        throw std::runtime_error("unknown LMDB mode " + mode);
    }
    std::filesystem::path dir(options const& o) const { return o.work / ("lmdb-" + std::to_string(every) + "-" + mode); }
};

constexpr std::size_t map_size = std::size_t{64} << 30;  // sparse; the file holds what is used

void lmdb_fold(options const& o, lmdb_variant const& v, results& out) {
    std::filesystem::remove_all(v.dir(o));
    store::event_store store(reading(o.data));
    lmdb_env env(v.dir(o), v.flags(), map_size);
    double peak = 0;
    auto const start = clock_type::now();
    auto const cpu = cpu_seconds();
    std::uint64_t flushes_seen = 0;
    std::optional<lmdb_table> table(std::in_place, env, v.every);
    auto const events = feed(store, [&](projections::fold_event const& e) {
        table->apply(e);
        if (table->flushes() != flushes_seen) {  // RssAnon right after each flush's commit
            flushes_seen = table->flushes();
            if (flushes_seen % 4 == 1) peak = std::max(peak, status_mib("RssAnon"));
        }
    });
    table->finish();
    auto const seconds = ms_since(start) / 1000;
    auto const cpu_used = cpu_seconds() - cpu;
    auto const n = v.name();
    out.add(n + "_fold", static_cast<double>(events) / seconds, "events/s", "rmstate_memory_fold");
    out.add(n + "_fold_cpu", static_cast<double>(events) / cpu_used, "events/cpu-s", "rmstate_memory_fold_cpu");
    out.add(n + "_flush_ms_mean", table->flush_ms_total() / static_cast<double>(table->flushes()), "ms");
    out.add(n + "_flush_ms_max", table->flush_ms_max(), "ms");
    out.add(n + "_flush_share", table->flush_ms_total() / (seconds * 1000), "share");
    table.reset();
    auto const anon = rss_anon_trimmed();
    out.add(n + "_rss_anon", anon, "MiB", "rmstate_memory_rss_anon");
    out.add(n + "_rss_anon_peak", std::max(peak, anon), "MiB", "rmstate_memory_rss_anon_peak");
    auto const [used, applications] = env.used_and_applications();
    out.add(n + "_used", static_cast<double>(used) / 1048576.0, "MiB", "rmstate_memory_snapshot");
    out.add(n + "_applications", static_cast<double>(applications), "entries");
    struct stat file{};
    if (stat((v.dir(o) / "data.mdb").c_str(), &file) == 0) {
        out.add(n + "_disk", static_cast<double>(file.st_blocks) * 512 / 1048576.0, "MiB", "rmstate_memory_snapshot");
    }
}

void lmdb_restart(options const& o, lmdb_variant const& v, results& out) {
    auto const n = v.name();
    auto const dir = v.dir(o);
    std::uint64_t next = 0;
    {
        // The catch-up thread's start: open the environment, read the position it covers.
        auto const start = clock_type::now();
        lmdb_env env(dir, v.flags(), map_size);
        MDB_txn* txn = nullptr;
        check("mdb_txn_begin", mdb_txn_begin(env.env, nullptr, MDB_RDONLY, &txn));
        auto const stored = get(txn, env.meta, "next");
        if (!stored) throw std::runtime_error("the table has no position");
        next = from_big_endian(*stored);
        mdb_txn_abort(txn);
        out.add(n + "_ready_ms", ms_since(start), "ms", "rmstate_memory_ready_ms");
        out.add(n + "_restart_rss_anon", rss_anon_trimmed(), "MiB", "rmstate_memory_restart_rss_anon");
    }
    // Readers as a server's I/O threads would use them: MDB_RDONLY | MDB_NOTLS, a read
    // transaction per request.
    lmdb_env env(dir, MDB_RDONLY, map_size);
    std::mt19937_64 random(7);
    std::vector<std::pair<std::string, std::string>> ids;
    {
        MDB_txn* txn = nullptr;
        check("mdb_txn_begin", mdb_txn_begin(env.env, nullptr, MDB_RDONLY, &txn));
        MDB_cursor* cursor = nullptr;
        check("mdb_cursor_open", mdb_cursor_open(txn, env.applications, &cursor));
        for (std::size_t i = 0; i < o.lookups; ++i) {
            auto const key = big_endian(random(), 8);
            MDB_val k = as_val(key), val{};
            int rc = mdb_cursor_get(cursor, &k, &val, MDB_SET_RANGE);
            if (rc == MDB_NOTFOUND) rc = mdb_cursor_get(cursor, &k, &val, MDB_FIRST);
            check("mdb_cursor_get", rc);
            auto const found = from_big_endian(as_view(k));
            ids.emplace_back(text_of(txn, env, static_cast<std::uint32_t>(found >> 32)),
                             text_of(txn, env, static_cast<std::uint32_t>(found)));
        }
        mdb_cursor_close(cursor);
        mdb_txn_abort(txn);
    }
    std::uint64_t found = 0;
    auto const lookup_start = clock_type::now();
    for (auto const& [candidate, application] : ids) {
        MDB_txn* txn = nullptr;
        check("mdb_txn_begin", mdb_txn_begin(env.env, nullptr, MDB_RDONLY, &txn));
        auto const c = get(txn, env.text_numbers, candidate);
        auto const a = get(txn, env.text_numbers, application);
        if (c && a) {
            auto const key = (from_big_endian(*c) << 32) | from_big_endian(*a);
            if (auto const stored = get(txn, env.applications, big_endian(key, 8))) {
                auto const entry = decode_application(*stored, key);
                if (!entry.receipts.empty()) {
                    std::optional<pd::few<pd::employment_step>> steps;
                    if (!entry.contracts.empty()) {
                        if (auto const s = get(txn, env.employment, big_endian(key >> 32, 4))) steps = decode_employment(*s);
                    }
                    found += summary_of(entry, steps ? &*steps : nullptr).contracted ? 2u : 1u;
                }
            }
        }
        mdb_txn_abort(txn);
    }
    out.add(n + "_lookup_us", ms_since(lookup_start) * 1000 / static_cast<double>(ids.size()), "us", "rmstate_memory_lookup_us");
    if (found == 0) throw std::runtime_error("no lookup found its application");

    // A full iteration: applications in key order (candidate first), employment merged in by a
    // second cursor over the same order, aggregated per campaign number, then named.
    auto const iterate_start = clock_type::now();
    MDB_txn* txn = nullptr;
    check("mdb_txn_begin", mdb_txn_begin(env.env, nullptr, MDB_RDONLY, &txn));
    MDB_cursor* apps = nullptr;
    MDB_cursor* steps_cursor = nullptr;
    check("mdb_cursor_open", mdb_cursor_open(txn, env.applications, &apps));
    check("mdb_cursor_open", mdb_cursor_open(txn, env.employment, &steps_cursor));
    MDB_val sk{}, sv{};
    bool steps_left = mdb_cursor_get(steps_cursor, &sk, &sv, MDB_FIRST) == MDB_SUCCESS;
    boost::unordered_flat_map<std::uint32_t, aggregate> by_number;
    MDB_val k{}, val{};
    for (int rc = mdb_cursor_get(apps, &k, &val, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(apps, &k, &val, MDB_NEXT)) {
        auto const key = from_big_endian(as_view(k));
        auto const entry = decode_application(as_view(val), key);
        if (entry.receipts.empty()) continue;
        auto const candidate = key >> 32;
        while (steps_left && from_big_endian(as_view(sk)) < candidate) {
            steps_left = mdb_cursor_get(steps_cursor, &sk, &sv, MDB_NEXT) == MDB_SUCCESS;
        }
        std::optional<pd::few<pd::employment_step>> steps;
        if (!entry.contracts.empty() && steps_left && from_big_endian(as_view(sk)) == candidate) {
            steps = decode_employment(as_view(sv));
        }
        by_number[entry.receipts.front().campaign_id].add(summary_of(entry, steps ? &*steps : nullptr));
    }
    mdb_cursor_close(steps_cursor);
    mdb_cursor_close(apps);
    std::map<std::string, aggregate> by_campaign;
    for (auto const& [number, a] : by_number) by_campaign.emplace(std::string(text_of(txn, env, number)), a);
    std::map<std::string, pd::campaign_profile> campaigns;
    MDB_cursor* cursor = nullptr;
    check("mdb_cursor_open", mdb_cursor_open(txn, env.campaigns, &cursor));
    for (int rc = mdb_cursor_get(cursor, &k, &val, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor, &k, &val, MDB_NEXT)) {
        auto const number = static_cast<std::uint32_t>(from_big_endian(as_view(k)));
        campaigns.emplace(std::string(text_of(txn, env, number)), profile_in(txn, env, decode_campaign(as_view(val))));
    }
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    auto const d = digest(by_campaign, campaigns);
    out.add(n + "_iterate_ms", ms_since(iterate_start), "ms", "rmstate_memory_iterate_ms");
    out.add(n + "_restart_rss_anon_after_reads", rss_anon_trimmed(), "MiB", "rmstate_memory_restart_rss_anon_after_reads");
    out.add(n + "_restart_rss_file_after_reads", status_mib("RssFile"), "MiB");
    std::uint64_t memory_digest = 0;
    std::ifstream(digest_file(o)) >> memory_digest;
    out.add(n + "_matches_memory", memory_digest != 0 && memory_digest == d ? 1 : 0, "bool");
    bench::note("%s: covers %llu events, digest %016llx", n.c_str(), static_cast<unsigned long long>(next),
                static_cast<unsigned long long>(d));
}

/// Runs `work` in a forked child and prints the rows it reports (ratios against rows seen so far).
void in_child(std::function<void(results&)> const& work, std::map<std::string, double>& seen) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_t const child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        close(fds[0]);
        results out(fds[1]);
        try {
            work(out);
        } catch (std::exception const& e) {
            std::fprintf(stderr, "bench-read_model_lmdb: %s\n", e.what());
            _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t got; (got = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(got));
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string name, number, unit, baseline;
        if (!std::getline(fields, name, '\t') || !std::getline(fields, number, '\t') ||
            !std::getline(fields, unit, '\t') || !std::getline(fields, baseline)) {
            throw std::runtime_error("a child reported a malformed row: " + line);
        }
        double const value = std::stod(number);
        seen[name] = value;
        auto const base = seen.find(baseline);
        if (base != seen.end()) bench::row(name, value, unit, baseline, base->second);
        else bench::row(name, value, unit);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("a variant failed");
}

std::vector<std::string> split(std::string const& list) {
    std::vector<std::string> out;
    std::istringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);
    options o;
    o.work = std::filesystem::temp_directory_path() / ("rm-lmdb-bench-" + std::to_string(getpid()));
    o.variants = split(
        "memory,lmdb:10000:fsync,lmdb:100000:fsync,lmdb:10000:nometasync,lmdb:10000:nosync,lmdb:100000:nosync,"
        "lmdb:10000:writemap,lmdb:100000:writemap");
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view const flag = argv[i];
        std::string const value = argv[i + 1];
        if (flag == "--data") o.data = value;
        else if (flag == "--work") o.work = value;
        else if (flag == "--variants") o.variants = split(value);
        else if (flag == "--lookups") o.lookups = std::stoul(value);
        else if (flag == "--keep") o.keep = value == "1";
        else o.lookups = 0;  // an unknown flag: usage
    }
    if (o.data.empty() || o.lookups == 0 || argc % 2 == 0) {
        std::fprintf(stderr, "usage: bench-read_model_lmdb --data DIR [--work DIR] [--variants LIST] [--lookups K] [--keep 1]\n");
        return 2;
    }
    try {
        std::filesystem::create_directories(o.work);
        bench::note("load average %.2f at start; ledger %s; work %s", bench::load_average(), o.data.c_str(), o.work.c_str());
        std::map<std::string, double> seen;
        in_child([&](results& out) { decode_only(o, out); }, seen);
        bool memory_done = false;
        for (auto const& variant : o.variants) {
            if (variant == "memory") {
                in_child([&](results& out) { memory_fold(o, out); }, seen);
                in_child([&](results& out) { memory_restart(o, out); }, seen);
                memory_done = true;
                continue;
            }
            std::istringstream fields(variant);
            std::string kind, every, mode;
            std::getline(fields, kind, ':');
            std::getline(fields, every, ':');
            std::getline(fields, mode, ':');
            if (kind != "lmdb" || every.empty()) throw std::runtime_error("unknown variant " + variant);
            lmdb_variant const v{.every = std::stoul(every), .mode = mode.empty() ? "fsync" : mode};
            (void)v.flags();  // an unknown mode fails here, before a child runs
            in_child([&](results& out) { lmdb_fold(o, v, out); }, seen);
            in_child([&](results& out) { lmdb_restart(o, v, out); }, seen);
            bench::note("after %s: load average %.2f", variant.c_str(), bench::load_average());
        }
        if (!memory_done) bench::note("no memory variant: *_matches_memory compares with nothing (0)");
        bench::note("load average %.2f at the end", bench::load_average());
        if (!o.keep) std::filesystem::remove_all(o.work);
    } catch (std::exception const& e) {
        std::fprintf(stderr, "bench-read_model_lmdb: %s\n", e.what());
        return 1;
    }
    return 0;
}
