#pragma once
// The few facts a read model keeps per entity (a position, a candidate, a target), grouped by
// the entity's stream, each with the log position of the event that stated it.
//
// Used where a model needs an entity's own short history (a position's postings and fill, a
// candidate's consents, interests and contracts): a retraction names a position of its own
// stream and erases the facts stated there, so only remaining facts are kept and the state is
// bounded by the entities and what is still true of them, not by the events ever folded.
// Stream ids and other repeated texts are interned in a string_pool: a number, not a copy.

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include "ledger/envelope_codec.hpp"
#include "projections/detail/entity_archive.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ledger::projections::detail {

/// Distinct strings, each stored once and named by a dense 32-bit number, so facts hold a
/// number instead of a copy (memory) and compare numbers (speed).
///
/// Each text has a 16-byte record, numbered, in a deque (records never move): a text of up to
/// 12 characters (ids, codes, countries) sits in its record, a longer one in large blocks that
/// never move, the record pointing at it. The index is a set of numbers hashed by their text.
/// About 21 bytes per short text, the text's length + 21 per long one. A lookup that finds a
/// short text reads the index and the record only (interning is the folds' largest cost: the
/// characters elsewhere were a third cache miss per lookup).
class string_pool {
public:
    string_pool() = default;
    string_pool(string_pool const& other) { copy_from(other); }
    string_pool& operator=(string_pool const& other) {
        if (this != &other) {
            clear();
            copy_from(other);
        }
        return *this;
    }
    // The records live on the heap, where the index's functors point, so a move keeps them
    // valid; the moved-from pool gets new, empty ones.
    string_pool(string_pool&& other)
        : blocks_(std::move(other.blocks_)), records_(std::move(other.records_)), free_(other.free_),
          left_(other.left_), index_(std::move(other.index_)), last_(other.last_) {
        other.reset();
    }
    string_pool& operator=(string_pool&& other) {
        if (this != &other) {
            blocks_ = std::move(other.blocks_);
            records_ = std::move(other.records_);
            free_ = other.free_;
            left_ = other.left_;
            index_ = std::move(other.index_);
            last_ = other.last_;
            other.reset();
        }
        return *this;
    }
    ~string_pool() = default;

    /// The number of `text`, adding it when new.
    std::uint32_t intern(std::string_view text) {
        // Streams append in runs (a batch, a candidate's journey): the last one often repeats.
        if (!records_->empty() && (*records_)[last_].view() == text) return last_;
        auto const known = index_.find(text);
        if (known != index_.end()) return last_ = *known;
        auto const number = static_cast<std::uint32_t>(records_->size());
        append(text);
        index_.insert(number);
        return last_ = number;
    }

    /// The number of `text`, or nullopt when it was never interned.
    std::optional<std::uint32_t> find(std::string_view text) const {
        auto const known = index_.find(text);
        return known == index_.end() ? std::nullopt : std::optional(*known);
    }

    /// The text of `number`; the view stays valid as long as the pool (interning more texts
    /// does not move it).
    std::string_view text(std::uint32_t number) const { return (*records_)[number].view(); }
    std::size_t size() const noexcept { return records_->size(); }

    /// Saved as the count, the lengths (u32 each) and every character in one run, so a load
    /// copies the characters once into one block and rebuilds only the index (one hash and
    /// insert per text); before, each text was read into a string and copied again.
    template <class Archive>
    void save(Archive& archive) const {
        save_texts(archive, records_->size(), [&](auto&& visit) {
            for (auto const& record : *records_) visit(record.view());
        });
    }

    /// Writes what save() writes for `count` texts that `each(visit)` hands to `visit` in
    /// number order, twice (lengths, then characters): for texts kept elsewhere (entities in
    /// a table) whose saved form must be a pool's.
    template <class Archive, class Each>
    static void save_texts(Archive& archive, std::uint64_t count, Each const& each) {
        std::vector<std::uint32_t> lengths;
        std::uint64_t characters = 0;
        each([&](std::string_view text) {
            lengths.push_back(static_cast<std::uint32_t>(text.size()));
            characters += text.size();
        });
        if (lengths.size() != count) throw codec_error("a pool's texts do not add up to its count");
        archive(count, characters);
        if (!lengths.empty()) archive(cereal::binary_data(lengths.data(), lengths.size() * sizeof(std::uint32_t)));
        each([&](std::string_view text) {
            if (!text.empty()) archive(cereal::binary_data(text.data(), text.size()));
        });
    }

