#pragma once
// Format 5's view of an envelope's canonical bytes (envelope_codec.cpp's field order): the
// fields the writer assigns (position, version, event id, recorded_at) and the rest, the
// "template", which is known before the writer and is what format 5 compresses
// (detail/log_values.hpp, docs/storage.md "Format 5").
//
//   canonical = 0x01 ‖ position ‖ stream ‖ version ‖ id ‖ type ‖ schema_version ‖ occurred_at
//               ‖ recorded_at ‖ actor ‖ correlation_id ‖ causation_id ‖ data ‖ metadata
//   template  = stream ‖ type ‖ schema_version ‖ occurred_at ‖ actor ‖ … ‖ metadata
// (integers little-endian, 8 bytes; strings an 8-byte size and their bytes; 0x01 is cereal's
// "little-endian" header byte, the only one this ledger writes.)
//
// Threading: pure functions. Errors: split_canonical says nullopt for bytes of another shape
// (a big-endian header, sizes past the end); parse_template and join_canonical throw
// codec_error for a template that is too short for its sizes.

#include "ledger/envelope.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store::detail {

/// What the writer assigns, as the canonical bytes hold it.
struct writer_fields {
    std::uint64_t position = 0;
    std::uint64_t version = 0;
    std::array<char, 16> id{};
    std::uint64_t recorded_at = 0;  // microseconds (two's complement), as stored
};

/// Where a template is cut to put the writer fields back, and its occurred_at.
struct template_layout {
    std::size_t version_at = 0;   // after the stream name
    std::size_t recorded_at = 0;  // after occurred_at
    std::uint64_t occurred_at = 0;
};

/// Canonical bytes seen as writer fields and the template's three pieces (template = head ‖
/// middle ‖ tail, views into the canonical bytes).
struct canonical_parts {
    writer_fields fields;
    std::uint64_t occurred_at = 0;
    std::string_view head, middle, tail;
    std::size_t template_size() const noexcept { return head.size() + middle.size() + tail.size(); }
};

/// Bytes the canonical form holds beyond its template: header, position, version, id, recorded_at.
inline constexpr std::size_t writer_bytes = 1 + 8 + 8 + 16 + 8;

std::optional<canonical_parts> split_canonical(std::string_view canonical) noexcept;

/// Throws codec_error when `templ` is too short for the sizes it holds.
template_layout parse_template(std::string_view templ);

/// The writer fields of `event`, as its canonical bytes hold them.
writer_fields fields_of(recorded_event const& event) noexcept;

/// Appends the canonical bytes of `templ` with `fields` put back to `out`.
void join_canonical(std::string_view templ, template_layout const& layout, writer_fields const& fields,
                    std::string& out);

}  // namespace ledger::store::detail
