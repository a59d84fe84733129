// Canonical bytes seen as writer fields and a template (detail/canonical_split.hpp).

#include "detail/canonical_split.hpp"

#include "ledger/envelope_codec.hpp"

#include <cstring>

namespace ledger::store::detail {
namespace {

std::uint64_t load_u64(char const* at) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, at, sizeof v);  // little-endian host (binary_archive.hpp asserts it)
    return v;
}

void append_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<char const*>(&v), sizeof v); }

// Whether `size` more bytes fit after `at` in `total` (no overflow for huge stored sizes).
bool fits(std::size_t at, std::uint64_t size, std::size_t total) noexcept { return at <= total && size <= total - at; }

}  // namespace

std::optional<canonical_parts> split_canonical(std::string_view c) noexcept {
    std::size_t const n = c.size();
    if (n < 17 || c[0] != '\x01') return std::nullopt;
    canonical_parts parts;
    parts.fields.position = load_u64(c.data() + 1);
    std::uint64_t const stream_size = load_u64(c.data() + 9);
    if (!fits(17, stream_size, n)) return std::nullopt;
    std::size_t const after_stream = 17 + static_cast<std::size_t>(stream_size);
    if (!fits(after_stream, 8 + 16 + 8, n)) return std::nullopt;
    parts.fields.version = load_u64(c.data() + after_stream);
    std::memcpy(parts.fields.id.data(), c.data() + after_stream + 8, 16);
    std::size_t const type_at = after_stream + 24;
    std::uint64_t const type_size = load_u64(c.data() + type_at);
    if (!fits(type_at + 8, type_size, n)) return std::nullopt;
    std::size_t const occurred_at = type_at + 8 + static_cast<std::size_t>(type_size) + 2;
    if (!fits(occurred_at, 16, n)) return std::nullopt;
    parts.occurred_at = load_u64(c.data() + occurred_at);
    parts.fields.recorded_at = load_u64(c.data() + occurred_at + 8);
    parts.head = c.substr(9, after_stream - 9);
    parts.middle = c.substr(type_at, occurred_at + 8 - type_at);
    parts.tail = c.substr(occurred_at + 16);
    return parts;
}

template_layout parse_template(std::string_view t) {
    std::size_t const n = t.size();
    if (n < 8) throw codec_error("log value template too short");
    std::uint64_t const stream_size = load_u64(t.data());
    if (!fits(8, stream_size, n) || !fits(8 + static_cast<std::size_t>(stream_size), 8, n)) {
        throw codec_error("log value template: stream name past its end");
    }
    template_layout layout;
    layout.version_at = 8 + static_cast<std::size_t>(stream_size);
    std::uint64_t const type_size = load_u64(t.data() + layout.version_at);
    if (!fits(layout.version_at + 8, type_size, n) ||
        !fits(layout.version_at + 8 + static_cast<std::size_t>(type_size), 2 + 8, n)) {
        throw codec_error("log value template: type past its end");
    }
    layout.recorded_at = layout.version_at + 8 + static_cast<std::size_t>(type_size) + 2 + 8;
    layout.occurred_at = load_u64(t.data() + layout.recorded_at - 8);
    return layout;
}

writer_fields fields_of(recorded_event const& event) noexcept {
    writer_fields fields{.position = event.position,
                         .version = event.version,
                         .recorded_at = static_cast<std::uint64_t>(to_micros(event.recorded_at))};
    std::memcpy(fields.id.data(), event.id.begin(), fields.id.size());
    return fields;
}

void join_canonical(std::string_view templ, template_layout const& layout, writer_fields const& fields,
                    std::string& out) {
    out.reserve(out.size() + templ.size() + writer_bytes + 32);
    out.push_back('\x01');
    append_u64(out, fields.position);
    out.append(templ.substr(0, layout.version_at));
    append_u64(out, fields.version);
    out.append(fields.id.data(), fields.id.size());
    out.append(templ.substr(layout.version_at, layout.recorded_at - layout.version_at));
    append_u64(out, fields.recorded_at);
    out.append(templ.substr(layout.recorded_at));
}

}  // namespace ledger::store::detail
