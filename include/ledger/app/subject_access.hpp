#pragma once
// The data subject's operations (SPEC §6, docs/privacy.md): erasure by crypto-shredding
// (POST /v1/candidates/{id}/erase) and the access export (GET /v1/candidates/{id}).
//
// Threading: callable from any thread; reads use their own short read transactions.

#include "ledger/error.hpp"
#include "ledger/store/append.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ledger::app {

inline constexpr std::string_view default_erasure_basis = "data subject request";

/// The append that erases candidate `candidate_id`: one `SubjectErased` with the `basis` of
/// `body` (empty, or a JSON object {"basis"?: non-empty string}), expected_version "exists".
/// Appending it through a store with the personal_data_sealer destroys the candidate's key in
/// the same transaction. A second erasure is refused by the domain rules (422 rule_violation,
/// rule stream_closed), like any other append after SubjectErased.
/// Errors: invalid_stream_name (bad id), stream_not_found (no such candidate), invalid_json,
/// bad_request or invalid_event for a bad body.
result<store::append_request> erase_request(store::event_store const& store,
                                            std::string_view candidate_id, std::string_view body,
                                            std::string actor);

/// Refuses a client batch that contains `SubjectErased`: only the erase operation writes it,
/// since it destroys the key (422 rule_violation, rule "erase_via_erase_endpoint").
std::optional<error> refuse_direct_erasure(store::append_request const& request);

/// Everything the ledger holds about candidate `candidate_id`, readable:
/// {"candidate_id", "stream", "erased", "events": [...], "referenced_by": [...]}: the
/// candidate stream's events with personal fields decrypted ("[erased]" after erasure), and
/// the events of other streams that name the candidate (`PositionFilled.candidate_id`).
/// Cost: reads the candidate stream and scans the global log once for references.
/// Errors: invalid_stream_name, stream_not_found.
result<boost::json::object> subject_access_json(store::event_store const& store,
                                                std::string_view candidate_id);

}  // namespace ledger::app
