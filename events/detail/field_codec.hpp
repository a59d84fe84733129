#pragma once
// The leaf types of the catalogue (strings, booleans, integers, dates, date-times, countries,
// currencies, described enums and arrays of these) and, for each, the four things the
// struct-level codec derives everything from: read JSON, write JSON, write and read the binary
// form, and describe the JSON type for GET /v1/catalog.
//
// Binary layout per leaf (cereal portable binary, little-endian): string = u64 length + bytes;
// bool = 1 byte; integer = its own width; enum = u8; date = i32 days since 1970-01-01;
// date-time = i64 microseconds since the epoch; country/currency = string; array = u32 count
// + elements. Changing any of these makes stored ledgers unreadable.

#include "events/codes.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/time.hpp"

#include <boost/describe/enum.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <cereal/types/string.hpp>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ledger::events::detail {

/// A field that failed validation: its path ("data.partners[2]") and why. The read_json
/// functions below report paths relative to the value they read ("" for the value itself,
/// "[2]" for an array's item); read_member (struct_codec.hpp) puts "data.<member>" in front,
/// only when there is a problem: appends read every field of every event.
struct field_problem {
    std::string field;
    std::string reason;
};
using problem = std::optional<field_problem>;

template <class E>
concept described_enum = std::is_enum_v<E> && boost::describe::has_describe_enumerators<E>::value;

template <class I>
concept plain_integer = std::integral<I> && !std::same_as<I, bool>;

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

inline field_problem make_problem(std::string_view path, std::string reason) {
    return field_problem{std::string(path), std::move(reason)};
}

// ---- JSON in ---------------------------------------------------------------------------------

/// Strings must be non-empty: an empty name, id or reason records nothing.
problem read_json(boost::json::value const& v, std::string& out);
problem read_json(boost::json::value const& v, bool& out);
problem read_json(boost::json::value const& v, date& out);
problem read_json(boost::json::value const& v, timestamp& out);
problem read_json(boost::json::value const& v, country_code& out);
problem read_json(boost::json::value const& v, currency_code& out);

/// Integers: JSON integers only (no 1.0), never negative (no count or amount in the catalogue
/// is), and within the field's C++ type.
template <plain_integer I>
problem read_json(boost::json::value const& v, I& out) {
    if (v.is_int64()) {
        std::int64_t const n = v.get_int64();
        if (n < 0) return make_problem({}, "must not be negative");
        if (!std::in_range<I>(n)) return make_problem({}, "is too large");
        out = static_cast<I>(n);
        return std::nullopt;
    }
    if (v.is_uint64()) {
        std::uint64_t const n = v.get_uint64();
        if (!std::in_range<I>(n)) return make_problem({}, "is too large");
        out = static_cast<I>(n);
        return std::nullopt;
    }
    return make_problem({}, "must be an integer");
}

/// The names of E's enumerators, "a, b, c", for messages and the catalogue.
template <described_enum E>
std::string enum_names() {
    std::string names;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        if (!names.empty()) names += ", ";
        names += d.name;
    });
    return names;
}

template <described_enum E>
problem read_json(boost::json::value const& v, E& out) {
    bool found = false;
    if (auto const* text = v.if_string()) {
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
            if (!found && *text == d.name) {
                out = d.value;
                found = true;
            }
        });
    }
    if (found) return std::nullopt;
    return make_problem({}, "must be one of: " + enum_names<E>());
}

template <class T>
problem read_json(boost::json::value const& v, std::vector<T>& out) {
    auto const* items = v.if_array();
    if (items == nullptr) return make_problem({}, "must be an array");
    out.clear();
    out.reserve(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
        T item{};
        if (auto p = read_json((*items)[i], item)) {
            p->field.insert(0, "[" + std::to_string(i) + "]");
            return p;
        }
        out.push_back(std::move(item));
    }
    return std::nullopt;
}

// ---- JSON out --------------------------------------------------------------------------------

boost::json::value write_json(std::string const& v);
boost::json::value write_json(bool v);
boost::json::value write_json(date v);
boost::json::value write_json(timestamp v);
boost::json::value write_json(country_code const& v);
boost::json::value write_json(currency_code const& v);

template <plain_integer I>
boost::json::value write_json(I v) {
    return boost::json::value(v);
}

template <described_enum E>
boost::json::value write_json(E v) {
    char const* name = "";
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        if (v == d.value) name = d.name;
    });
    return boost::json::value(name);
}

template <class T>
boost::json::value write_json(std::vector<T> const& items) {
    boost::json::array out;
    out.reserve(items.size());
    for (auto const& item : items) out.push_back(write_json(item));
    return out;
}

// ---- binary ----------------------------------------------------------------------------------

template <class Archive>
void write_binary(Archive& ar, std::string const& v) { ar(v); }
/// The size of the bytes being decoded on this thread (set by decode_binary): no string in
/// them can be longer, so a damaged length is refused before it is allocated.
inline thread_local std::size_t decoding_input_size = std::size_t(-1);

