#pragma once
// EventRetracted: the one correction event, allowed in every stream category (SPEC §5).
// Projections and the domain rules treat the retracted event as if it had never happened; the
// corrected fact is appended anew.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::events {

struct event_retracted {
    static constexpr std::string_view type_name = "EventRetracted";
    static constexpr std::string_view category_name = "";  // any category
    static constexpr std::uint16_t schema_version = 1;
    std::uint64_t position = 0;  // global log position of an earlier event of the same stream
    std::string reason;
    friend bool operator==(event_retracted const&, event_retracted const&) = default;
};
BOOST_DESCRIBE_STRUCT(event_retracted, (), (position, reason))

}  // namespace ledger::events
