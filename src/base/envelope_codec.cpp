#include "ledger/envelope_codec.hpp"

#include "ledger/detail/memory_streambuf.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>

#include <istream>
#include <sstream>

namespace ledger {
namespace {

// A string member as cereal stores it (a u64 size, then the bytes), but on load a size larger
// than the whole record is refused before anything is allocated: damaged bytes must give a
// codec_error, not a terabyte allocation. Saving is cereal's own, so the format is unchanged.
template <class S>
struct bounded {
    S& value;
    std::size_t limit;
};

template <class Archive>
void save(Archive& ar, bounded<std::string const> const& b) {
    ar(b.value);
}

template <class Archive>
void save(Archive& ar, bounded<std::optional<std::string> const> const& b) {
    ar(b.value);
}

template <class Archive>
void load_bounded(Archive& ar, std::string& value, std::size_t limit) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    if (size > limit) throw codec_error("a stored string is longer than its record");
    value.resize(static_cast<std::size_t>(size));
    ar(cereal::binary_data(value.data(), value.size()));
}

template <class Archive>
void load(Archive& ar, bounded<std::string>& b) {
    load_bounded(ar, b.value, b.limit);
}

template <class Archive>
void load(Archive& ar, bounded<std::optional<std::string>>& b) {
    // cereal writes a one-byte "nullopt" flag first; read it as a number, since loading any
    // other byte than 0 or 1 into a bool is undefined behaviour.
    std::uint8_t absent = 1;
    ar(absent);
    if (absent > 1) throw codec_error("a stored optional flag is neither 0 nor 1");
    if (absent == 1) {
        b.value.reset();
        return;
    }
    b.value.emplace();
    load_bounded(ar, *b.value, b.limit);
}

template <class S>
bounded<S> bound(S& value, std::size_t limit) {
    return {value, limit};
}

// The canonical field order. Changing it makes every existing ledger fail verification; the
// golden-bytes test in tests/test_envelope_codec.cpp guards it. `Event` is const when saving;
// `limit` bounds stored string sizes when loading.
template <class Archive, class Event, class Micros>
void archive_body(Archive& ar, Event& e, Micros& occurred_at, Micros& recorded_at, std::size_t limit) {
    ar(e.position, bound(e.stream, limit), e.version, cereal::binary_data(e.id.data, sizeof e.id.data),
       bound(e.type, limit), e.schema_version, occurred_at, recorded_at, bound(e.actor, limit),
       bound(e.correlation_id, limit), bound(e.causation_id, limit), bound(e.data, limit),
       bound(e.metadata, limit));
}

}  // namespace

std::string encode_canonical(recorded_event const& event) {
    std::int64_t const occurred = to_micros(event.occurred_at);
    std::int64_t const recorded = to_micros(event.recorded_at);
    std::ostringstream out(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(out);
        archive_body(ar, event, occurred, recorded, 0);
    }
    return std::move(out).str();
}

std::string with_hash(std::string canonical, sha256_digest const& hash) {
    canonical.append(reinterpret_cast<char const*>(hash.data()), hash.size());
    return canonical;
}

std::string encode_stored(recorded_event const& event) {
    return with_hash(encode_canonical(event), event.hash);
}

std::string_view canonical_part(std::string_view stored) {
    if (stored.size() < sizeof(sha256_digest)) throw codec_error("stored envelope too short");
    return stored.substr(0, stored.size() - sizeof(sha256_digest));
}

sha256_digest stored_hash(std::string_view stored) {
    if (stored.size() < sizeof(sha256_digest)) throw codec_error("stored envelope too short");
    sha256_digest hash{};
    auto const tail = stored.substr(stored.size() - hash.size());
    std::copy(tail.begin(), tail.end(), reinterpret_cast<char*>(hash.data()));
    return hash;
}

recorded_event decode_stored(std::string_view stored) {
    auto const canonical = canonical_part(stored);
    recorded_event e;
    std::int64_t occurred = 0;
    std::int64_t recorded = 0;
    detail::memory_streambuf buffer(canonical);
    std::istream in(&buffer);
    try {
        cereal::PortableBinaryInputArchive ar(in);
        archive_body(ar, e, occurred, recorded, canonical.size());
    } catch (std::exception const& ex) {
        // cereal::Exception for short input; length_error or bad_alloc for a corrupted size.
        throw codec_error(std::string("cannot decode stored envelope: ") + ex.what());
    }
    if (in.peek() != std::char_traits<char>::eof()) {
        throw codec_error("stored envelope has trailing bytes");
    }
    e.occurred_at = from_micros(occurred);
    e.recorded_at = from_micros(recorded);
    e.hash = stored_hash(stored);
    return e;
}

}  // namespace ledger