template <class Archive>
void read_binary(Archive& ar, std::string& v) {
    // Same layout as cereal's own string load, with the length checked first: cereal would
    // resize to any stored length, up to terabytes (found by fuzzing).
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    if (size > decoding_input_size) throw codec_error("stored string is longer than its input");
    v.resize(static_cast<std::size_t>(size));
    ar(cereal::binary_data(v.data(), v.size()));
}

template <class Archive>
void write_binary(Archive& ar, bool v) { ar(v); }
template <class Archive>
void read_binary(Archive& ar, bool& v) {
    // Read the byte as a number: loading any byte but 0 or 1 into a bool is undefined behaviour
    // (found by tests/fuzz), and stored bytes may be damaged.
    std::uint8_t byte = 0;
    ar(byte);
    if (byte > 1) throw codec_error("stored boolean is neither 0 nor 1");
    v = byte == 1;
}

template <class Archive, plain_integer I>
void write_binary(Archive& ar, I v) { ar(v); }
template <class Archive, plain_integer I>
void read_binary(Archive& ar, I& v) { ar(v); }

template <class Archive>
void write_binary(Archive& ar, date v) {
    ar(static_cast<std::int32_t>(v.time_since_epoch().count()));
}
template <class Archive>
void read_binary(Archive& ar, date& v) {
    std::int32_t days = 0;
    ar(days);
    v = date{std::chrono::days{days}};
}

template <class Archive>
void write_binary(Archive& ar, timestamp v) { ar(to_micros(v)); }
template <class Archive>
void read_binary(Archive& ar, timestamp& v) {
    std::int64_t micros = 0;
    ar(micros);
    v = from_micros(micros);
}

template <class Archive, class Code>
    requires std::same_as<Code, country_code> || std::same_as<Code, currency_code>
void write_binary(Archive& ar, Code const& v) { ar(v.value); }
template <class Archive, class Code>
    requires std::same_as<Code, country_code> || std::same_as<Code, currency_code>
void read_binary(Archive& ar, Code& v) { read_binary(ar, v.value); }

template <class Archive, described_enum E>
void write_binary(Archive& ar, E v) {
    static_assert(sizeof(E) == 1, "catalogue enums are stored as one byte");
    ar(static_cast<std::uint8_t>(v));
}
template <class Archive, described_enum E>
void read_binary(Archive& ar, E& v) {
    std::uint8_t raw = 0;
    ar(raw);
    bool known = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        known = known || static_cast<std::uint8_t>(d.value) == raw;
    });
    if (!known) throw codec_error("stored enum value out of range");
    v = static_cast<E>(raw);
}

template <class Archive, class T>
void write_binary(Archive& ar, std::vector<T> const& items) {
    ar(static_cast<std::uint32_t>(items.size()));
    for (auto const& item : items) write_binary(ar, item);
}
template <class Archive, class T>
void read_binary(Archive& ar, std::vector<T>& items) {
    std::uint32_t count = 0;
    ar(count);
    // No reserve: a corrupted count must fail at the end of the input, not allocate first.
    // Items already there are read into (a reused event keeps their memory), then the rest.
    std::size_t const kept = std::min<std::size_t>(items.size(), count);
    items.resize(kept);
    for (std::size_t i = 0; i < kept; ++i) read_binary(ar, items[i]);
    for (std::size_t i = kept; i < count; ++i) {
        T item{};
        read_binary(ar, item);
        items.push_back(std::move(item));
    }
}

template <class Archive, class T>
void write_binary(Archive& ar, std::optional<T> const& v) {
    ar(v.has_value());
    if (v) write_binary(ar, *v);
}
template <class Archive, class T>
void read_binary(Archive& ar, std::optional<T>& v) {
    bool present = false;
    read_binary(ar, present);
    if (!present) {
        v.reset();
        return;
    }
    if (!v) v.emplace();  // a value already there is read into: a reused event keeps its memory
    read_binary(ar, *v);
}

// ---- catalogue description -------------------------------------------------------------------

/// Sets "type" (and "values" or "items") of a field's catalogue entry.
void describe_json_type(boost::json::object& field, std::string const*);
void describe_json_type(boost::json::object& field, bool const*);
void describe_json_type(boost::json::object& field, date const*);
void describe_json_type(boost::json::object& field, timestamp const*);
void describe_json_type(boost::json::object& field, country_code const*);
void describe_json_type(boost::json::object& field, currency_code const*);

template <plain_integer I>
void describe_json_type(boost::json::object& field, I const*) {
    field["type"] = "integer";
}

template <described_enum E>
void describe_json_type(boost::json::object& field, E const*) {
    field["type"] = "enum";
    boost::json::array values;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>(
        [&](auto d) { values.emplace_back(d.name); });
    field["values"] = std::move(values);
}

template <class T>
void describe_json_type(boost::json::object& field, std::vector<T> const*) {
    field["type"] = "array";
    boost::json::object item;
    describe_json_type(item, static_cast<T const*>(nullptr));
    field["items"] = std::move(item);
}

}  // namespace ledger::events::detail
