#pragma once
// Events of `target-` streams: a yearly hiring target (SPEC §5). TargetSet creates the stream.

#include "events/enums.hpp"

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::events {

struct target_set {
    static constexpr std::string_view type_name = "TargetSet";
    static constexpr std::string_view category_name = "target";
    static constexpr std::uint16_t schema_version = 1;
    std::string organisation;
    std::int32_t year = 0;
    doctor_role role{};
    std::uint32_t hires = 0;
    friend bool operator==(target_set const&, target_set const&) = default;
};
BOOST_DESCRIBE_STRUCT(target_set, (), (organisation, year, role, hires))

}  // namespace ledger::events
