#pragma once
// Which fields of the catalogue hold personal data (SPEC §6): the members a struct lists in
// `personal_fields`. The privacy layer (src/app/personal_data.cpp) encrypts exactly these.
//
// Pure and thread-safe.

#include "events/recruitment_event.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace ledger::events {

/// Whether events of `type` have at least one personal field.
bool has_personal_fields(std::string_view type);

/// Calls `visit(field_name, value)` for each present personal field of `event` (personal
/// fields are strings or optional strings), in declaration order; `visit` may change `value`.
void for_each_personal_field(recruitment_event& event,
                             std::function<void(std::string_view, std::string&)> const& visit);

}  // namespace ledger::events
