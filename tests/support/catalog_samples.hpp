#pragma once
// One fixed, fully populated sample of every catalogue type, in the canonical JSON form that
// data_to_json produces. The golden-byte fixtures under tests/data/golden/ are these samples
// encoded; changing a sample means changing its fixture, which is what the test guards.

#include <string_view>
#include <utility>
#include <vector>

namespace ledger::testing {

struct catalog_sample {
    std::string_view type;
    std::string_view data;  // JSON object text
};

inline std::vector<catalog_sample> const& catalog_samples() {
    static std::vector<catalog_sample> const samples{
        {"CampaignPlanned",
         R"({"name":"Recruitment trip Madrid 2024","kind":"recruitment_trip","organiser":"region-jonkoping","partners":["arbetsformedlingen","folkuniversitetet"],"target_countries":["ES","PT"],"starts_on":"2024-02-01","ends_on":"2024-11-30","target_hires":8})"},
        {"ShortageCheckRecorded", R"({"country":"ES","shortage":false,"source":"EURES shortage report 2024"})"},
        {"AdvertisementPublished",
         R"({"channel":"Diario Médico","country":"ES","language":"es","published_on":"2024-02-15","cost_minor":1850000,"currency":"EUR"})"},
        {"TripHeld",
         R"({"country":"ES","city":"Madrid","from":"2024-04-08","to":"2024-04-11","participants":["arbetsformedlingen","region-jonkoping"],"interviews_held":12})"},
        {"SessionHeld",
         R"({"kind":"job_fair","held_on":"2024-03-20","university":"Universidad Complutense","city":"Madrid","country":"ES","visitors":140})"},
        {"CostRecorded", R"({"category":"travel","amount_minor":4200000,"currency":"SEK"})"},
        {"CampaignClosed", R"({"closed_on":"2024-11-30","reason":"target reached"})"},
        {"PositionOpened",
         R"({"organisation":"region-jonkoping","role":"specialist","specialty":"psychiatry","location":"Värnamo","openings":2})"},
        {"VacancyPosted", R"({"posted_on":"2024-01-10","channel":"platsbanken","valid_through":"2024-02-10"})"},
        {"VacancyReposted", R"({"posted_on":"2024-03-01","reason":"no qualified applicants"})"},
        {"PositionFilled", R"({"candidate_id":"c-0192","filled_on":"2024-06-01"})"},
        {"PositionWithdrawn", R"({"withdrawn_on":"2024-05-01","reason":"budget cut"})"},
        {"CandidateRegistered",
         R"({"name":"Lucía García","email":"lucia@example.es","phone":"+34 600 000 000","country_of_training":"ES","graduation_year":2016,"career_stage":"specialist"})"},
        {"ConsentGranted", R"({"purpose":"contact_brokerage","expires_on":"2026-01-01"})"},
        {"ConsentWithdrawn", R"({"purpose":"newsletter"})"},
        {"InterestRegistered",
         R"({"specialties":["psychiatry","geriatrics"],"locations":["Jönköping"],"campaign_id":"madrid-2024"})"},
        {"InvitedToMeeting", R"({"with":"department","invited_on":"2024-03-01","campaign_id":"madrid-2024"})"},
        {"MeetingHeld", R"({"held_on":"2024-03-15","kind":"hospitation"})"},
        {"ApplicationReceived",
         R"({"application_id":"a-1","campaign_id":"madrid-2024","position_id":"p-psy-1","source":"tracked_link"})"},
        {"ApplicationScreened", R"({"application_id":"a-1","outcome":"shortlisted","reason":"strong CV"})"},
        {"InterviewBooked",
         R"({"application_id":"a-1","scheduled_for":"2024-04-09T09:30:00.000000Z","location":"Hotel Madrid Centro"})"},
        {"InterviewHeld", R"({"application_id":"a-1","outcome":"pass"})"},
        {"OfferExtended",
         R"({"application_id":"a-1","position_id":"p-psy-1","salary_minor":9500000,"currency":"SEK"})"},
        {"OfferAnswered", R"({"application_id":"a-1","accepted":true,"reason":"family moves along"})"},
        {"ContractSigned",
         R"({"application_id":"a-1","employer":"region-jonkoping","role":"specialist","starts_on":"2024-09-01","position_id":"p-psy-1","salary_minor":9500000,"currency":"SEK"})"},
        {"ApplicationClosed", R"({"application_id":"a-1","outcome":"withdrawn","reason":"stayed home"})"},
        {"LanguageTrainingCompleted", R"({"language":"sv","level":"B2","provider":"folkuniversitetet"})"},
        {"LicenceDecided",
         R"({"authority":"Socialstyrelsen","decision":"granted","applied_on":"2024-05-02","decided_on":"2024-08-15"})"},
        {"EmploymentStarted", R"({"employer":"region-jonkoping","started_on":"2024-09-01","position_id":"p-psy-1"})"},
        {"EmploymentEnded", R"({"ended_on":"2026-09-01","voluntary":true,"reason":"moved to Stockholm"})"},
        {"SubjectErased", R"({"basis":"GDPR art. 17 request"})"},
        {"TargetSet", R"({"organisation":"region-jonkoping","year":2024,"role":"AT","hires":40})"},
        {"EventRetracted", R"({"position":3,"reason":"recorded in the wrong campaign"})"},
    };
    return samples;
}

}  // namespace ledger::testing
