// decode_event and decode_event_into read an event's data with events/detail/binary_reader.hpp
// instead of cereal's archive (a replay decodes every event it folds), and decode_event_into
// reads into an event it reuses. These tests hold both to the cereal reading kept here as the
// reference (what decode_event did before): the same event for good bytes, the same codec_error
// message for damaged ones, for random events of every catalogue type.

#include "events/codec.hpp"
#include "events/detail/struct_codec.hpp"
#include "events/recruitment_event.hpp"
#include "ledger/detail/binary_archive.hpp"

#include <catch2/catch.hpp>

#include <boost/mp11/algorithm.hpp>

#include <random>
#include <string>
#include <variant>

using namespace ledger;
namespace ev = ledger::events;

namespace {

/// The reference: cereal's memory_input_archive over the described fields (decode_event before).
template <class T>
ev::recruitment_event decode_by_cereal_as(std::string_view bytes) {
    T event{};
    ev::detail::decoding_input_size = bytes.size();
    try {
        detail::memory_input_archive ar(bytes);
        ev::detail::read_fields(ar, event);
        detail::expect_consumed(ar, T::type_name);
    } catch (codec_error const&) {
        ev::detail::decoding_input_size = std::size_t(-1);
        throw;
    } catch (std::exception const& ex) {
        ev::detail::decoding_input_size = std::size_t(-1);
        throw codec_error(std::string("cannot decode ") + std::string(T::type_name) + ": " + ex.what());
    }
    ev::detail::decoding_input_size = std::size_t(-1);
    return event;
}

ev::recruitment_event decode_by_cereal(std::size_t alternative, std::string_view bytes) {
    return boost::mp11::mp_with_index<std::variant_size_v<ev::recruitment_event>>(alternative, [&](auto i) {
        return decode_by_cereal_as<std::variant_alternative_t<i, ev::recruitment_event>>(bytes);
    });
}

/// An event, or the message of the codec_error decoding threw.
using outcome = std::variant<ev::recruitment_event, std::string>;

template <class Decode>
outcome attempt(Decode&& decode) {
    try {
        return decode();
    } catch (codec_error const& e) {
        return std::string(e.what());
    }
}

std::string random_text(std::mt19937_64& rng) {
    // Short (in a string's own buffer) and long (allocated) texts, NULs and UTF-8 included.
    static constexpr std::string_view pieces[] = {"a", "Z", "7", "-", std::string_view("\0", 1), "\xc3\xa5",
                                                  "\xe2\x82\xac", "candidate-0192f4c1-7a3b-7c2d"};
    std::string out;
    auto const size = rng() % 4 == 0 ? 0 : rng() % 60;
    while (out.size() < size) out += pieces[rng() % std::size(pieces)];
    return out;
}

void fill(std::mt19937_64& rng, std::string& v) { v = random_text(rng); }
void fill(std::mt19937_64& rng, bool& v) { v = rng() % 2 == 0; }
void fill(std::mt19937_64& rng, date& v) { v = date{std::chrono::days{static_cast<std::int32_t>(rng() % 40000) - 5000}}; }
void fill(std::mt19937_64& rng, timestamp& v) { v = from_micros(static_cast<std::int64_t>(rng() >> 3)); }
void fill(std::mt19937_64& rng, ev::country_code& v) { v.value = random_text(rng); }
void fill(std::mt19937_64& rng, ev::currency_code& v) { v.value = random_text(rng); }
template <ev::detail::plain_integer I>
void fill(std::mt19937_64& rng, I& v) { v = static_cast<I>(rng()); }
template <ev::detail::described_enum E>
void fill(std::mt19937_64& rng, E& v) {
    std::vector<E> values;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) { values.push_back(d.value); });
    v = values[rng() % values.size()];
}
template <class T>
void fill(std::mt19937_64& rng, std::optional<T>& v) {
    v.reset();
    if (rng() % 3 != 0) fill(rng, v.emplace());
}
template <class T>
void fill(std::mt19937_64& rng, std::vector<T>& v) {
    v.resize(rng() % 5);
    for (auto& item : v) fill(rng, item);
}

std::uint16_t schema_of(ev::recruitment_event const& e) {
    return std::visit([](auto const& x) { return std::decay_t<decltype(x)>::schema_version; }, e);
}

ev::recruitment_event random_event(std::mt19937_64& rng) {
    auto const alternative = rng() % std::variant_size_v<ev::recruitment_event>;
    return boost::mp11::mp_with_index<std::variant_size_v<ev::recruitment_event>>(alternative, [&](auto i) {
        std::variant_alternative_t<i, ev::recruitment_event> event{};
        boost::mp11::mp_for_each<ev::detail::described_fields<decltype(event)>>(
            [&](auto d) { fill(rng, event.*d.pointer); });
        return ev::recruitment_event(std::move(event));
    });
}

}  // namespace

TEST_CASE("the event data reader decodes random events of every type as the cereal reference does",
          "[codec][differential][events]") {
    std::mt19937_64 rng(20261201);
    ev::recruitment_event reused;  // a replay's batch slot: no field may keep an earlier event's value
    for (int i = 0; i < 4000; ++i) {
        auto const e = random_event(rng);
        auto const type = ev::type_name_of(e);
        auto const version = schema_of(e);
        auto const bytes = ev::encode_event(e);
        REQUIRE(decode_by_cereal(e.index(), bytes) == e);
        REQUIRE(ev::decode_event(type, version, bytes) == e);
        ev::decode_event_into(type, version, bytes, reused);
        REQUIRE(reused == e);
    }
}

TEST_CASE("the event data reader refuses damaged bytes with the cereal reference's message",
          "[codec][differential][events]") {
    std::mt19937_64 rng(7);
    ev::recruitment_event reused;
    for (int i = 0; i < 400; ++i) {
        auto const e = random_event(rng);
        auto const type = ev::type_name_of(e);
        auto const version = schema_of(e);
        auto const bytes = ev::encode_event(e);
        auto const same = [&](std::string_view damaged) {
            auto const expected = attempt([&] { return decode_by_cereal(e.index(), damaged); });
            REQUIRE(attempt([&] { return ev::decode_event(type, version, damaged); }) == expected);
            REQUIRE(attempt([&] {
                        ev::decode_event_into(type, version, damaged, reused);
                        return reused;
                    }) == expected);
            if (rng() % 4 == 0) reused = random_event(rng);  // into another type, or the same one reused
        };
        // Every truncation, trailing bytes, and bytes overwritten at random (sizes, flags, enums,
        // the header byte: 0 is cereal's big-endian form, 2 no form at all).
        for (std::size_t size = 0; size < bytes.size(); ++size) same(std::string_view(bytes).substr(0, size));
        same(bytes + std::string(1 + rng() % 3, '\x01'));
        for (int j = 0; j < 60; ++j) {
            auto damaged = bytes;
            auto const at = rng() % damaged.size();
            damaged[at] = static_cast<char>(j % 3 == 0 ? rng() % 3 : rng());
            if (j % 5 == 0) damaged[0] = static_cast<char>(rng() % 3);
            same(damaged);
        }
    }
}
