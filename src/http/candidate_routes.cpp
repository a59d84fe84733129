// The data subject's routes (SPEC §6, docs/privacy.md): erasure and the access export.

#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include "ledger/app/subject_access.hpp"

namespace ledger::http::detail {

response erase_candidate(route_input const& in, api& api) {
    // Like appends: a browser cannot send application/json across origins without a CORS
    // preflight, so a foreign page cannot erase with a "simple" request.
    if (!is_json_media_type(in.http.content_type)) {
        return error_response(error_code::unsupported_media_type, "erasure takes application/json");
    }
    if (in.http.body.size() > api.body_limit) {
        return error_response(error_code::payload_too_large, "the body exceeds the server's limit");
    }
    auto request = app::erase_request(api.store, in.path_param, in.http.body, in.caller.name);
    if (!request) return error_response(request.error());
    // Submitted like any append, so the key is destroyed in the SubjectErased transaction.
    response pending;
    pending.append = std::move(*request);
    return pending;
}

response candidate_access(route_input const& in, api& api) {
    // The export scans the whole log for references: on a worker thread.
    return offloaded([candidate = in.path_param, &api] {
        auto const body = app::subject_access_json(api.store, candidate);
        if (!body) return error_response(body.error());
        return json_response(200, *body);
    });
}

}  // namespace ledger::http::detail
