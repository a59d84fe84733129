#pragma once
// The struct-level codec every catalogue event gets from its one BOOST_DESCRIBE_STRUCT: JSON
// validation and mapping, binary encoding and decoding, and its catalogue description, all by
// walking the described members in declaration order.
//
// Per-struct extras are opt-in static members: `defaulted_fields` (may be absent in JSON and
// then keep their default member value) and `personal_fields` (personal data, SPEC §6).
// std::optional members and arrays are optional in JSON; every other member is required.

#include "events/detail/field_codec.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/object.hpp>
#include <boost/mp11/algorithm.hpp>
#include <cereal/cereal.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace ledger::events::detail {

template <class T>
using described_fields = boost::describe::describe_members<T, boost::describe::mod_public>;

template <class T>
constexpr bool is_defaulted_field(std::string_view name) {
    if constexpr (requires { T::defaulted_fields; }) {
        return std::ranges::find(T::defaulted_fields, name) != T::defaulted_fields.end();
    }
    return false;
}

template <class T>
constexpr bool is_personal_field(std::string_view name) {
    if constexpr (requires { T::personal_fields; }) {
        return std::ranges::find(T::personal_fields, name) != T::personal_fields.end();
    }
    return false;
}

/// Whether a member of type M may be absent from the JSON.
template <class M>
constexpr bool optional_in_json(bool defaulted) {
    return defaulted || is_optional<M>::value || is_vector<M>::value;
}

/// `found` (a problem of member `name`, its path relative to the member) with the member's
/// path "data.<name>" in front.
inline problem in_member(problem found, char const* name) {
    if (found) found->field.insert(0, std::string("data.") + name);
    return found;
}

/// Reads member `name` of `data` into `member`; absent (or null) optional members stay empty.
template <class M>
problem read_member(boost::json::object const& data, M& member, char const* name, bool defaulted) {
    auto const* value = data.if_contains(name);
    if (value == nullptr || value->is_null()) {
        if (optional_in_json<M>(defaulted)) return std::nullopt;
        return in_member(make_problem({}, value == nullptr ? "is required" : "must not be null"), name);
    }
    if constexpr (is_optional<M>::value) {
        auto& inner = member.emplace();
        if (auto p = read_json(*value, inner)) {
            member.reset();
            return in_member(std::move(p), name);
        }
        return std::nullopt;
    } else {
        return in_member(read_json(*value, member), name);
    }
}

/// The first key of `data` that is not a field of T.
template <class T>
problem find_unknown_field(boost::json::object const& data) {
    for (auto const& entry : data) {
        bool known = false;
        boost::mp11::mp_for_each<described_fields<T>>(
            [&](auto d) { known = known || entry.key() == d.name; });
        if (!known) {
            return make_problem("data." + std::string(entry.key()),
                                "is not a field of " + std::string(T::type_name));
        }
    }
    return std::nullopt;
}

/// Validates `data` field by field (declaration order, then unknown keys) into `out`.
template <class T>
problem from_json(boost::json::object const& data, T& out) {
    problem found;
    boost::mp11::mp_for_each<described_fields<T>>([&](auto d) {
        if (!found) {
            found = read_member(data, out.*d.pointer, d.name, is_defaulted_field<T>(d.name));
        }
    });
    if (!found) found = find_unknown_field<T>(data);
    return found;
}

/// The JSON object of `event`: every present member in declaration order.
template <class T>
boost::json::object to_json(T const& event) {
    boost::json::object out;
    boost::mp11::mp_for_each<described_fields<T>>([&](auto d) {
        auto const& member = event.*d.pointer;
        if constexpr (is_optional<std::remove_cvref_t<decltype(member)>>::value) {
            if (member) out[d.name] = write_json(*member);
        } else {
            out[d.name] = write_json(member);
        }
    });
    return out;
}

template <class Archive, class T>
void write_fields(Archive& ar, T const& event) {
    boost::mp11::mp_for_each<described_fields<T>>(
        [&](auto d) { write_binary(ar, event.*d.pointer); });
}

template <class Archive, class T>
void read_fields(Archive& ar, T& event) {
    boost::mp11::mp_for_each<described_fields<T>>(
        [&](auto d) { read_binary(ar, event.*d.pointer); });
}

/// The catalogue entry of each field: name, type, required, personal (and values/items).
template <class T>
boost::json::array describe_fields() {
    boost::json::array fields;
    boost::mp11::mp_for_each<described_fields<T>>([&](auto d) {
        using member = std::remove_cvref_t<decltype(std::declval<T const&>().*d.pointer)>;
        boost::json::object field;
        field["name"] = d.name;
        if constexpr (is_optional<member>::value) {
            describe_json_type(field, static_cast<typename member::value_type const*>(nullptr));
        } else {
            describe_json_type(field, static_cast<member const*>(nullptr));
        }
        field["required"] = !optional_in_json<member>(is_defaulted_field<T>(d.name));
        field["personal"] = is_personal_field<T>(d.name);
        if constexpr (!is_optional<member>::value) {
            if (is_defaulted_field<T>(d.name)) field["default"] = write_json(T{}.*d.pointer);
        }
        fields.push_back(std::move(field));
    });
    return fields;
}

}  // namespace ledger::events::detail
