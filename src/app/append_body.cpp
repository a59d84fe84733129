#include "ledger/app/append_body.hpp"

#include "events/codec.hpp"
#include "events/personal_data.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <type_traits>
#include <variant>

namespace ledger::app {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 2> body_fields{"expected_version", "events"};

error bad_request(std::string message) {
    return error{error_code::bad_request, std::move(message), {}};
}

/// invalid_event with the SPEC §6 details; `index` is null for a top-level field.
error invalid_event(std::optional<std::size_t> index, std::string_view field,
                    std::string_view reason) {
    json::object details;
    details["index"] = index ? json::value(static_cast<std::uint64_t>(*index)) : json::value();
    details["field"] = field;
    details["reason"] = reason;
    return error{error_code::invalid_event, std::string(field) + ": " + std::string(reason),
                 std::move(details)};
}

template <std::size_t N>
std::optional<std::string_view> first_unknown_key(json::object const& object,
                                                  std::array<std::string_view, N> const& known) {
    for (auto const& entry : object) {
        bool found = false;
        for (auto const name : known) found = found || entry.key() == name;
        if (!found) return entry.key();
    }
    return std::nullopt;
}

result<store::expected_version> parse_expected_version(json::object const& body) {
    auto const* value = body.if_contains("expected_version");
    if (value == nullptr || value->is_null()) return store::expected_version::any();
    if (auto const* text = value->if_string()) {
        if (*text == "any") return store::expected_version::any();
        if (*text == "no_stream") return store::expected_version::no_stream();
        if (*text == "exists") return store::expected_version::exists();
    }
    if (auto const version = value->if_int64(); version && *version >= 0) {
        return store::expected_version::exact(static_cast<std::uint64_t>(*version));
    }
    if (auto const version = value->if_uint64()) return store::expected_version::exact(*version);
    return bad_request(
        "expected_version must be a non-negative integer, \"any\", \"no_stream\" or \"exists\"");
}

/// An event's members by name, found in one pass over its object (see event_members_of).
struct event_members {
    json::value const* id = nullptr;
    json::value const* type = nullptr;
    json::value const* occurred_at = nullptr;
    json::value const* data = nullptr;
    json::value const* metadata = nullptr;
    json::value const* correlation_id = nullptr;
    json::value const* causation_id = nullptr;
};

/// The members of `event`, or the first key (in the object's order) that names none of them:
/// one pass over the keys instead of a search for each name. A parsed object
/// holds each key once (Boost.JSON keeps the last of duplicates), as if_contains sees it.
std::variant<event_members, std::string_view> event_members_of(json::object const& event) {
    event_members found;
    for (auto const& entry : event) {
        auto const key = entry.key();
        auto const* const value = &entry.value();
        json::value const** slot = nullptr;
        switch (key.size()) {
        case 2: slot = key == "id" ? &found.id : nullptr; break;
        case 4: slot = key == "type" ? &found.type : key == "data" ? &found.data : nullptr; break;
        case 8: slot = key == "metadata" ? &found.metadata : nullptr; break;
        case 11: slot = key == "occurred_at" ? &found.occurred_at : nullptr; break;
        case 12: slot = key == "causation_id" ? &found.causation_id : nullptr; break;
        case 14: slot = key == "correlation_id" ? &found.correlation_id : nullptr; break;
        default: break;
        }
        if (slot == nullptr) return std::string_view(key);
        *slot = value;
    }
    return found;
}

/// An optional string member: absent or null is nullopt; anything but a string is an error.
result<std::optional<std::string>> optional_text(json::value const* value, std::string_view field,
                                                 std::size_t index) {
    if (value == nullptr || value->is_null()) return std::optional<std::string>{};
    auto const* text = value->if_string();
    if (text == nullptr) return invalid_event(index, field, "must be a string");
    if (text->empty() || text->size() > 256) return invalid_event(index, field, "must be 1 to 256 characters");
    return std::optional<std::string>(std::string(*text));
}

/// id, occurred_at, metadata and the correlation ids: everything of an event but type and data.
std::optional<error> parse_envelope_fields(event_members const& event, std::size_t index,
                                           store::event_to_append& out) {
    if (auto const* id = event.id; id != nullptr && !id->is_null()) {
        auto const* text = id->if_string();
        out.id = text ? parse_uuid(*text) : std::nullopt;
        if (!out.id) return invalid_event(index, "id", "must be a UUID");
    }
    auto const* occurred = event.occurred_at;
    if (occurred == nullptr) return invalid_event(index, "occurred_at", "is required");
    auto const* occurred_text = occurred->if_string();
    auto const occurred_at = occurred_text ? parse_timestamp(*occurred_text) : std::nullopt;
    if (!occurred_at) return invalid_event(index, "occurred_at", "must be RFC 3339 or YYYY-MM-DD");
    out.occurred_at = *occurred_at;
    if (auto const* metadata = event.metadata; metadata && !metadata->is_null()) {
        if (!metadata->is_object()) return invalid_event(index, "metadata", "must be an object");
        // The stored form stays Boost.JSON's (doubles like 2.5E0): a re-sent event is compared
        // with what is stored, byte for byte. Reads re-write it with plain decimals.
        out.metadata = json::serialize(*metadata);
    }
    auto correlation = optional_text(event.correlation_id, "correlation_id", index);
    if (!correlation) return correlation.error();
    auto causation = optional_text(event.causation_id, "causation_id", index);
    if (!causation) return causation.error();
    out.correlation_id = std::move(*correlation);
    out.causation_id = std::move(*causation);
    return std::nullopt;
}

/// A client may not send a personal field that already looks sealed: the seal keeps such a
/// value as it is (imports carry ciphertext that way), so whatever follows the prefix would be
/// stored unencrypted.
std::optional<error> refuse_sealed_lookalike(std::string_view type, decoded_event& decoded,
                                             std::size_t index) {
    if (!events::has_personal_fields(type)) return std::nullopt;
    std::optional<error> failure;
    events::for_each_personal_field(decoded, [&](std::string_view field, std::string& value) {
        if (!failure && value.starts_with(sealed_prefix)) {
            failure = invalid_event(index, field, "must not start with enc:v1: (the prefix of sealed values)");
        }
    });
    return failure;
}

/// The event at `index`, with its data validated and encoded by the catalogue; `decoded`
/// receives the catalogue's struct of it, which the domain policy checks on the writer.
result<store::event_to_append> parse_event(json::value const& value, std::size_t index,
                                           decoded_event& decoded) {
    auto const* object = value.if_object();
    if (object == nullptr) return invalid_event(index, "", "an event must be a JSON object");
    auto const members = event_members_of(*object);
    if (auto const* unknown = std::get_if<std::string_view>(&members)) {
        return invalid_event(index, *unknown, "unknown field");
    }
    auto const& event = std::get<event_members>(members);
    auto const* type = event.type;
    if (type == nullptr || !type->is_string()) return invalid_event(index, "type", "must be a string");
    auto const* data = event.data;
    if (data == nullptr) return invalid_event(index, "data", "is required");

    store::event_to_append out;
    out.type = std::string(type->get_string());
    if (auto failure = parse_envelope_fields(event, index, out)) return std::move(*failure);
    // events::encode_data in two steps, keeping the struct between them.
    auto parsed = events::event_from_json(out.type, *data, index);
    if (!parsed) return parsed.error();
    decoded = std::move(*parsed);
    out.schema_version = std::visit([](auto const& e) { return std::decay_t<decltype(e)>::schema_version; }, decoded);
    out.data = events::encode_event(decoded);
    if (auto failure = refuse_sealed_lookalike(out.type, decoded, index)) return std::move(*failure);
    return out;
}

}  // namespace

