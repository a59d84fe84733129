#pragma once
// Every event of the catalogue as one closed sum type, and the one function that turns stored
// bytes of any (type, schema version) back into it.

#include "events/campaign.hpp"
#include "events/candidate.hpp"
#include "events/position.hpp"
#include "events/retraction.hpp"
#include "events/target.hpp"

#include <cstdint>
#include <string_view>
#include <variant>

namespace ledger::events {

/// Alternatives are grouped by stream category; their order is not stored anywhere.
using recruitment_event = std::variant<
    // campaign-
    campaign_planned, shortage_check_recorded, advertisement_published, trip_held, session_held,
    cost_recorded, campaign_closed,
    // position-
    position_opened, vacancy_posted, vacancy_reposted, position_filled, position_withdrawn,
    // candidate-
    candidate_registered, consent_granted, consent_withdrawn, interest_registered,
    invited_to_meeting, meeting_held, application_received, application_screened,
    interview_booked, interview_held, offer_extended, offer_answered, contract_signed,
    application_closed, language_training_completed, licence_decided, employment_started,
    employment_ended, subject_erased,
    // target-
    target_set,
    // any category
    event_retracted>;

/// Decodes the stored `data` of an event of catalogue type `type` written with
/// `schema_version`, upgrading older versions to the current struct (this is the only place
/// that knows old versions). Throws ledger::codec_error for an unknown type, an unknown
/// schema version, or bytes that do not decode (truncated, trailing bytes, bad enum value).
/// Thread-safe.
recruitment_event decode_event(std::string_view type, std::uint16_t schema_version,
                               std::string_view bytes);

/// decode_event into `out`: when `out` already holds an event of `type`, its strings and
/// vectors keep their memory (replays decode into reused slots). The same event, the same
/// errors; after an error `out` holds some event, unspecified. Thread-safe (`out` is the
/// caller's).
void decode_event_into(std::string_view type, std::uint16_t schema_version, std::string_view bytes,
                       recruitment_event& out);

/// decode_event_into for events of one (type, schema version), found once: a replay looks its
/// types up once each instead of once per event. Throws what decode_event_into throws for an
/// unknown type or version; the function returned throws what it throws for the bytes.
using data_decoder = void (*)(std::string_view bytes, recruitment_event& out);
data_decoder find_data_decoder(std::string_view type, std::uint16_t schema_version);

/// The catalogue type name of the event held, e.g. "InterviewBooked".
std::string_view type_name_of(recruitment_event const& event) noexcept;

}  // namespace ledger::events
