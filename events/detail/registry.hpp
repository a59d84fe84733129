#pragma once
// One row per catalogue type, generated from the recruitment_event variant: the lookup table
// behind decode_event, event_from_json and catalog_json.

#include "events/detail/field_codec.hpp"
#include "events/recruitment_event.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <span>
#include <string_view>

namespace ledger::events::detail {

struct type_entry {
    std::string_view type_name;
    std::string_view category;  // empty: any category (EventRetracted)
    std::uint16_t schema_version = 1;
    /// Validates JSON data into `out`; the field problem when it does not validate.
    problem (*from_json)(boost::json::object const& data, recruitment_event& out) = nullptr;
    /// Decodes bytes written at the current schema_version. Throws codec_error.
    recruitment_event (*decode_current)(std::string_view bytes) = nullptr;
    /// The same into `out`, reusing its memory when it holds this type already. Throws
    /// codec_error (then `out` holds some value of this type).
    void (*decode_current_into)(std::string_view bytes, recruitment_event& out) = nullptr;
    boost::json::array (*describe_fields)() = nullptr;
};

/// The row for `type`, or nullptr when the catalogue has no such type.
type_entry const* find_type(std::string_view type) noexcept;

/// Every row, in recruitment_event alternative order.
std::span<type_entry const> all_types() noexcept;

}  // namespace ledger::events::detail
