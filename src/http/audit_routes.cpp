// The verifiable audit routes (SPEC §11, docs/audit.md): signed checkpoints, inclusion and
// consistency proofs read from the stored Merkle tree, the verifier key, witnessed checkpoints.

#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include "ledger/base64.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/http/audit_witness.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/merkle_note.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace ledger::http::detail {
namespace {

namespace json = boost::json;
using sizes = std::optional<std::uint64_t>;

error out_of_range(std::string_view parameter, std::uint64_t value, std::string message) {
    json::object details;
    details["parameter"] = parameter;
    details["value"] = value;
    return error{error_code::bad_request, std::move(message), std::move(details)};
}

error missing(std::string_view parameter) {
    json::object details;
    details["parameter"] = parameter;
    return error{error_code::bad_request, std::string(parameter) + " is required", std::move(details)};
}

/// A required integer parameter, or the 400 that names it.
result<std::uint64_t> required(route_input const& in, std::string_view name) {
    auto value = integer_param(in.query, name);
    if (!value) return value.error();
    if (!*value) return missing(name);
    return **value;
}

/// A tree size no larger than the head, or the 400 naming `name`.
result<std::uint64_t> tree_size(route_input const& in, std::string_view name, std::uint64_t head, bool needed) {
    auto value = integer_param(in.query, name);
    if (!value) return value.error();
    if (!*value) {
        if (needed) return missing(name);
        return head;
    }
    if (**value > head) {
        return out_of_range(name, **value, std::string(name) + " is beyond the tree's head of " + std::to_string(head) + " events");
    }
    return **value;
}

json::array hex_list(std::vector<sha256_digest> const& hashes) {
    json::array out;
    for (auto const& h : hashes) out.emplace_back(to_hex(h));
    return out;
}

std::optional<response> no_key(api const& api) {
    if (api.audit_key != nullptr) return std::nullopt;
    return error_response(error_code::unavailable, "this server has no checkpoint signing key");
}

}  // namespace

response audit_checkpoint(route_input const& in, api& api) {
    if (auto refused = no_key(api)) return std::move(*refused);
    auto const head = api.store.tree_size();
    auto const size = tree_size(in, "tree_size", head, false);
    if (!size) return error_response(size.error());
    store::merkle::checkpoint const c{api.audit_key->name, *size, api.store.tree_root(*size)};
    return text_response(200, "text/plain; charset=utf-8",
                         store::merkle::sign_note(store::merkle::checkpoint_body(c), *api.audit_key));
}

response audit_checkpoints(route_input const& in, api& api) {
    auto const after = integer_param(in.query, "after");
    if (!after) return error_response(after.error());
    json::array list;
    if (api.witness != nullptr) {
        for (auto const& entry : api.witness->after(after->value_or(0), 1000)) {
            list.emplace_back(json::object{{"tree_size", entry.tree_size}, {"note", entry.note}});
        }
    }
    return json_response(200, json::object{{"checkpoints", std::move(list)}});
}

response audit_inclusion(route_input const& in, api& api) {
    auto const head = api.store.tree_size();
    auto const position = required(in, "position");
    if (!position) return error_response(position.error());
    auto const size = tree_size(in, "tree_size", head, true);
    if (!size) return error_response(size.error());
    if (*position >= *size) {
        return error_response(out_of_range("position", *position, "position must be below tree_size (" + std::to_string(*size) + ")"));
    }
    auto const stored = api.store.stored_event(*position);
    if (!stored) return error_response(error_code::internal, "the event at this position cannot be read");
    json::object body;
    body["position"] = *position;
    body["tree_size"] = *size;
    body["leaf"] = base64_encode(canonical_part(*stored));
    body["audit_path"] = hex_list(api.store.inclusion_proof(*position, *size));
    return json_response(200, body);
}

response audit_consistency(route_input const& in, api& api) {
    auto const head = api.store.tree_size();
    auto const first = tree_size(in, "first", head, true);
    if (!first) return error_response(first.error());
    auto const second = tree_size(in, "second", head, true);
    if (!second) return error_response(second.error());
    if (*first == 0) return error_response(out_of_range("first", *first, "first must be at least 1"));
    if (*first > *second) {
        return error_response(out_of_range("first", *first, "first must not be larger than second (" + std::to_string(*second) + ")"));
    }
    json::object body;
    body["first"] = *first;
    body["second"] = *second;
    body["proof"] = hex_list(api.store.consistency_proof(*first, *second));
    return json_response(200, body);
}

response audit_key(route_input const&, api& api) {
    if (auto refused = no_key(api)) return std::move(*refused);
    return text_response(200, "text/plain; charset=utf-8", store::merkle::verifier_text(*api.audit_key) + "\n");
}

}  // namespace ledger::http::detail
