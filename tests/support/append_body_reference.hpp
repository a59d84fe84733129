#pragma once
// The append body's parser as it was before event members were found in one pass (session 8):
// kept verbatim as the reference that tests/test_append_body_members.cpp compares
// app::parse_append_body with, on random and malformed bodies. Header-only, tests only.

#include "events/codec.hpp"
#include "events/personal_data.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/error.hpp"
#include "ledger/store/append.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace ledger::testing::reference_append_body {

namespace json = boost::json;
using app::decoded_event;
using app::sealed_prefix;
inline constexpr std::array<std::string_view, 2> body_fields{"expected_version", "events"};
inline constexpr std::array<std::string_view, 7> event_fields{
    "id", "type", "occurred_at", "data", "metadata", "correlation_id", "causation_id"};

inline error bad_request(std::string message) {
    return error{error_code::bad_request, std::move(message), {}};
}

/// invalid_event with the SPEC §6 details; `index` is null for a top-level field.
inline error invalid_event(std::optional<std::size_t> index, std::string_view field,
                    std::string_view reason) {
    json::object details;
    details["index"] = index ? json::value(static_cast<std::uint64_t>(*index)) : json::value();
    details["field"] = field;
    details["reason"] = reason;
    return error{error_code::invalid_event, std::string(field) + ": " + std::string(reason),
                 std::move(details)};
}

template <std::size_t N>
inline std::optional<std::string_view> first_unknown_key(json::object const& object,
                                                  std::array<std::string_view, N> const& known) {
    for (auto const& entry : object) {
        bool found = false;
        for (auto const name : known) found = found || entry.key() == name;
        if (!found) return entry.key();
    }
    return std::nullopt;
}

inline result<store::expected_version> parse_expected_version(json::object const& body) {
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

/// An optional string field: absent or null is nullopt; anything but a string is an error.
inline result<std::optional<std::string>> optional_text(json::object const& event, std::string_view field,
                                                 std::size_t index) {
    auto const* value = event.if_contains(field);
    if (value == nullptr || value->is_null()) return std::optional<std::string>{};
    auto const* text = value->if_string();
    if (text == nullptr) return invalid_event(index, field, "must be a string");
    if (text->empty() || text->size() > 256) return invalid_event(index, field, "must be 1 to 256 characters");
    return std::optional<std::string>(std::string(*text));
}

/// id, occurred_at, metadata and the correlation ids: everything of an event but type and data.
inline std::optional<error> parse_envelope_fields(json::object const& event, std::size_t index,
                                           store::event_to_append& out) {
    if (auto const* id = event.if_contains("id"); id != nullptr && !id->is_null()) {
        auto const* text = id->if_string();
        out.id = text ? parse_uuid(*text) : std::nullopt;
        if (!out.id) return invalid_event(index, "id", "must be a UUID");
    }
    auto const* occurred = event.if_contains("occurred_at");
    if (occurred == nullptr) return invalid_event(index, "occurred_at", "is required");
    auto const* occurred_text = occurred->if_string();
    auto const occurred_at = occurred_text ? parse_timestamp(*occurred_text) : std::nullopt;
    if (!occurred_at) return invalid_event(index, "occurred_at", "must be RFC 3339 or YYYY-MM-DD");
    out.occurred_at = *occurred_at;
    if (auto const* metadata = event.if_contains("metadata"); metadata && !metadata->is_null()) {
        if (!metadata->is_object()) return invalid_event(index, "metadata", "must be an object");
        // The stored form stays Boost.JSON's (doubles like 2.5E0): a re-sent event is compared
        // with what is stored, byte for byte. Reads re-write it with plain decimals.
        out.metadata = json::serialize(*metadata);
    }
    auto correlation = optional_text(event, "correlation_id", index);
    if (!correlation) return correlation.error();
    auto causation = optional_text(event, "causation_id", index);
    if (!causation) return causation.error();
    out.correlation_id = std::move(*correlation);
    out.causation_id = std::move(*causation);
    return std::nullopt;
}

/// A client may not send a personal field that already looks sealed: the seal keeps such a
/// value as it is (imports carry ciphertext that way), so whatever follows the prefix would be
/// stored unencrypted.
inline std::optional<error> refuse_sealed_lookalike(std::string_view type, decoded_event& decoded,
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
inline result<store::event_to_append> parse_event(json::value const& value, std::size_t index,
                                           decoded_event& decoded) {
    auto const* event = value.if_object();
    if (event == nullptr) return invalid_event(index, "", "an event must be a JSON object");
    if (auto const unknown = first_unknown_key(*event, event_fields)) {
        return invalid_event(index, *unknown, "unknown field");
    }
    auto const* type = event->if_contains("type");
    if (type == nullptr || !type->is_string()) return invalid_event(index, "type", "must be a string");
    auto const* data = event->if_contains("data");
    if (data == nullptr) return invalid_event(index, "data", "is required");

    store::event_to_append out;
    out.type = std::string(type->get_string());
    if (auto failure = parse_envelope_fields(*event, index, out)) return std::move(*failure);
    // events::encode_data in two steps, keeping the struct between them.
    auto parsed = events::event_from_json(out.type, *data, index);
    if (!parsed) return parsed.error();
    decoded = std::move(*parsed);
    out.schema_version = std::visit([](auto const& e) { return std::decay_t<decltype(e)>::schema_version; }, decoded);
    out.data = events::encode_event(decoded);
    if (auto failure = refuse_sealed_lookalike(out.type, decoded, index)) return std::move(*failure);
    return out;
}


inline result<store::append_request> parse_append_body(std::string_view stream, json::value const& body,
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

}  // namespace ledger::testing::reference_append_body
