#pragma once
// Events of `campaign-` streams: a recruitment trip, fair tour, outreach programme or matching
// drive (SPEC §5). CampaignPlanned creates the stream; CampaignClosed ends it.

#include "events/codes.hpp"
#include "events/enums.hpp"
#include "ledger/time.hpp"

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::events {

struct campaign_planned {
    static constexpr std::string_view type_name = "CampaignPlanned";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    std::string name;
    campaign_kind kind{};
    std::string organiser;                   // e.g. "region-jonkoping"
    std::vector<std::string> partners;       // e.g. "arbetsformedlingen"; absent means none
    std::vector<country_code> target_countries;
    std::optional<date> starts_on;
    std::optional<date> ends_on;
    std::optional<std::uint32_t> target_hires;
    friend bool operator==(campaign_planned const&, campaign_planned const&) = default;
};
BOOST_DESCRIBE_STRUCT(campaign_planned, (),
                      (name, kind, organiser, partners, target_countries, starts_on, ends_on,
                       target_hires))

struct shortage_check_recorded {
    static constexpr std::string_view type_name = "ShortageCheckRecorded";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    country_code country;
    bool shortage = false;  // true: doctors are scarce there, so no trip may go
    std::optional<std::string> source;
    friend bool operator==(shortage_check_recorded const&,
                           shortage_check_recorded const&) = default;
};
BOOST_DESCRIBE_STRUCT(shortage_check_recorded, (), (country, shortage, source))

struct advertisement_published {
    static constexpr std::string_view type_name = "AdvertisementPublished";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    std::string channel;  // e.g. a medical journal
    std::optional<country_code> country;
    std::optional<std::string> language;
    date published_on{};
    std::optional<std::int64_t> cost_minor;
    std::optional<currency_code> currency;  // required when cost_minor is given
    friend bool operator==(advertisement_published const&,
                           advertisement_published const&) = default;
};
BOOST_DESCRIBE_STRUCT(advertisement_published, (),
                      (channel, country, language, published_on, cost_minor, currency))

struct trip_held {
    static constexpr std::string_view type_name = "TripHeld";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    country_code country;
    std::string city;
    date from{};
    date to{};
    std::vector<std::string> participants;  // organisations
    std::optional<std::uint32_t> interviews_held;
    friend bool operator==(trip_held const&, trip_held const&) = default;
};
BOOST_DESCRIBE_STRUCT(trip_held, (), (country, city, from, to, participants, interviews_held))

struct session_held {
    static constexpr std::string_view type_name = "SessionHeld";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    session_kind kind{};
    date held_on{};
    std::optional<std::string> university;
    std::optional<std::string> city;
    std::optional<country_code> country;
    std::optional<std::uint32_t> visitors;
    friend bool operator==(session_held const&, session_held const&) = default;
};
BOOST_DESCRIBE_STRUCT(session_held, (), (kind, held_on, university, city, country, visitors))

struct cost_recorded {
    static constexpr std::string_view type_name = "CostRecorded";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    cost_category category{};
    std::int64_t amount_minor = 0;
    currency_code currency;
    friend bool operator==(cost_recorded const&, cost_recorded const&) = default;
};
BOOST_DESCRIBE_STRUCT(cost_recorded, (), (category, amount_minor, currency))

struct campaign_closed {
    static constexpr std::string_view type_name = "CampaignClosed";
    static constexpr std::string_view category_name = "campaign";
    static constexpr std::uint16_t schema_version = 1;
    date closed_on{};
    std::optional<std::string> reason;
    friend bool operator==(campaign_closed const&, campaign_closed const&) = default;
};
BOOST_DESCRIBE_STRUCT(campaign_closed, (), (closed_on, reason))

}  // namespace ledger::events
