#pragma once
// One entry per entity (a position, a candidate), found by its stream id, kept one of two ways:
//
// - In memory (as-of folds, replays, tests): the ids are interned in a pool of their own, so
//   their numbers are dense, and the entries sit in a deque at those numbers — no hash-table
//   slack, no moves when it grows.
// - In the store's `projections` table (the runner's live read models, docs/read-models.md
//   "Entities in the store"): a write-back cache of the entries touched since they were last
//   flushed (a node-based map: references stay valid while it grows), a miss read through an
//   entity_reader, and flush() putting every cached entry that is not yet known to be
//   committed into the runner's group transaction. settle() drops the entries a committed
//   flush holds (it reads the flush's generation back from the table, so a flush whose commit
//   failed is simply put again by the next one). The cache is bounded by the events folded
//   between flushes, never by the history.
// - Loaded lazily (load_lazily; an as-of load from a checkpoint): in memory, but the saved
//   entries stay bytes (the record, kept alive) until first asked for, each then decoded on
//   its own; iterating the whole decodes them all back into the in-memory form.
//
// An entity keeps its (possibly empty) entry and its number once it has been named. save()
// writes the same bytes either way (ids in number order, then entries), so snapshots and as-of
// checkpoints do not know which way a state was kept; a copy is always in memory.
//
// The table's form follows its epoch (entity_keys.hpp): a compact epoch's records hold their
// entry's bytes packed and it has no n/ records (save() finds the number order by scanning the
// i/ records, which carry their numbers); the epochs before it keep both as they were. An
// ordered epoch is compact with short binary keys that sort in the order entities are made
// (detail/id_key.hpp) and a varint number. Every flush puts its records in key order, so new
// entities go last on their pages (when they are made in the order of their ids) and LMDB's
// split leaves those pages full.
//
// Errors: in the table, a record that does not decode, fails its CRC or whose numbers do not
// add up throws damaged_entity (never answered from: the runner rebuilds the read model).
// Threading: a plain value; callers serialise access (the reader is used by the caller's
// thread).

#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/detail/varint.hpp"
#include "projections/detail/id_key.hpp"
#include "projections/detail/packed_bytes.hpp"
#include "projections/detail/stream_facts.hpp"
#include "projections/entity_keys.hpp"
#include "projections/entity_table.hpp"

#include <boost/crc.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/vector.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ledger::projections::detail {

/// Encodes numbers in entity keys and records (8 lower-case hex digits; u64 little-endian).
std::string hex8(std::uint32_t number);
std::optional<std::uint32_t> parse_hex8(std::string_view text);
std::string u64_bytes(std::uint64_t value);
std::optional<std::uint64_t> u64_of(std::string_view bytes);

