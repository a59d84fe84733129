// events::data_token_reader (data_tokens.hpp): each leaf read the way field_codec.cpp's read_json
// reads it, each member the way struct_codec.hpp's read_member does, all from the one
// BOOST_DESCRIBE_STRUCT per type. Where read_json would report a problem, this returns false.

#include "events/data_tokens.hpp"

#include "events/detail/consistency.hpp"
#include "events/detail/registry.hpp"
#include "events/detail/struct_codec.hpp"

#include <boost/mp11/algorithm.hpp>

#include <array>
#include <utility>
#include <variant>

namespace ledger::events {
namespace {

namespace mp11 = boost::mp11;
using detail::described_fields;

enum class token_kind { string, int64, uint64, boolean };

/// One scalar token (null is handled before a leaf is read).
struct token {
    token_kind kind;
    std::string_view text;
    std::int64_t signed_number = 0;
    std::uint64_t unsigned_number = 0;
    bool flag = false;
};

bool read_leaf(token const& t, std::string& out) {
    if (t.kind != token_kind::string || t.text.empty()) return false;
    out.assign(t.text.data(), t.text.size());
    return true;
}

bool read_leaf(token const& t, bool& out) {
    if (t.kind != token_kind::boolean) return false;
    out = t.flag;
    return true;
}

bool read_leaf(token const& t, date& out) {
    auto const parsed = t.kind == token_kind::string ? parse_date(t.text) : std::nullopt;
    if (parsed) out = *parsed;
    return parsed.has_value();
}

bool read_leaf(token const& t, timestamp& out) {
    auto const parsed = t.kind == token_kind::string ? parse_timestamp(t.text) : std::nullopt;
    if (parsed) out = *parsed;
    return parsed.has_value();
}

bool read_leaf(token const& t, country_code& out) {
    if (t.kind != token_kind::string) return false;
    auto const code = normalise_country(t.text);
    if (!is_assigned_country(code)) return false;
    out.value.assign(code);
    return true;
}

bool read_leaf(token const& t, currency_code& out) {
    if (t.kind != token_kind::string || !is_active_currency(t.text)) return false;
    out.value.assign(t.text.data(), t.text.size());
    return true;
}

template <detail::plain_integer I>
bool read_leaf(token const& t, I& out) {
    if (t.kind == token_kind::int64 && t.signed_number >= 0 && std::in_range<I>(t.signed_number)) {
        out = static_cast<I>(t.signed_number);
        return true;
    }
    if (t.kind == token_kind::uint64 && std::in_range<I>(t.unsigned_number)) {
        out = static_cast<I>(t.unsigned_number);
        return true;
    }
    return false;
}

template <detail::described_enum E>
bool read_leaf(token const& t, E& out) {
    bool found = false;
    if (t.kind != token_kind::string) return false;
    mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        if (!found && t.text == d.name) {
            out = d.value;
            found = true;
        }
    });
    return found;
}

/// The vector a member's array fills (the member, or an optional's value), else nullptr.
template <class M>
auto* array_of(M& member) {
    if constexpr (detail::is_vector<M>::value) {
        return &member;
    } else if constexpr (detail::is_optional<M>::value) {
        if constexpr (detail::is_vector<typename M::value_type>::value) {
            return &member.emplace();
        } else {
            return static_cast<std::vector<int>*>(nullptr);
        }
    } else {
        return static_cast<std::vector<int>*>(nullptr);
    }
}

/// A scalar token for `member` (an item of it when `in_array`): read_member's rules.
template <class M>
bool read_scalar(token const& t, M& member, bool in_array) {
    if constexpr (detail::is_vector<M>::value) {
        if (!in_array) return false;
        typename M::value_type item{};
        if (!read_leaf(t, item)) return false;
        member.push_back(std::move(item));
        return true;
    } else if constexpr (detail::is_optional<M>::value) {
        if constexpr (detail::is_vector<typename M::value_type>::value) {
            return in_array && read_scalar(t, *member, true);
        } else {
            return !in_array && read_leaf(t, member.emplace());
        }
    } else {
        return !in_array && read_leaf(t, member);
    }
}

/// Calls `f(event, descriptor)` for member `member` of the event alternative `type_index` in
/// `out`; false when there is no such member.
template <class F>
bool with_member(recruitment_event& out, std::size_t type_index, std::size_t member, F&& f) {
    return mp11::mp_with_index<std::variant_size_v<recruitment_event>>(type_index, [&](auto I) {
        auto& event = std::get<I>(out);
        using fields = described_fields<std::remove_cvref_t<decltype(event)>>;
        if constexpr (mp11::mp_size<fields>::value == 0) {
            return false;
        } else {
            if (member >= mp11::mp_size<fields>::value) return false;
            return mp11::mp_with_index<mp11::mp_size<fields>::value>(
                member, [&](auto J) { return f(event, mp11::mp_at_c<fields, J>{}); });
        }
    });
}

