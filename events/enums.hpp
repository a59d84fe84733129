#pragma once
// The closed value sets of the catalogue (SPEC §5). Each enumerator's name is its JSON value,
// so Boost.Describe gives the JSON mapping and the catalogue's list of allowed values.
//
// The stored form is the enumerator's underlying value: append new enumerators at the end,
// never reorder or remove one (the golden-byte tests fail if an existing value moves).

#include <boost/describe/enum.hpp>

#include <cstdint>

namespace ledger::events {

// Enumerator names are the SPEC's values verbatim, including upper-case role names.

enum class campaign_kind : std::uint8_t {
    recruitment_trip, fair_tour, student_outreach, gp_matching
};
BOOST_DESCRIBE_ENUM(campaign_kind, recruitment_trip, fair_tour, student_outreach, gp_matching)

enum class session_kind : std::uint8_t {
    job_fair, info_meeting, summer_camp, welcome_meeting, site_visit
};
BOOST_DESCRIBE_ENUM(session_kind, job_fair, info_meeting, summer_camp, welcome_meeting, site_visit)

enum class cost_category : std::uint8_t {
    advertising, travel, language_training, relocation, staff, other
};
BOOST_DESCRIBE_ENUM(cost_category, advertising, travel, language_training, relocation, staff, other)

/// The post a position is for, or a contract is signed for.
enum class doctor_role : std::uint8_t { AT, BT, KBU, LIS1, ST, specialist, GP };
BOOST_DESCRIBE_ENUM(doctor_role, AT, BT, KBU, LIS1, ST, specialist, GP)

enum class career_stage : std::uint8_t { student, AT, BT, KBU, LIS1, ST, specialist };
BOOST_DESCRIBE_ENUM(career_stage, student, AT, BT, KBU, LIS1, ST, specialist)

enum class consent_purpose : std::uint8_t { contact_brokerage, talent_pool, newsletter };
BOOST_DESCRIBE_ENUM(consent_purpose, contact_brokerage, talent_pool, newsletter)

/// Whom a candidate is invited to meet (`InvitedToMeeting.with`).
enum class meeting_partner : std::uint8_t { department, research_group, municipality };
BOOST_DESCRIBE_ENUM(meeting_partner, department, research_group, municipality)

enum class meeting_kind : std::uint8_t { individual, hospitation, tour };
BOOST_DESCRIBE_ENUM(meeting_kind, individual, hospitation, tour)

enum class application_source : std::uint8_t { staff_recorded, tracked_link, self_reported };
BOOST_DESCRIBE_ENUM(application_source, staff_recorded, tracked_link, self_reported)

enum class screening_outcome : std::uint8_t { shortlisted, rejected };
BOOST_DESCRIBE_ENUM(screening_outcome, shortlisted, rejected)

enum class interview_outcome : std::uint8_t { pass, fail, no_show };
BOOST_DESCRIBE_ENUM(interview_outcome, pass, fail, no_show)

/// How an application ended without a contract (`ApplicationClosed.outcome`).
enum class closing_outcome : std::uint8_t { rejected, withdrawn };
BOOST_DESCRIBE_ENUM(closing_outcome, rejected, withdrawn)

/// CEFR language level.
enum class cefr_level : std::uint8_t { A1, A2, B1, B2, C1, C2 };
BOOST_DESCRIBE_ENUM(cefr_level, A1, A2, B1, B2, C1, C2)

enum class licence_decision : std::uint8_t { granted, refused };
BOOST_DESCRIBE_ENUM(licence_decision, granted, refused)

}  // namespace ledger::events
