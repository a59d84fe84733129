#include "ledger/app/subject_access.hpp"

#include "events/catalog.hpp"
#include "ledger/app/envelope_json.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/app/reads.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace ledger::app {
namespace {

namespace json = boost::json;

std::string candidate_stream(std::string_view candidate_id) {
    return "candidate-" + std::string(candidate_id);
}

result<std::string> erasure_basis(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return std::string(default_erasure_basis);
    }
    boost::system::error_code failure;
    auto const value = json::parse(body, failure);
    if (failure) return error{error_code::invalid_json, "the body is not valid JSON", {}};
    auto const* object = value.if_object();
    if (object == nullptr) return error{error_code::bad_request, "the body must be an object", {}};
    for (auto const& field : *object) {
        if (field.key() != "basis") {
            return error{error_code::bad_request, "the only field of an erasure is basis", {}};
        }
    }
    auto const* basis = object->if_contains("basis");
    if (basis == nullptr || basis->is_null()) return std::string(default_erasure_basis);
    if (!basis->is_string() || basis->get_string().empty()) {
        return error{error_code::bad_request, "basis must be a non-empty string", {}};
    }
    return std::string(basis->get_string());
}

/// The candidate stream's events, every page of it, personal fields revealed.
json::array stream_events(store::event_store const& store, std::string const& stream) {
    json::array out;
    std::uint64_t from = 0;
    for (;;) {
        auto page = store.read_stream(stream, from, max_read_limit, store::read_direction::forward);
        if (!page || page->empty()) break;
        for (auto& event : *page) {
            // The access export is for admins and auditors: always readable.
            out.push_back(envelope_to_json(
                reveal_personal_data(store, std::move(event), personal_fields::revealed)));
        }
        if (page->size() < max_read_limit) break;
        from = page->back().version + 1;
    }
    return out;
}

/// Events of other streams naming the candidate. PositionFilled is the only catalogue type
/// outside candidate streams with a candidate_id (test_privacy guards that).
json::array references(store::event_store const& store, std::string_view candidate_id) {
    json::array out;
    store.scan(0, [&](recorded_event const& event) {
        if (event.type != "PositionFilled") return true;
        auto const data = events::data_to_json(event.type, event.schema_version, event.data);
        if (data.at("candidate_id").as_string() == candidate_id) {
            out.push_back(envelope_to_json(event));
        }
        return true;
    });
    return out;
}

}  // namespace

result<store::append_request> erase_request(store::event_store const& store,
                                            std::string_view candidate_id, std::string_view body,
                                            std::string actor) {
    auto const stream = candidate_stream(candidate_id);
    if (auto invalid = check_stream_name(stream)) return std::move(*invalid);
    if (!store.last_version(stream)) {
        return error{error_code::stream_not_found, "no candidate " + std::string(candidate_id), {}};
    }
    auto const basis = erasure_basis(body);
    if (!basis) return basis.error();
    auto data = events::encode_data("SubjectErased", json::object{{"basis", *basis}}, 0);
    if (!data) return data.error();
    store::event_to_append erased{.type = "SubjectErased",
                                  .schema_version = data->schema_version,
                                  .occurred_at = now(),
                                  .data = std::move(data->bytes)};
    return store::append_request{.stream = stream,
                                 .expected = store::expected_version::exists(),
                                 .actor = std::move(actor),
                                 .events = {std::move(erased)}};
}

std::optional<error> refuse_direct_erasure(store::append_request const& request) {
    for (std::size_t i = 0; i < request.events.size(); ++i) {
        if (request.events[i].type != "SubjectErased") continue;
        error e{error_code::rule_violation,
                "SubjectErased is written by POST /v1/candidates/{id}/erase, which also "
                "destroys the candidate's key",
                {}};
        e.details["rule"] = "erase_via_erase_endpoint";
        e.details["index"] = i;
        return e;
    }
    return std::nullopt;
}

result<json::object> subject_access_json(store::event_store const& store,
                                         std::string_view candidate_id) {
    auto const stream = candidate_stream(candidate_id);
    if (auto invalid = check_stream_name(stream)) return std::move(*invalid);
    auto const last = store.read_stream(stream, std::nullopt, 1, store::read_direction::backward);
    if (!last) return last.error();
    bool const erased = !last->empty() && last->front().type == "SubjectErased";
    return json::object{{"candidate_id", candidate_id},
                        {"stream", stream},
                        {"erased", erased},
                        {"events", stream_events(store, stream)},
                        {"referenced_by", references(store, candidate_id)}};
}

}  // namespace ledger::app