result<store::append_request> parse_append_body(std::string_view stream, json::value const& body,
                                                std::string actor) {
    auto const* object = body.if_object();
    if (object == nullptr) return bad_request("the body must be a JSON object");
    if (auto const unknown = first_unknown_key(*object, body_fields)) {
        return invalid_event(std::nullopt, *unknown, "unknown field");
    }
    auto expected = parse_expected_version(*object);
    if (!expected) return expected.error();
    auto const* events = object->if_contains("events");
    if (events == nullptr || !events->is_array() || events->get_array().empty()) {
        return bad_request("events must be a non-empty array");
    }
    store::append_request request{std::string(stream), *expected, std::move(actor), {}};
    auto const& list = events->get_array();
    request.events.reserve(list.size());
    // The batch's decoded forms in one allocation; each event shares it (domain_policy.hpp).
    auto const forms = std::make_shared<decoded_event[]>(list.size());
    for (std::size_t index = 0; index < list.size(); ++index) {
        auto* const form = forms.get() + index;
        auto event = parse_event(list[index], index, *form);
        if (!event) return event.error();
        event->decoded = std::shared_ptr<void const>(forms, form);
        request.events.push_back(std::move(*event));
    }
    return request;
}

std::string append_success_json(store::append_success const& success) {
    // Every append answers with this: written by hand, with fmt's digits. A stream name that
    // passed check_stream_name ([A-Za-z0-9._:-]) needs no escaping; any other is escaped by
    // Boost.JSON, so this stays safe on its own.
    bool const plain = std::all_of(success.stream.begin(), success.stream.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
               c == '_' || c == ':' || c == '-';
    });
    std::string out;
    out.reserve(success.stream.size() + 120);
    out += R"({"stream":)";
    if (plain) {
        out.append(1, '"').append(success.stream).append(1, '"');
    } else {
        out += json::serialize(json::string_view(success.stream));
    }
    auto const number = [&out](std::string_view name, std::uint64_t value) {
        out.append(name);
        fmt::format_int const digits(value);
        out.append(digits.data(), digits.size());
    };
    number(R"(,"first_version":)", success.first_version);
    number(R"(,"last_version":)", success.last_version);
    number(R"(,"first_position":)", success.first_position);
    number(R"(,"last_position":)", success.last_position);
    out += '}';
    return out;
}

}  // namespace ledger::app