    template <class Archive>
    void load(Archive& archive) {
        std::uint64_t count = 0;
        std::uint64_t characters = 0;
        archive(count, characters);
        clear();
        // Sizes beyond the bytes left are refused before anything is allocated.
        if constexpr (requires { archive.remaining(); }) {
            if (count > archive.remaining() / sizeof(std::uint32_t) ||
                characters > archive.remaining() - count * sizeof(std::uint32_t)) {
                throw codec_error("a snapshot's string pool is larger than its record");
            }
        }
        std::vector<std::uint32_t> lengths(static_cast<std::size_t>(count));
        if (!lengths.empty()) archive(cereal::binary_data(lengths.data(), lengths.size() * sizeof(std::uint32_t)));
        std::uint64_t total = 0;
        for (auto const length : lengths) total += length;
        if (total != characters) throw codec_error("a snapshot's string pool does not add up");
        // Every character in one block; a long text's record points into it, a short one
        // holds its characters itself.
        char* next = nullptr;
        if (characters > 0) {
            next = blocks_.emplace_back(new char[static_cast<std::size_t>(characters)]).get();
            archive(cereal::binary_data(next, static_cast<std::size_t>(characters)));
        }
        index_.reserve(lengths.size());
        for (auto const length : lengths) {
            auto const number = static_cast<std::uint32_t>(records_->size());
            std::string_view const text{next, length};
            records_->emplace_back(text, length > text_record::in_place ? next : nullptr);
            next += length;
            // One lookup per text: the insert says whether it was there already.
            if (!index_.insert(number).second) throw codec_error("a snapshot's string pool repeats a string");
            last_ = number;
        }
    }

    friend bool operator==(string_pool const& a, string_pool const& b) {
        return std::equal(a.records_->begin(), a.records_->end(), b.records_->begin(), b.records_->end(),
                          [](text_record const& x, text_record const& y) { return x.view() == y.view(); });
    }

private:
    static constexpr std::size_t block_size = 64 * 1024;

    /// One text: its characters in place when they fit, else a pointer to them.
    class text_record {
    public:
        static constexpr std::size_t in_place = 12;
        text_record(std::string_view text, char const* elsewhere) noexcept
            : size_(static_cast<std::uint32_t>(text.size())) {
            if (text.size() <= in_place) std::copy(text.begin(), text.end(), chars_);
            else std::memcpy(chars_, &elsewhere, sizeof elsewhere);
        }
        std::string_view view() const noexcept {
            if (size_ <= in_place) return {chars_, size_};
            char const* elsewhere = nullptr;
            std::memcpy(&elsewhere, chars_, sizeof elsewhere);
            return {elsewhere, size_};
        }

    private:
        char chars_[in_place] = {};  // the characters, or the pointer to them
        std::uint32_t size_ = 0;
    };
    static_assert(sizeof(text_record) == 16);
    using records = std::deque<text_record>;

    // Hash and equality of numbers by their texts, and of a number with a text (lookups).
    struct by_text {
        using is_transparent = void;
        records const* texts;
        std::size_t operator()(std::uint32_t number) const noexcept { return (*this)((*texts)[number].view()); }
        std::size_t operator()(std::string_view text) const noexcept { return boost::hash<std::string_view>{}(text); }
    };
    struct same_text {
        using is_transparent = void;
        records const* texts;
        std::string_view of(std::uint32_t number) const noexcept { return (*texts)[number].view(); }
        std::string_view of(std::string_view text) const noexcept { return text; }
        template <class A, class B>
        bool operator()(A const& a, B const& b) const noexcept { return of(a) == of(b); }
    };

    /// Adds the record of `text` (its characters copied into a block when they do not fit).
    void append(std::string_view text) {
        records_->emplace_back(text, text.size() > text_record::in_place ? store(text).data() : nullptr);
    }

