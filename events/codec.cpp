#include "events/codec.hpp"

#include "events/detail/registry.hpp"
#include "events/detail/struct_codec.hpp"
#include "ledger/detail/binary_archive.hpp"

#include <string>
#include <variant>

namespace ledger::events {
namespace {

error invalid_event(std::size_t index, detail::field_problem const& problem) {
    error e{error_code::invalid_event, problem.field + " " + problem.reason, {}};
    e.details["index"] = index;
    e.details["field"] = problem.field;
    e.details["reason"] = problem.reason;
    return e;
}

}  // namespace

result<recruitment_event> event_from_json(std::string_view type, boost::json::value const& data,
                                          std::size_t index) {
    auto const* entry = detail::find_type(type);
    if (entry == nullptr) {
        error e{error_code::unknown_event_type,
                "the catalogue has no event type \"" + std::string(type) + "\"", {}};
        e.details["index"] = index;
        e.details["type"] = type;
        return e;
    }
    auto const* object = data.if_object();
    if (object == nullptr) return invalid_event(index, {"data", "must be a JSON object"});
    recruitment_event event;
    if (auto problem = entry->from_json(*object, event)) return invalid_event(index, *problem);
    return event;
}

boost::json::object event_to_json(recruitment_event const& event) {
    return std::visit([](auto const& e) { return detail::to_json(e); }, event);
}

std::string encode_event(recruitment_event const& event) {
    std::string out;
    out.reserve(128);  // most events' data fits: one allocation instead of growing three times
    ledger::detail::string_output_archive ar(out);
    std::visit([&](auto const& e) { detail::write_fields(ar, e); }, event);
    return out;
}

}  // namespace ledger::events
