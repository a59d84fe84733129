#include "ledger/envelope_codec.hpp"

#include "ledger/detail/binary_archive.hpp"

#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

namespace ledger {
namespace {

// The canonical field order. Changing it makes every existing ledger fail verification; the
// golden-bytes test in tests/test_envelope_codec.cpp guards it. `Event` is const when saving.
template <class Archive, class Event, class Micros>
void archive_body(Archive& ar, Event& e, Micros& occurred_at, Micros& recorded_at) {
    ar(e.position, e.stream, e.version, cereal::binary_data(e.id.data, sizeof e.id.data), e.type,
       e.schema_version, occurred_at, recorded_at, e.actor, e.correlation_id, e.causation_id,
       e.data, e.metadata);
}

}  // namespace

void encode_canonical_into(recorded_event const& event, std::string& out) {
    std::int64_t const occurred = to_micros(event.occurred_at);
    std::int64_t const recorded = to_micros(event.recorded_at);
    // Room for the fixed fields, the strings and a hash appended later, so one allocation.
    out.reserve(out.size() + 128 + event.stream.size() + event.type.size() + event.actor.size() +
                event.data.size() + event.metadata.size());
    detail::string_output_archive ar(out);
    archive_body(ar, event, occurred, recorded);
}

std::string encode_canonical(recorded_event const& event) {
    std::string out;
    encode_canonical_into(event, out);
    return out;
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

namespace {

/// Reads canonical bytes of the common shape (header byte 1: little-endian) field by field,
/// as archive_body does through cereal, with the same checks in the same order and the same
/// messages as memory_input_archive. A scan decodes every event of the log: cereal's archive
/// set-up and per-field dispatch cost more than the copies (docs/performance.md, rm-replay).
class canonical_reader {
public:
    explicit canonical_reader(std::string_view bytes) : next_(bytes.data()), end_(bytes.data() + bytes.size()) {}

    template <class T>
    T number() {
        T value;
        take(&value, sizeof value);
        return value;
    }
    void text(std::string& out) {
        auto const size = number<std::uint64_t>();
        if (size > remaining()) throw codec_error("a stored size is larger than its record");
        out.assign(next_, static_cast<std::size_t>(size));
        next_ += size;
    }
    void optional_text(std::optional<std::string>& out) {
        auto const nullopt = number<std::uint8_t>();
        if (nullopt > 1) throw codec_error("a stored bool is neither 0 nor 1");
        if (nullopt == 1) {
            out.reset();
            return;
        }
        if (!out) out.emplace();
        text(*out);
    }
    void take(void* data, std::size_t size) {
        if (size > remaining()) throw codec_error("stored value is shorter than its layout");
        std::memcpy(data, next_, size);
        next_ += size;
    }
    std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - next_); }

private:
    char const* next_;
    char const* end_;
};

/// archive_body's reading, by canonical_reader; the bytes start after the header byte.
void read_body(canonical_reader& in, recorded_event& e, std::int64_t& occurred, std::int64_t& recorded) {
    e.position = in.number<std::uint64_t>();
    in.text(e.stream);
    e.version = in.number<std::uint64_t>();
    in.take(e.id.data, sizeof e.id.data);
    in.text(e.type);
    e.schema_version = in.number<std::uint16_t>();
    occurred = in.number<std::int64_t>();
    recorded = in.number<std::int64_t>();
    in.text(e.actor);
    in.optional_text(e.correlation_id);
    in.optional_text(e.causation_id);
    in.text(e.data);
    in.text(e.metadata);
}

}  // namespace

void decode_stored_into(std::string_view stored, recorded_event& e) {
    auto const canonical = canonical_part(stored);
    std::int64_t occurred = 0;
    std::int64_t recorded = 0;
    if (!canonical.empty() && canonical.front() == '\1') {  // little-endian: every ledger this code wrote
        canonical_reader in(canonical.substr(1));
        read_body(in, e, occurred, recorded);
        if (in.remaining() != 0) throw codec_error("stored envelope has trailing bytes");
    } else {
        detail::memory_input_archive ar(canonical);
        archive_body(ar, e, occurred, recorded);
        detail::expect_consumed(ar, "stored envelope");
    }
    e.occurred_at = from_micros(occurred);
    e.recorded_at = from_micros(recorded);
    e.hash = stored_hash(stored);
}

recorded_event decode_stored(std::string_view stored) {
    recorded_event e;
    decode_stored_into(stored, e);
    return e;
}

}  // namespace ledger