constexpr std::size_t no_member = 64;

/// T's member names in declaration order, made once: a key is compared with string_views
/// (length first) instead of with describe's C strings, which would each cost a strlen.
template <class T>
constexpr auto member_names = [] {
    std::array<std::string_view, mp11::mp_size<described_fields<T>>::value> names{};
    std::size_t index = 0;
    mp11::mp_for_each<described_fields<T>>([&](auto d) { names[index++] = d.name; });
    return names;
}();

}  // namespace

bool data_token_reader::begin(std::string_view type, recruitment_event& out) {
    auto const* entry = detail::find_type(type);
    if (entry == nullptr) return false;
    type_index_ = static_cast<std::size_t>(entry - detail::all_types().data());
    mp11::mp_with_index<std::variant_size_v<recruitment_event>>(type_index_, [&](auto I) {
        using event_type = std::variant_alternative_t<I, recruitment_event>;
        static_assert(mp11::mp_size<described_fields<event_type>>::value < no_member, "a bit per member in seen_");
        out.emplace<I>();  // value-initialised, as from_json's `T event{}`
    });
    mp11::mp_with_index<std::variant_size_v<recruitment_event>>(type_index_, [&](auto I) {
        names_ = member_names<std::variant_alternative_t<I, recruitment_event>>;
    });
    out_ = &out;
    member_ = no_member;
    seen_ = 0;
    in_array_ = false;
    return true;
}

bool data_token_reader::key(std::string_view name) {
    std::size_t found = no_member;
    for (std::size_t index = 0; index < names_.size() && found == no_member; ++index) {
        if (names_[index] == name) found = index;
    }
    if (found == no_member || (seen_ >> found & 1) != 0) return false;  // unknown or repeated
    member_ = found;
    seen_ |= std::uint64_t{1} << found;
    return true;
}

bool data_token_reader::string(std::string_view text) {
    token const t{token_kind::string, text};
    return with_member(*out_, type_index_, member_,
                       [&](auto& event, auto d) { return read_scalar(t, event.*d.pointer, in_array_); });
}

bool data_token_reader::int64(std::int64_t number) {
    token const t{token_kind::int64, {}, number};
    return with_member(*out_, type_index_, member_,
                       [&](auto& event, auto d) { return read_scalar(t, event.*d.pointer, in_array_); });
}

bool data_token_reader::uint64(std::uint64_t number) {
    token const t{token_kind::uint64, {}, 0, number};
    return with_member(*out_, type_index_, member_,
                       [&](auto& event, auto d) { return read_scalar(t, event.*d.pointer, in_array_); });
}

bool data_token_reader::boolean(bool value) {
    token const t{token_kind::boolean, {}, 0, 0, value};
    return with_member(*out_, type_index_, member_,
                       [&](auto& event, auto d) { return read_scalar(t, event.*d.pointer, in_array_); });
}

bool data_token_reader::null() {
    // An item of an array is never null; a member may be when it may be absent (read_member).
    if (in_array_) return false;
    return with_member(*out_, type_index_, member_, [](auto& event, auto d) {
        using event_type = std::remove_cvref_t<decltype(event)>;
        using member_type = std::remove_cvref_t<decltype(event.*d.pointer)>;
        return detail::optional_in_json<member_type>(detail::is_defaulted_field<event_type>(d.name));
    });
}

bool data_token_reader::array_begin() {
    if (in_array_) return false;  // the catalogue has no arrays of arrays
    in_array_ = with_member(*out_, type_index_, member_, [](auto& event, auto d) {
        auto* const items = array_of(event.*d.pointer);
        if (items != nullptr) items->clear();
        return items != nullptr;
    });
    return in_array_;
}

bool data_token_reader::array_end() {
    bool const was_open = in_array_;
    in_array_ = false;
    return was_open;
}

bool data_token_reader::end() {
    if (in_array_) return false;
    return mp11::mp_with_index<std::variant_size_v<recruitment_event>>(type_index_, [&](auto I) {
        auto& event = std::get<I>(*out_);
        using event_type = std::remove_cvref_t<decltype(event)>;
        bool complete = true;
        std::size_t index = 0;
        mp11::mp_for_each<described_fields<event_type>>([&](auto d) {
            using member_type = std::remove_cvref_t<decltype(event.*d.pointer)>;
            bool const given = (seen_ >> index & 1) != 0;
            complete = complete && (given || detail::optional_in_json<member_type>(detail::is_defaulted_field<event_type>(d.name)));
            ++index;
        });
        return complete && !detail::check_consistency(event);
    });
}

}  // namespace ledger::events
