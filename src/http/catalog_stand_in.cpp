// A stand-in for the event catalogue (events/catalog.hpp) while branch `catalog` lands: it
// knows the SPEC §5 type and category names and stores `data` as compact JSON text without
// validating fields. Built only when the ledger_events target does not exist.

#include "events/catalog.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <string_view>

namespace ledger::events {
namespace {

constexpr std::array<std::string_view, 4> categories{"campaign", "position", "candidate", "target"};

constexpr std::array<std::string_view, 33> types{
    "CampaignPlanned", "ShortageCheckRecorded", "AdvertisementPublished", "TripHeld",
    "SessionHeld", "CostRecorded", "CampaignClosed", "PositionOpened", "VacancyPosted",
    "VacancyReposted", "PositionFilled", "PositionWithdrawn", "CandidateRegistered",
    "ConsentGranted", "ConsentWithdrawn", "InterestRegistered", "InvitedToMeeting",
    "MeetingHeld", "ApplicationReceived", "ApplicationScreened", "InterviewBooked",
    "InterviewHeld", "OfferExtended", "OfferAnswered", "ContractSigned", "ApplicationClosed",
    "LanguageTrainingCompleted", "LicenceDecided", "EmploymentStarted", "EmploymentEnded",
    "SubjectErased", "TargetSet", "EventRetracted"};

}  // namespace

bool is_known_type(std::string_view type) {
    if (type.empty()) return false;
    for (auto const known : types) {
        if (known == type) return true;
    }
    return false;
}

bool is_known_category(std::string_view category) {
    for (auto const known : categories) {
        if (known == category) return true;
    }
    return false;
}

result<encoded_data> encode_data(std::string_view type, boost::json::value const& data,
                                 std::size_t index) {
    if (!is_known_type(type)) {
        boost::json::object details{{"index", index}, {"type", type}};
        return error{error_code::unknown_event_type, "unknown event type", std::move(details)};
    }
    if (!data.is_object()) {
        boost::json::object details{{"index", index}, {"field", "data"}, {"reason", "must be an object"}};
        return error{error_code::invalid_event, "data must be an object", std::move(details)};
    }
    return encoded_data{1, boost::json::serialize(data)};
}

boost::json::object data_to_json(std::string_view, std::uint16_t, std::string_view bytes) {
    return boost::json::parse(bytes).as_object();
}

boost::json::value catalog_json() {
    boost::json::array category_list(categories.begin(), categories.end());
    return boost::json::object{{"categories", std::move(category_list)}, {"stand_in", true}};
}

}  // namespace ledger::events