template <class Entry>
class entities {
public:
    entities() = default;
    /// A copy is in memory, whichever way `other` keeps its entries.
    entities(entities const& other) { assign(other); }
    entities& operator=(entities const& other) {
        if (this != &other) {
            entities copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
    entities(entities&&) = default;
    entities& operator=(entities&&) = default;
    ~entities() = default;

    /// The entry of `id`, made (empty) when new.
    Entry& at(std::string_view id) {
        if (table_) return lookup(id, true)->entry;
        auto const number = ids_.intern(id);
        auto const saved = saved_count();
        if (number >= saved + entries_.size()) entries_.resize(std::size_t{number} - saved + 1);
        return entry_at(number);
    }

    /// The entry of `id`, or nullptr when it was never named.
    Entry* find(std::string_view id) {
        if (table_) {
            auto* const found = lookup(id, false);
            return found ? &found->entry : nullptr;
        }
        auto const number = ids_.find(id);
        return number ? &entry_at(*number) : nullptr;
    }

    /// In memory only (a table-backed state is never iterated whole but by save()); a lazily
    /// loaded one is decoded whole first (load_lazily).
    auto begin() const {
        in_memory_only();
        decode_all();
        return entries_.begin();
    }
    auto end() const {
        in_memory_only();
        decode_all();
        return entries_.end();
    }
    std::size_t size() const noexcept { return table_ ? table_->count : saved_count() + entries_.size(); }
    /// The id of the entity numbered `number` (< size()). In memory only.
    std::string_view id(std::uint32_t number) const {
        in_memory_only();
        return ids_.text(number);
    }

    template <class Archive>
    void save(Archive& archive) const {
        if (lazy_) {
            // The bytes cereal's deque writes: the count, then each entry, an undecoded one as
            // the bytes it was loaded from.
            archive(ids_);
            archive(cereal::make_size_tag(static_cast<cereal::size_type>(size())));
            for (std::uint32_t number = 0; number < lazy_->count(); ++number) {
                if (auto const decoded = lazy_->decoded.find(number); decoded != lazy_->decoded.end()) {
                    archive(decoded->second);
                } else if (lazy_->swapped) {
                    // Bytes of the other byte order: written again in this archive's.
                    Entry entry{};
                    auto in = ledger::detail::memory_input_archive::continued_from(lazy_->bytes_of(number), true);
                    in(entry);
                    archive(entry);
                } else {
                    auto const bytes = lazy_->bytes_of(number);
                    archive(cereal::binary_data(bytes.data(), bytes.size()));
                }
            }
            for (auto const& entry : entries_) archive(entry);
            return;
        }
        if (!table_) {
            archive(ids_, entries_);
            return;
        }
        // The bytes string_pool::save and cereal's deque write, from the table.
        string_pool::save_texts(archive, table_->count, [&](auto&& visit) {
            for_each_id([&](std::uint32_t, std::string_view id) { visit(id); });
        });
        archive(cereal::make_size_tag(static_cast<cereal::size_type>(table_->count)));
        for_each_id([&](std::uint32_t, std::string_view id) { archive(entry_of(id)); });
    }
    template <class Archive>
    void load(Archive& archive) {
        in_memory_only();
        lazy_.reset();
        archive(ids_, entries_);
        if (entries_.size() != ids_.size()) throw codec_error("a snapshot's entries do not match its ids");
    }

    /// As load(), but each entry is decoded only when first asked for (an as-of load from a
    /// checkpoint, whose fold of the tail touches few of the entities): the ids are loaded
    /// whole (lookups need them), and the entries' saved bytes are walked once to find where
    /// each begins: `walk(archive)` passes over one saved entry (reading only its sizes, and
    /// checking what a whole load checks; throwing codec_error refuses it). The bytes must
    /// stay alive while this state holds undecoded entries: `keep` owns them. The state then
    /// behaves as a loaded one; it saves the same bytes. Throws codec_error as load() does.
    template <class Walk>
    void load_lazily(ledger::detail::memory_input_archive& archive, std::shared_ptr<void const> keep, Walk&& walk) {
        in_memory_only();
        lazy_.reset();
        entries_.clear();
        archive(ids_);
        cereal::size_type count = 0;
        archive(cereal::make_size_tag(count));
        if (count != ids_.size()) throw codec_error("a snapshot's entries do not match its ids");
        auto saved = std::make_unique<lazy_entries>();
        saved->keep = std::move(keep);
        saved->swapped = archive.swapped();
        saved->starts.reserve(static_cast<std::size_t>(count) + 1);
        std::string joined;
        for (cereal::size_type i = 0; i < count; ++i) {
            auto const start = archive.mark();
            saved->starts.push_back(start.at);
            walk(archive);
            // Read from pieces (a record's chunks): an entry across two of them is kept joined,
            // one ending where its piece ends by its own length (the next starts elsewhere).
            auto const bytes = archive.read_since(start, joined);
            if (bytes.data() != start.at) {
                saved->apart.emplace(static_cast<std::uint32_t>(i), saved->joined->emplace_back(joined));
            } else if (bytes.data() + bytes.size() != archive.position()) {
                saved->apart.emplace(static_cast<std::uint32_t>(i), bytes);
            }
        }
        saved->starts.push_back(archive.position());
        lazy_ = std::move(saved);
    }
    /// Whether entries loaded by load_lazily are still undecoded.
    bool lazy() const noexcept { return lazy_ != nullptr; }

    friend bool operator==(entities const& a, entities const& b) {
        if (!a.table_ && !b.table_ && !a.lazy_ && !b.lazy_) return a.ids_ == b.ids_ && a.entries_ == b.entries_;
        return a.bytes() == b.bytes();
    }

    // ---- in the table ------------------------------------------------------------------------

    bool in_table() const noexcept { return table_ != nullptr; }

    /// From now on the (empty) entries are kept in the table of `model` under `epoch`; the
    /// entries of the `stale` epochs are erased by later flushes.
    void keep_in_table(std::shared_ptr<entity_reader> reader, std::string_view model, std::uint32_t epoch,
                       std::vector<std::uint32_t> stale) {
        in_memory_only();
        if (!entries_.empty() || lazy_) throw std::logic_error("only empty entities move to a table this way");
        table_ = std::make_unique<table_link>();
        table_->reader = std::move(reader);
        table_->model = std::string(model);
        table_->epoch = epoch;
        table_->prefix = entity_epoch_prefix(model, epoch);
        table_->stale = std::move(stale);
    }

    /// This state (in memory, just loaded from a snapshot) moves into the table that `empty`
    /// keeps: every entry becomes a cached entry to flush, under its own number.
    void move_into_table_of(entities& empty) {
        in_memory_only();
        decode_all();
        if (!empty.table_ || empty.table_->count != 0) throw std::logic_error("an empty table-backed state is needed");
        table_ = std::move(empty.table_);
        for (std::uint32_t number = 0; number < entries_.size(); ++number) {
            table_->cache.emplace(std::string(ids_.text(number)),
                                  cached{std::move(entries_[number]), number, 0, true, false});
        }
        table_->count = static_cast<std::uint32_t>(entries_.size());
        ids_ = string_pool();
        entries_ = std::deque<Entry>();
    }

    /// The epoch, the numbers given, the last flush's generation and the stale epochs: what a
    /// restart needs besides the entries themselves (written with every flush).
    template <class Archive>
    void save_table_header(Archive& archive) const {
        archive(table_->epoch, table_->count, table_->generation, table_->stale);
    }
    /// After keep_in_table: the header save_table_header wrote, as of a committed flush.
    template <class Archive>
    void load_table_header(Archive& archive) {
        auto& t = *table_;
        archive(t.epoch, t.count, t.generation, t.stale);
        t.prefix = entity_epoch_prefix(t.model, t.epoch);
        t.confirmed = t.generation;
        t.recorded = true;
        // Epochs no record names (a rebuild that crashed before its first whole flush) are
        // stale too.
        for (auto const epoch : entity_epochs(*t.reader, t.model)) {
            if (epoch != t.epoch && std::find(t.stale.begin(), t.stale.end(), epoch) == t.stale.end()) {
                t.stale.push_back(epoch);
            }
        }
    }

    /// An epoch past the current one and every stale one (for a rebuild), in the ordered form:
    /// a table of an older form moves to it when it is rebuilt.
    std::uint32_t next_epoch() const {
        auto epoch = table_->epoch;
        for (auto const stale : table_->stale) epoch = std::max(epoch, stale);
        return std::max(epoch + 1, ordered_entities_epoch);
    }

    std::uint32_t epoch() const noexcept { return table_ ? table_->epoch : 0; }
    std::vector<std::uint32_t> stale_epochs() const { return table_ ? table_->stale : std::vector<std::uint32_t>{}; }
    /// Entity records read from the table since it was attached (a restart reads none up front).
    std::uint64_t reads() const noexcept { return table_ ? table_->reads : 0; }
    std::size_t cached_entries() const noexcept { return table_ ? table_->cache.size() : 0; }
    std::shared_ptr<entity_reader> reader() const { return table_ ? table_->reader : nullptr; }

    /// Puts every cached entry not known to be committed, the numbers of new entities and the
    /// next generation; erases a bounded part of the stale epochs. Returns true. Throws what
    /// `writer` throws (the caller's transaction is then not committed; nothing here depends
    /// on it being).
    ///
    /// Before the first whole flush of an epoch (its record never written: a state just moved
    /// in from a snapshot), at most `limit` entries are put and false is returned when more
    /// wait: no record of this epoch can cover them yet, so a crash in between only leaves
    /// entries of an epoch a restart does not use. This bounds one transaction's dirty pages.
    /// Once a whole flush was put, every flush is whole (a record and its entities agree).
    bool flush(entity_writer& writer, std::size_t limit = std::numeric_limits<std::size_t>::max()) {
        auto& t = *table_;
        if (t.recorded) limit = std::numeric_limits<std::size_t>::max();
        auto const generation = t.generation + 1;
        // In key order: a new entity's record then goes last on its page (its key follows
        // the ones put before it), where LMDB splits a full page leaving it full.
        std::vector<std::pair<std::string, cached*>> due;
        for (auto& [id, c] : t.cache) {
            if (unsettled(c)) due.emplace_back(item_key(id), &c);
        }
        std::sort(due.begin(), due.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
        bool const whole = due.size() <= limit;
        if (!whole) due.resize(limit);
        std::vector<cached*> put;  // marked only once every write went through
        for (auto const& [key, c] : due) {
            writer.put(key, encode(*c));
            if (!c->numbered && !compact()) writer.put(t.prefix + "n/" + hex8(c->number), id_of(key));
            put.push_back(c);
        }
        writer.put(generation_key(), u64_bytes(generation));
        // Old epochs go only with a whole flush, whose record (in the same transaction) stops
        // any restart from using them.
        std::size_t budget = whole ? stale_erase_budget : 0;
        for (auto e = t.stale.begin(); e != t.stale.end() && budget > 0;) {
            auto const erased = writer.erase_prefix(entity_epoch_prefix(t.model, *e), budget);
            budget -= erased;
            // Nothing left under it, in this transaction's view of committed state: gone for good.
            e = erased == 0 ? t.stale.erase(e) : e + 1;
        }
        if (!whole) {
            // Unsettled entries left out of this flush must not pass for settled once its
            // generation is committed (an earlier flush that put them may be lost).
            for (auto& [id, c] : t.cache) {
                if (unsettled(c)) c.flushed = 0;
            }
        }
        for (auto* c : put) {
            c->flushed = generation;
            c->dirty = false;
        }
        t.generation = generation;
        if (whole) t.recorded = true;
        return whole;
    }

    /// Drops the cached entries that a committed flush holds: reads the generation of the last
    /// committed flush from the table (through the reader, which sees at least that commit).
    void settle() {
        auto& t = *table_;
        auto const stored = t.reader->get(generation_key());
        auto const committed = stored ? u64_of(*stored) : std::optional<std::uint64_t>(0);
        if (!committed) throw damaged_entity("the generation record of " + t.model + " does not decode");
        if (*committed <= t.confirmed) return;
        t.confirmed = *committed;
        std::erase_if(t.cache, [&](auto const& item) { return !item.second.dirty && settled(item.second); });
        for (auto& [id, c] : t.cache) {
            if (settled(c)) c.numbered = true;
        }
    }

    void release_reads() {
        if (table_) table_->reader->release();
    }

private:
    static constexpr std::size_t stale_erase_budget = 20'000;

    struct cached {
        Entry entry;
        std::uint32_t number = 0;
        std::uint64_t flushed = 0;  // generation of the last flush that put it (0: none)
        bool dirty = true;          // changed (or possibly changed) since that flush
        bool numbered = false;      // its number is committed (its n/ record; compact: its i/ record)
    };
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };
    struct table_link {
        std::shared_ptr<entity_reader> reader;
        std::string model;
        std::uint32_t epoch = 0;
        std::string prefix;  // entity_epoch_prefix(model, epoch)
        std::uint32_t count = 0;
        std::uint64_t generation = 0;  // of the last flush
        std::uint64_t confirmed = 0;   // of the last flush known committed
        std::vector<std::uint32_t> stale;
        std::uint64_t reads = 0;
        bool recorded = false;  // a whole flush (with the record) was put in this epoch
        std::unordered_map<std::string, cached, text_hash, std::equal_to<>> cache;
    };

    /// Whether the table is of the compact form (entity_keys.hpp): packed entries, no n/ records.
    bool compact() const noexcept { return compact_entities(table_->epoch); }
    /// Whether it is of the ordered form: compact, with binary keys and varint numbers.
    bool ordered() const noexcept { return ordered_entities(table_->epoch); }

    /// The key of the record of `id`.
    std::string item_key(std::string_view id) const {
        auto key = table_->prefix;
        if (ordered()) {
            encode_id_key(id, key);
        } else {
            key += "i/";
            key += id;
        }
        return key;
    }
    /// What the keys of every record of an entity start with (in the ordered form, the
    /// generation record's key is this prefix itself: no id follows it).
    std::string items_prefix() const { return ordered() ? table_->prefix : table_->prefix + "i/"; }
    /// The key of the generation record.
    std::string generation_key() const { return ordered() ? table_->prefix : table_->prefix + "g"; }
    /// The id whose record has `key` (one under items_prefix()).
    std::string id_of(std::string_view key) const {
        auto const tail = key.substr(items_prefix().size());
        if (!ordered()) return std::string(tail);
        try {
            return decode_id_key(tail);
        } catch (codec_error const& e) {
            throw damaged_entity("an entity key of " + table_->model + " does not decode: " + e.what());
        }
    }

    /// A record's number and what follows it (the CRC, then the entry): 4 bytes, or in the
    /// ordered form a varint. nullopt when it does not decode.
    std::optional<std::pair<std::uint32_t, std::string_view>> split_record(std::string_view value) const {
        if (!ordered()) {
            if (value.size() < 4) return std::nullopt;
            std::uint32_t number = 0;
            std::memcpy(&number, value.data(), 4);
            return std::pair{number, value.substr(4)};
        }
        try {
            auto const number = ledger::detail::take_varint(value, "cut short", "too long");
            if (number > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
            return std::pair{static_cast<std::uint32_t>(number), value};
        } catch (codec_error const&) {
            return std::nullopt;
        }
    }

    bool settled(cached const& c) const noexcept { return c.flushed != 0 && c.flushed <= table_->confirmed; }
    bool unsettled(cached const& c) const noexcept { return c.dirty || !settled(c); }

    void in_memory_only() const {
        if (table_) throw std::logic_error("a table-backed state is not iterated in memory");
    }

    void assign(entities const& other) {
        if (!other.table_) {
            ids_ = other.ids_;
            entries_ = other.entries_;
            if (other.lazy_) lazy_ = std::make_unique<lazy_entries>(*other.lazy_);  // shares the bytes
            return;
        }
        other.for_each_id([&](std::uint32_t, std::string_view id) {
            ids_.intern(id);
            entries_.push_back(other.entry_of(id));
        });
    }

    std::string bytes() const {
        std::string out;
        ledger::detail::string_output_archive archive(out);
        save(archive);
        return out;
    }

    /// number ‖ CRC-32 of the entry's bytes ‖ those bytes, packed in the compact form; the
    /// number a varint in the ordered form.
    std::string encode(cached const& c) const {
        std::string entry;
        {
            ledger::detail::string_output_archive archive(entry);
            archive(c.entry);
        }
        boost::crc_32_type crc;
        crc.process_bytes(entry.data(), entry.size());
        std::uint32_t const check = crc.checksum();
        std::string out;
        if (ordered()) {
            ledger::detail::put_varint(c.number, out);
        } else {
            out.resize(4);
            std::memcpy(out.data(), &c.number, 4);
        }
        out.append(reinterpret_cast<char const*>(&check), 4);
        if (!compact()) return out + entry;
        pack_zero_bytes(entry, out);
        return out;
    }

    cached decode(std::string_view id, std::string_view value) const {
        auto const fail = [&](std::string const& why) {
            return damaged_entity("the entity " + std::string(id) + " of " + table_->model + " " + why);
        };
        auto const split = split_record(value);
        if (!split || split->second.size() < 4) throw fail("is too short");
        cached c;
        c.number = split->first;
        std::uint32_t check = 0;
        std::memcpy(&check, split->second.data(), 4);
        std::string unpacked;
        auto entry = split->second.substr(4);
        if (compact()) {
            try {
                unpacked = unpack_zero_bytes(entry);
            } catch (codec_error const& e) {
                throw fail(std::string("does not unpack: ") + e.what());
            }
            entry = unpacked;
        }
        boost::crc_32_type crc;
        crc.process_bytes(entry.data(), entry.size());
        if (crc.checksum() != check) throw fail("does not match its checksum");
        if (c.number >= table_->count) throw fail("has a number past the entities counted");
        try {
            ledger::detail::memory_input_archive archive(entry);
            archive(c.entry);
            ledger::detail::expect_consumed(archive, "entity");
        } catch (std::exception const& e) {
            throw fail(std::string("does not decode: ") + e.what());
        }
        return c;
    }

    /// The cached entry of `id`, read from the table on a miss, made when new and `create`.
    /// Marked dirty: the caller may change it.
    cached* lookup(std::string_view id, bool create) {
        auto& t = *table_;
        if (auto const hit = t.cache.find(id); hit != t.cache.end()) {
            hit->second.dirty = true;
            return &hit->second;
        }
        if (auto const stored = t.reader->get(item_key(id))) {
            ++t.reads;
            auto c = decode(id, *stored);
            c.dirty = true;
            c.numbered = true;
            return &t.cache.emplace(std::string(id), std::move(c)).first->second;
        }
        if (!create) return nullptr;
        return &t.cache.emplace(std::string(id), cached{Entry{}, t.count++, 0, true, false}).first->second;
    }

    /// The entry of `id` without caching it (save()).
    Entry entry_of(std::string_view id) const {
        auto& t = *table_;
        if (auto const hit = t.cache.find(id); hit != t.cache.end()) return hit->second.entry;
        auto const stored = t.reader->get(item_key(id));
        if (!stored) throw damaged_entity("the entity " + std::string(id) + " of " + t.model + " is numbered but missing");
        ++t.reads;
        return decode(id, *stored).entry;
    }

    /// Calls visit(number, id) for every entity in number order: the table's n/ records with
    /// the cached entities whose n/ record is not known to be committed merged in.
    template <class Visit>
    void for_each_id(Visit&& visit) const {
        if (compact()) {
            for_each_id_by_records(visit);
            return;
        }
        auto& t = *table_;
        std::vector<std::pair<std::uint32_t, std::string_view>> unnumbered;
        for (auto const& [id, c] : t.cache) {
            if (!c.numbered) unnumbered.emplace_back(c.number, id);
        }
        std::sort(unnumbered.begin(), unnumbered.end());
        auto next = unnumbered.begin();
        std::uint32_t expected = 0;
        auto const emit = [&](std::uint32_t number, std::string_view id) {
            if (number != expected) throw damaged_entity("the entities of " + t.model + " miss number " + std::to_string(expected));
            visit(number, id);
            ++expected;
        };
        auto const prefix = t.prefix + "n/";
        t.reader->scan(prefix, prefix, [&](std::string_view key, std::string_view id) {
            auto const number = parse_hex8(key.substr(prefix.size()));
            if (!number) throw damaged_entity("an entity number of " + t.model + " does not decode");
            for (; next != unnumbered.end() && next->first < *number; ++next) emit(next->first, next->second);
            if (next != unnumbered.end() && next->first == *number) ++next;  // committed meanwhile
            if (*number >= t.count) return false;  // a later flush's, not committed before this state's
            emit(*number, id);
            return true;
        });
        for (; next != unnumbered.end(); ++next) emit(next->first, next->second);
        if (expected != t.count) throw damaged_entity("the entities of " + t.model + " miss number " + std::to_string(expected));
    }

    /// for_each_id of the compact form, which has no n/ records: one scan of the i/ records
    /// (each carries its number) and the cached entities whose number is not known to be
    /// committed place every id at its number. Two ids of one number, or a number no id has,
    /// throw damaged_entity.
    template <class Visit>
    void for_each_id_by_records(Visit&& visit) const {
        auto& t = *table_;
        static constexpr std::size_t absent = std::numeric_limits<std::size_t>::max();
        std::string texts;  // the ids, one after the other
        std::vector<std::pair<std::size_t, std::size_t>> placed(t.count, {absent, 0});  // where in texts
        auto const place = [&](std::uint32_t number, std::string_view id) {
            auto& [at, size] = placed[number];
            if (at != absent) {
                if (std::string_view(texts).substr(at, size) == id) return;  // committed meanwhile
                throw damaged_entity("two entities of " + t.model + " have number " + std::to_string(number));
            }
            at = texts.size();
            size = id.size();
            texts += id;
        };
        for (auto const& [id, c] : t.cache) {
            if (!c.numbered) place(c.number, id);
        }
        auto const prefix = items_prefix();
        t.reader->scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
            if (key.size() == prefix.size()) return true;  // the ordered form's generation record
            auto const split = split_record(value);
            if (!split || split->second.size() < 4) throw damaged_entity("an entity record of " + t.model + " is too short");
            if (split->first < t.count) place(split->first, id_of(key));  // past it: a later flush's
            return true;
        });
        for (std::uint32_t number = 0; number < t.count; ++number) {
            auto const [at, size] = placed[number];
            if (at == absent) throw damaged_entity("the entities of " + t.model + " miss number " + std::to_string(number));
            visit(number, std::string_view(texts).substr(at, size));
        }
    }

    /// Entries loaded by load_lazily: where each one's saved bytes begin (and the end of the
    /// last), and those decoded so far (node-based: references stay valid as it grows).
    struct lazy_entries {
        std::shared_ptr<void const> keep;
        bool swapped = false;
        std::vector<char const*> starts;
        // Entries whose bytes do not end where the next one starts (loaded from pieces: one
        // across two pieces, kept in `joined`, or one ending at its piece's end): few, one per
        // piece at most. A copy shares `joined`, as it shares the bytes `keep` owns.
        std::unordered_map<std::uint32_t, std::string_view> apart;
        std::shared_ptr<std::deque<std::string>> joined = std::make_shared<std::deque<std::string>>();
        std::unordered_map<std::uint32_t, Entry> decoded;
        std::uint32_t count() const noexcept { return static_cast<std::uint32_t>(starts.size() - 1); }
        std::string_view bytes_of(std::uint32_t number) const {
            if (!apart.empty()) {
                if (auto const found = apart.find(number); found != apart.end()) return found->second;
            }
            return {starts[number], static_cast<std::size_t>(starts[number + 1] - starts[number])};
        }
        Entry& entry(std::uint32_t number) {
            auto [it, added] = decoded.try_emplace(number);
            if (added) {
                // Walked (and checked) once already by load_lazily: these bytes decode.
                auto archive = ledger::detail::memory_input_archive::continued_from(bytes_of(number), swapped);
                archive(it->second);
            }
            return it->second;
        }
    };

    std::uint32_t saved_count() const noexcept { return lazy_ ? lazy_->count() : 0; }
    /// The entry numbered `number` (< size()), decoded first when loaded lazily and not yet.
    Entry& entry_at(std::uint32_t number) {
        auto const saved = saved_count();
        return number < saved ? lazy_->entry(number) : entries_[number - saved];
    }
    /// A lazily loaded state's entries, every one decoded, back in entries_ (for iterating the
    /// whole; logically const: the entries are the same).
    void decode_all() const {
        if (!lazy_) return;
        std::deque<Entry> all;
        for (std::uint32_t number = 0; number < lazy_->count(); ++number) {
            auto const decoded = lazy_->decoded.find(number);
            if (decoded != lazy_->decoded.end()) {
                all.push_back(std::move(decoded->second));
            } else {
                auto archive = ledger::detail::memory_input_archive::continued_from(lazy_->bytes_of(number), lazy_->swapped);
                archive(all.emplace_back());
            }
        }
        for (auto& entry : entries_) all.push_back(std::move(entry));
        entries_ = std::move(all);
        lazy_.reset();
    }

    string_pool ids_;
    // By number in ids_; when loaded lazily, those numbered from lazy_->count() on (the rest in
    // lazy_). Mutable for decode_all() only.
    mutable std::deque<Entry> entries_;
    mutable std::unique_ptr<lazy_entries> lazy_;  // null: every entry in entries_
    std::unique_ptr<table_link> table_;  // null: in memory
};

}  // namespace ledger::projections::detail
