#include "ledger/envelope_codec.hpp"

#include "ledger/detail/binary_archive.hpp"

#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>

#include <algorithm>

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

void decode_stored_into(std::string_view stored, recorded_event& e) {
    auto const canonical = canonical_part(stored);
    std::int64_t occurred = 0;
    std::int64_t recorded = 0;
    detail::memory_input_archive ar(canonical);
    archive_body(ar, e, occurred, recorded);
    detail::expect_consumed(ar, "stored envelope");
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
