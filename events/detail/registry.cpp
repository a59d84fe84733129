#include "events/detail/registry.hpp"

#include "events/detail/binary_reader.hpp"
#include "events/detail/consistency.hpp"
#include "events/detail/struct_codec.hpp"
#include "ledger/detail/binary_archive.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <variant>

namespace ledger::events::detail {
namespace {

// Decodes `bytes` into `event` (whose memory it reuses; left unspecified on an error).
// Throws codec_error on truncated input, trailing bytes or an out-of-range enum value.
template <class T>
void decode_binary_into(std::string_view bytes, T& event) {
    // Bounds stored string lengths by the input for this decode only (see field_codec.hpp).
    struct input_bound {
        std::size_t const saved = decoding_input_size;
        explicit input_bound(std::size_t size) { decoding_input_size = size; }
        ~input_bound() { decoding_input_size = saved; }
    } const bound(bytes.size());
    try {
        if (!bytes.empty() && bytes.front() == '\1') {
            // The common form (little-endian): read without cereal's archive (binary_reader.hpp).
            binary_reader reader(bytes.substr(1));
            read_fields(reader, event);
            if (reader.remaining() != 0) throw codec_error(std::string(T::type_name) + " has trailing bytes");
        } else {
            ledger::detail::memory_input_archive ar(bytes);
            read_fields(ar, event);
            ledger::detail::expect_consumed(ar, T::type_name);
        }
    } catch (codec_error const&) {
        throw;
    } catch (std::exception const& ex) {
        // cereal::Exception for short input; length_error or bad_alloc for a corrupted size.
        throw codec_error(std::string("cannot decode ") + std::string(T::type_name) + ": " +
                          ex.what());
    }
}

template <class T>
T decode_binary(std::string_view bytes) {
    T event{};
    decode_binary_into(bytes, event);
    return event;
}

template <class T>
problem parse_json(boost::json::object const& data, recruitment_event& out) {
    T event{};
    if (auto p = from_json(data, event)) return p;
    if (auto p = check_consistency(event)) return p;
    out = std::move(event);
    return std::nullopt;
}

template <class T>
recruitment_event decode_as(std::string_view bytes) {
    return decode_binary<T>(bytes);
}

template <class T>
void decode_as_into(std::string_view bytes, recruitment_event& out) {
    auto* const same = std::get_if<T>(&out);
    decode_binary_into(bytes, same != nullptr ? *same : out.emplace<T>());
}

template <class T>
constexpr type_entry make_entry() {
    return type_entry{T::type_name,   T::category_name,    T::schema_version, &parse_json<T>,
                      &decode_as<T>, &decode_as_into<T>, &describe_fields<T>};
}

template <std::size_t... I>
constexpr auto make_table(std::index_sequence<I...>) {
    return std::array<type_entry, sizeof...(I)>{
        make_entry<std::variant_alternative_t<I, recruitment_event>>()...};
}

constexpr auto table =
    make_table(std::make_index_sequence<std::variant_size_v<recruitment_event>>{});

constexpr bool names_unique() {
    for (std::size_t i = 0; i < table.size(); ++i) {
        for (std::size_t j = i + 1; j < table.size(); ++j) {
            if (table[i].type_name == table[j].type_name) return false;
        }
    }
    return true;
}
static_assert(names_unique(), "every catalogue type name must be unique");

// Names ordered by length first, then text: a search compares the bytes of a name only when
// the lengths agree, and most steps are one integer comparison.
constexpr bool shorter_or_before(std::string_view a, std::string_view b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// Indexes into `table` in that order, for binary search on every append and read.
constexpr std::array<std::size_t, table.size()> by_name = [] {
    std::array<std::size_t, table.size()> order{};
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::ranges::sort(order, [](std::size_t a, std::size_t b) {
        return shorter_or_before(table[a].type_name, table[b].type_name);
    });
    return order;
}();

}  // namespace

type_entry const* find_type(std::string_view type) noexcept {
    auto const it = std::ranges::lower_bound(by_name, type, [](std::string_view a, std::string_view b) {
        return shorter_or_before(a, b);
    }, [](std::size_t i) { return table[i].type_name; });
    if (it == by_name.end() || table[*it].type_name != type) return nullptr;
    return &table[*it];
}

std::span<type_entry const> all_types() noexcept { return table; }

}  // namespace ledger::events::detail
