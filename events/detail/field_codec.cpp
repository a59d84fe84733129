#include "events/detail/field_codec.hpp"

namespace ledger::events::detail {

problem read_json(boost::json::value const& v, std::string& out) {
    auto const* text = v.if_string();
    if (text == nullptr) return make_problem({}, "must be a string");
    if (text->empty()) return make_problem({}, "must not be empty");
    out.assign(text->data(), text->size());
    return std::nullopt;
}

problem read_json(boost::json::value const& v, bool& out) {
    if (!v.is_bool()) return make_problem({}, "must be true or false");
    out = v.get_bool();
    return std::nullopt;
}

problem read_json(boost::json::value const& v, date& out) {
    auto const* text = v.if_string();
    auto const parsed = text ? parse_date(*text) : std::nullopt;
    if (!parsed) return make_problem({}, "must be a calendar date YYYY-MM-DD");
    out = *parsed;
    return std::nullopt;
}

problem read_json(boost::json::value const& v, timestamp& out) {
    auto const* text = v.if_string();
    auto const parsed = text ? parse_timestamp(*text) : std::nullopt;
    if (!parsed) return make_problem({}, "must be an RFC 3339 date-time or a date YYYY-MM-DD");
    out = *parsed;
    return std::nullopt;
}

problem read_json(boost::json::value const& v, country_code& out) {
    auto const* text = v.if_string();
    if (text != nullptr) {
        auto const code = normalise_country(*text);
        if (is_assigned_country(code)) {
            out.value.assign(code);
            return std::nullopt;
        }
    }
    return make_problem({}, "must be an ISO 3166-1 alpha-2 country code such as \"SE\"");
}

problem read_json(boost::json::value const& v, currency_code& out) {
    auto const* text = v.if_string();
    if (text != nullptr && is_active_currency(*text)) {
        out.value.assign(text->data(), text->size());
        return std::nullopt;
    }
    return make_problem({}, "must be an ISO 4217 currency code such as \"SEK\"");
}

boost::json::value write_json(std::string const& v) { return boost::json::value(v); }
boost::json::value write_json(bool v) { return boost::json::value(v); }
boost::json::value write_json(date v) { return boost::json::value(format_date(v)); }
boost::json::value write_json(timestamp v) { return boost::json::value(format_timestamp(v)); }
boost::json::value write_json(country_code const& v) { return boost::json::value(v.value); }
boost::json::value write_json(currency_code const& v) { return boost::json::value(v.value); }

void describe_json_type(boost::json::object& field, std::string const*) {
    field["type"] = "string";
}
void describe_json_type(boost::json::object& field, bool const*) { field["type"] = "boolean"; }
void describe_json_type(boost::json::object& field, date const*) { field["type"] = "date"; }
void describe_json_type(boost::json::object& field, timestamp const*) {
    field["type"] = "date-time";
}
void describe_json_type(boost::json::object& field, country_code const*) {
    field["type"] = "country";
}
void describe_json_type(boost::json::object& field, currency_code const*) {
    field["type"] = "currency";
}

}  // namespace ledger::events::detail