    /// Copies `text` into a block and returns the copy.
    std::string_view store(std::string_view text) {
        if (text.size() > left_) {
            // A text longer than a block gets a block of its own; the current one stays current.
            if (text.size() > block_size / 4) {
                auto& own = blocks_.emplace_back(new char[text.size()]);
                std::copy(text.begin(), text.end(), own.get());
                return {own.get(), text.size()};
            }
            free_ = blocks_.emplace_back(new char[block_size]).get();
            left_ = block_size;
        }
        std::copy(text.begin(), text.end(), free_);
        std::string_view const copy{free_, text.size()};
        free_ += text.size();
        left_ -= text.size();
        return copy;
    }

    void clear() {
        index_.clear();
        records_->clear();
        blocks_.clear();
        free_ = nullptr;
        left_ = 0;
        last_ = 0;
    }

    /// After a move from this pool: empty, with records and an index of its own.
    void reset() {
        records_ = std::make_unique<records>();
        index_ = index_type(0, by_text{records_.get()}, same_text{records_.get()});
        blocks_.clear();
        free_ = nullptr;
        left_ = 0;
        last_ = 0;
    }

    void copy_from(string_pool const& other) {
        for (auto const& record : *other.records_) append(record.view());
        index_.reserve(records_->size());
        for (std::uint32_t i = 0; i < records_->size(); ++i) index_.insert(i);
        last_ = other.last_;
    }

    using index_type = boost::unordered_flat_set<std::uint32_t, by_text, same_text>;
    std::vector<std::unique_ptr<char[]>> blocks_;  // never move their characters
    std::unique_ptr<records> records_ = std::make_unique<records>();  // by number
    char* free_ = nullptr;                                            // the unused rest of the current block
    std::size_t left_ = 0;
    index_type index_{0, by_text{records_.get()}, same_text{records_.get()}};
    std::uint32_t last_ = 0;  // the number intern() returned last
};

/// The remaining facts of each stream, grouped by stream, each stream's in log order.
/// `Fact` needs a `std::uint64_t position` member, a cereal `serialize` and operator==.
template <class Fact>
class stream_facts {
public:
    /// Remaining facts by stream id (interned in this object's pool).
    using grouped = boost::unordered_flat_map<std::uint32_t, few<Fact>>;

    /// Records a fact of `stream_id`. Facts arrive in log order.
    void add(std::string_view stream_id, Fact fact) {
        by_stream_[streams_.intern(stream_id)].push_back(std::move(fact));
    }

    /// Forgets what the event at `position` of `stream_id` stated; nothing when it stated
    /// nothing this read model keeps, or when that position is in another stream. A stream
    /// left without facts goes, so the state is what it would be had the event never happened
    /// (but for the stream's name, which stays interned).
    void retract(std::string_view stream_id, std::uint64_t position) {
        auto const stream = streams_.find(stream_id);
        if (!stream) return;
        auto const group = by_stream_.find(*stream);
        if (group == by_stream_.end()) return;
        auto& facts = group->second;
        auto const [first, last] = std::equal_range(
            facts.begin(), facts.end(), position,
            [](auto const& a, auto const& b) { return position_of(a) < position_of(b); });
        facts.erase(first, last);
        if (facts.empty()) by_stream_.erase(group);
    }

    /// The remaining facts grouped by stream (keys: numbers of stream_name()).
    grouped const& streams() const noexcept { return by_stream_; }
    std::string_view stream_name(std::uint32_t number) const { return streams_.text(number); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(streams_, by_stream_);
    }

    template <class Archive>
    void load(Archive& archive) {
        archive(streams_, by_stream_);
        for (auto const& [stream, facts] : by_stream_) {
            if (stream >= streams_.size()) throw codec_error("a snapshot's fact names an unknown stream");
        }
    }

    friend bool operator==(stream_facts const&, stream_facts const&) = default;

private:
    static std::uint64_t position_of(Fact const& fact) noexcept { return fact.position; }
    static std::uint64_t position_of(std::uint64_t position) noexcept { return position; }

    string_pool streams_;  // stream ids
    grouped by_stream_;
};

}  // namespace ledger::projections::detail
