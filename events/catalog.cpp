#include "events/catalog.hpp"

#include "events/codec.hpp"
#include "events/detail/registry.hpp"
#include "events/rules.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace ledger::events {

result<encoded_data> encode_data(std::string_view type, boost::json::value const& data,
                                 std::size_t index) {
    auto event = event_from_json(type, data, index);
    if (!event) return event.error();
    return encoded_data{detail::find_type(type)->schema_version, encode_event(*event)};
}

boost::json::object data_to_json(std::string_view type, std::uint16_t schema_version,
                                 std::string_view bytes) {
    return event_to_json(decode_event(type, schema_version, bytes));
}

bool is_known_type(std::string_view type) { return detail::find_type(type) != nullptr; }

bool is_known_category(std::string_view category) {
    return std::ranges::any_of(stream_categories(),
                               [&](category_info const& c) { return c.name == category; });
}

namespace {

boost::json::array categories_json() {
    boost::json::array out;
    for (auto const& c : stream_categories()) {
        out.push_back(boost::json::object{{"name", c.name}, {"creation_event", c.creation_event}});
    }
    return out;
}

boost::json::array types_json() {
    boost::json::array out;
    for (auto const& t : detail::all_types()) {
        boost::json::object type;
        type["type"] = t.type_name;
        // EventRetracted has no category of its own: it is accepted in every stream.
        type["category"] = t.category.empty() ? std::string_view("any") : t.category;
        type["schema_version"] = t.schema_version;
        type["fields"] = t.describe_fields();
        out.push_back(std::move(type));
    }
    return out;
}

boost::json::array rules_json() {
    boost::json::array out;
    for (auto const& r : domain_rules()) {
        out.push_back(boost::json::object{
            {"name", r.name}, {"code", to_string(r.code)}, {"description", r.description}});
    }
    return out;
}

}  // namespace

boost::json::value catalog_json() {
    return boost::json::object{
        {"categories", categories_json()}, {"types", types_json()}, {"rules", rules_json()}};
}

}  // namespace ledger::events
