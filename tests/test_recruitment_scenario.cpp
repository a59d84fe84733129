// A realistic recruitment trip to Spain replayed through the store with the domain rules:
// planning, a shortage check, an advertisement in a Spanish medical journal, five doctors from
// application to their first day at work, the trip itself, its costs and the closing.

#include "events/catalog.hpp"
#include "support/domain_ledger.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ledger;
using ledger::testing::domain_ledger;
using ledger::testing::typed_event;

namespace {

// JSON texts must outlive the typed_events that point at them.
struct batch {
    std::vector<std::string> texts;
    std::vector<std::pair<std::string_view, std::size_t>> entries;

    batch& add(std::string_view type, std::string data) {
        texts.push_back(std::move(data));
        entries.emplace_back(type, texts.size() - 1);
        return *this;
    }
    std::vector<typed_event> events() const {
        std::vector<typed_event> out;
        for (auto const& [type, text] : entries) out.push_back({type, texts[text]});
        return out;
    }
};

// One doctor from registration to employment, all in one candidate stream.
batch doctor_journey(int n) {
    auto const app = "\"application_id\":\"madrid-" + std::to_string(n) + "\"";
    auto const day = [](int d) { return std::string(d < 10 ? "0" : "") + std::to_string(d); };
    batch b;
    b.add("CandidateRegistered", R"({"name":"Doctor )" + std::to_string(n) +
                                     R"(","country_of_training":"ES","career_stage":"specialist"})")
        .add("ApplicationReceived", "{" + app +
                                        R"(,"campaign_id":"madrid-2024","position_id":"psy-varnamo","source":"tracked_link"})")
        .add("ApplicationScreened", "{" + app + R"(,"outcome":"shortlisted"})")
        .add("InterviewBooked", "{" + app + R"(,"scheduled_for":"2024-04-)" + day(8 + n % 3) +
                                    R"(T10:00:00+02:00","location":"Madrid"})")
        .add("InterviewHeld", "{" + app + R"(,"outcome":"pass"})")
        .add("OfferExtended", "{" + app + R"(,"position_id":"psy-varnamo","salary_minor":9500000,"currency":"SEK"})")
        .add("OfferAnswered", "{" + app + R"(,"accepted":true})")
        .add("ContractSigned", "{" + app +
                                   R"(,"employer":"region-jonkoping","role":"specialist","starts_on":"2024-10-01","position_id":"psy-varnamo"})")
        .add("LanguageTrainingCompleted", R"({"language":"sv","level":"B2","provider":"folkuniversitetet"})")
        .add("LicenceDecided", R"({"authority":"Socialstyrelsen","decision":"granted","decided_on":"2024-09-)" +
                                   day(10 + n) + R"("})")
        .add("EmploymentStarted", R"({"employer":"region-jonkoping","started_on":"2024-10-01","position_id":"psy-varnamo"})");
    return b;
}

}  // namespace

TEST_CASE("a recruitment trip to Spain with five doctors replays through the store",
          "[rules][scenario]") {
    domain_ledger ledger;
    batch planning;
    planning
        .add("CampaignPlanned",
             R"({"name":"Recruitment trip Madrid 2024","kind":"recruitment_trip","organiser":"region-jonkoping","partners":["arbetsformedlingen","folkuniversitetet"],"target_countries":["ES"],"target_hires":5})")
        .add("ShortageCheckRecorded", R"({"country":"ES","shortage":false,"source":"EURES"})")
        .add("AdvertisementPublished",
             R"({"channel":"Diario Médico","country":"ES","language":"es","published_on":"2024-02-15","cost_minor":1850000,"currency":"EUR"})");
    ledger.accept("campaign-madrid-2024", planning.events());
    ledger.accept("position-psy-varnamo",
                  {{"PositionOpened", R"({"organisation":"region-jonkoping","role":"specialist","specialty":"psychiatry","openings":5})"},
                   {"VacancyPosted", R"({"posted_on":"2024-02-01","channel":"EURES"})"}});

    for (int n = 1; n <= 5; ++n) {
        INFO("doctor " << n);
        ledger.accept("candidate-es-" + std::to_string(n), doctor_journey(n).events());
    }

    batch closing;
    closing
        .add("TripHeld",
             R"({"country":"ES","city":"Madrid","from":"2024-04-08","to":"2024-04-11","participants":["arbetsformedlingen","region-jonkoping"],"interviews_held":5})")
        .add("CostRecorded", R"({"category":"travel","amount_minor":4200000,"currency":"SEK"})")
        .add("CostRecorded", R"({"category":"language_training","amount_minor":15000000,"currency":"SEK"})")
        .add("CampaignClosed", R"({"closed_on":"2024-11-30","reason":"five doctors started"})");
    ledger.accept("campaign-madrid-2024", closing.events());

    auto& store = ledger.store();
    CHECK(store.last_version("campaign-madrid-2024") == 6u);
    CHECK(store.head().events == 7 + 2 + 5 * 11);
    CHECK(store.verify().ok);

    // Every stored event reads back as catalogue JSON with its type's fields.
    std::size_t contracts = 0;
    store.scan(0, [&](recorded_event const& e) {
        auto const data = events::data_to_json(e.type, e.schema_version, e.data);
        if (e.type == "ContractSigned") {
            ++contracts;
            CHECK(data.at("employer") == "region-jonkoping");
        }
        if (e.type == "InterviewBooked") {
            CHECK(data.at("scheduled_for").as_string().ends_with("T08:00:00.000000Z"));
        }
        return true;
    });
    CHECK(contracts == 5);

    // The campaign is closed: late costs are refused.
    auto const late = ledger.refuse(
        "campaign-madrid-2024",
        {{"CostRecorded", R"({"category":"other","amount_minor":100,"currency":"EUR"})"}});
    CHECK(testing::rule_of(late) == "stream_closed");
}
