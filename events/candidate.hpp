#pragma once
// Events of `candidate-` streams: one doctor or student, the subject of personal data
// (SPEC §5). CandidateRegistered creates the stream; nothing may follow SubjectErased.
// An `application_id` names an application received earlier in the same stream.

#include "events/codes.hpp"
#include "events/enums.hpp"
#include "ledger/time.hpp"

#include <boost/describe/class.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::events {

/// Personal fields (name, email, phone) are listed in `personal_fields`: the store seals them
/// at rest with the candidate's key (src/app/personal_data.cpp, docs/privacy.md).
struct candidate_registered {
    static constexpr std::string_view type_name = "CandidateRegistered";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    static constexpr std::array<std::string_view, 3> personal_fields{"name", "email", "phone"};
    std::string name;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::optional<country_code> country_of_training;
    std::optional<std::int32_t> graduation_year;
    std::optional<events::career_stage> career_stage;
    friend bool operator==(candidate_registered const&, candidate_registered const&) = default;
};
BOOST_DESCRIBE_STRUCT(candidate_registered, (),
                      (name, email, phone, country_of_training, graduation_year, career_stage))

struct consent_granted {
    static constexpr std::string_view type_name = "ConsentGranted";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    consent_purpose purpose{};
    std::optional<date> expires_on;
    friend bool operator==(consent_granted const&, consent_granted const&) = default;
};
BOOST_DESCRIBE_STRUCT(consent_granted, (), (purpose, expires_on))

struct consent_withdrawn {
    static constexpr std::string_view type_name = "ConsentWithdrawn";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    consent_purpose purpose{};
    friend bool operator==(consent_withdrawn const&, consent_withdrawn const&) = default;
};
BOOST_DESCRIBE_STRUCT(consent_withdrawn, (), (purpose))

struct interest_registered {
    static constexpr std::string_view type_name = "InterestRegistered";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::vector<std::string> specialties;
    std::vector<std::string> locations;
    std::optional<std::string> campaign_id;
    friend bool operator==(interest_registered const&, interest_registered const&) = default;
};
BOOST_DESCRIBE_STRUCT(interest_registered, (), (specialties, locations, campaign_id))

/// Needs an active contact_brokerage consent (domain rule invitation_needs_consent).
struct invited_to_meeting {
    static constexpr std::string_view type_name = "InvitedToMeeting";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    meeting_partner with{};
    date invited_on{};
    std::optional<std::string> campaign_id;
    friend bool operator==(invited_to_meeting const&, invited_to_meeting const&) = default;
};
BOOST_DESCRIBE_STRUCT(invited_to_meeting, (), (with, invited_on, campaign_id))

struct meeting_held {
    static constexpr std::string_view type_name = "MeetingHeld";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    date held_on{};
    std::optional<meeting_kind> kind;
    friend bool operator==(meeting_held const&, meeting_held const&) = default;
};
BOOST_DESCRIBE_STRUCT(meeting_held, (), (held_on, kind))

struct application_received {
    static constexpr std::string_view type_name = "ApplicationReceived";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    std::string campaign_id;
    std::optional<std::string> position_id;
    std::optional<application_source> source;
    friend bool operator==(application_received const&, application_received const&) = default;
};
BOOST_DESCRIBE_STRUCT(application_received, (), (application_id, campaign_id, position_id, source))

struct application_screened {
    static constexpr std::string_view type_name = "ApplicationScreened";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    screening_outcome outcome{};
    std::optional<std::string> reason;
    friend bool operator==(application_screened const&, application_screened const&) = default;
};
BOOST_DESCRIBE_STRUCT(application_screened, (), (application_id, outcome, reason))

/// `scheduled_for` is a date-time (RFC 3339; a plain date means midnight UTC).
struct interview_booked {
    static constexpr std::string_view type_name = "InterviewBooked";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    timestamp scheduled_for{};
    std::optional<std::string> location;
    friend bool operator==(interview_booked const&, interview_booked const&) = default;
};
BOOST_DESCRIBE_STRUCT(interview_booked, (), (application_id, scheduled_for, location))

