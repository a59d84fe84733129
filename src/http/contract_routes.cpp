// What the server is: GET /v1/info (version, build, store format, ledger id) and
// GET /v1/openapi.json (the API contract, generated; see ledger/http/openapi.hpp).

#include "detail/responses.hpp"
#include "detail/routes.hpp"

#include "ledger/build_info.hpp"
#include "ledger/http/openapi.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/format_version.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ledger::http::detail {
namespace {

namespace json = boost::json;

/// The ledger's identity: the first 128 bits (32 hex digits) of its genesis event's hash, which
/// covers that event's id and recorded time, so two ledgers never share it while a backup or a
/// follower (same log, byte for byte) keeps it. null until the first event is appended.
json::value ledger_id(store::event_store const& store) {
    auto const genesis = store.read_event(0);
    if (!genesis) return nullptr;
    return json::string(to_hex(genesis->hash).substr(0, 32));
}

}  // namespace

response get_info(route_input const&, api& api) {
    return json_response(200, json::object{{"version", build_version()},
                                           {"commit", build_commit()},
                                           {"format_version", store::stored_format_version()},
                                           {"ledger_id", ledger_id(api.store)},
                                           {"events", api.store.head().events}});
}

response get_openapi(route_input const&, api&) {
    // Built once: it depends only on the code, and it is some tens of kilobytes.
    static std::string const document = json::serialize(openapi_document());
    return json_text_response(200, document);
}

}  // namespace ledger::http::detail