struct interview_held {
    static constexpr std::string_view type_name = "InterviewHeld";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    interview_outcome outcome{};
    friend bool operator==(interview_held const&, interview_held const&) = default;
};
BOOST_DESCRIBE_STRUCT(interview_held, (), (application_id, outcome))

struct offer_extended {
    static constexpr std::string_view type_name = "OfferExtended";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    std::optional<std::string> position_id;
    std::optional<std::int64_t> salary_minor;
    std::optional<currency_code> currency;
    friend bool operator==(offer_extended const&, offer_extended const&) = default;
};
BOOST_DESCRIBE_STRUCT(offer_extended, (), (application_id, position_id, salary_minor, currency))

struct offer_answered {
    static constexpr std::string_view type_name = "OfferAnswered";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    bool accepted = false;
    std::optional<std::string> reason;
    friend bool operator==(offer_answered const&, offer_answered const&) = default;
};
BOOST_DESCRIBE_STRUCT(offer_answered, (), (application_id, accepted, reason))

struct contract_signed {
    static constexpr std::string_view type_name = "ContractSigned";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    std::string employer;
    doctor_role role{};
    date starts_on{};
    std::optional<std::string> position_id;
    std::optional<std::int64_t> salary_minor;
    std::optional<currency_code> currency;
    friend bool operator==(contract_signed const&, contract_signed const&) = default;
};
BOOST_DESCRIBE_STRUCT(contract_signed, (),
                      (application_id, employer, role, starts_on, position_id, salary_minor,
                       currency))

struct application_closed {
    static constexpr std::string_view type_name = "ApplicationClosed";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string application_id;
    closing_outcome outcome{};
    std::optional<std::string> reason;
    friend bool operator==(application_closed const&, application_closed const&) = default;
};
BOOST_DESCRIBE_STRUCT(application_closed, (), (application_id, outcome, reason))

struct language_training_completed {
    static constexpr std::string_view type_name = "LanguageTrainingCompleted";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string language;
    cefr_level level{};
    std::optional<std::string> provider;
    friend bool operator==(language_training_completed const&,
                           language_training_completed const&) = default;
};
BOOST_DESCRIBE_STRUCT(language_training_completed, (), (language, level, provider))

struct licence_decided {
    static constexpr std::string_view type_name = "LicenceDecided";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string authority;
    licence_decision decision{};
    std::optional<date> applied_on;
    date decided_on{};
    friend bool operator==(licence_decided const&, licence_decided const&) = default;
};
BOOST_DESCRIBE_STRUCT(licence_decided, (), (authority, decision, applied_on, decided_on))

struct employment_started {
    static constexpr std::string_view type_name = "EmploymentStarted";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string employer;
    date started_on{};
    std::optional<std::string> position_id;
    friend bool operator==(employment_started const&, employment_started const&) = default;
};
BOOST_DESCRIBE_STRUCT(employment_started, (), (employer, started_on, position_id))

struct employment_ended {
    static constexpr std::string_view type_name = "EmploymentEnded";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    date ended_on{};
    std::optional<bool> voluntary;
    std::optional<std::string> reason;
    friend bool operator==(employment_ended const&, employment_ended const&) = default;
};
BOOST_DESCRIBE_STRUCT(employment_ended, (), (ended_on, voluntary, reason))

/// Written by the erase operation; holds no personal data. Nothing may follow it.
struct subject_erased {
    static constexpr std::string_view type_name = "SubjectErased";
    static constexpr std::string_view category_name = "candidate";
    static constexpr std::uint16_t schema_version = 1;
    std::string basis;
    friend bool operator==(subject_erased const&, subject_erased const&) = default;
};
BOOST_DESCRIBE_STRUCT(subject_erased, (), (basis))

}  // namespace ledger::events
