#pragma once
// Events of `position-` streams: a post or GP practice capacity to fill (SPEC §5).
// PositionOpened creates the stream; PositionFilled and PositionWithdrawn end it.

#include "events/enums.hpp"
#include "ledger/time.hpp"

#include <boost/describe/class.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::events {

struct position_opened {
    static constexpr std::string_view type_name = "PositionOpened";
    static constexpr std::string_view category_name = "position";
    static constexpr std::uint16_t schema_version = 1;
    /// Fields that may be absent in JSON and then keep their default member value.
    static constexpr std::array<std::string_view, 1> defaulted_fields{"openings"};
    std::string organisation;
    doctor_role role{};
    std::optional<std::string> specialty;
    std::optional<std::string> location;
    std::uint32_t openings = 1;
    friend bool operator==(position_opened const&, position_opened const&) = default;
};
BOOST_DESCRIBE_STRUCT(position_opened, (), (organisation, role, specialty, location, openings))

struct vacancy_posted {
    static constexpr std::string_view type_name = "VacancyPosted";
    static constexpr std::string_view category_name = "position";
    static constexpr std::uint16_t schema_version = 1;
    date posted_on{};
    std::optional<std::string> channel;
    std::optional<date> valid_through;
    friend bool operator==(vacancy_posted const&, vacancy_posted const&) = default;
};
BOOST_DESCRIBE_STRUCT(vacancy_posted, (), (posted_on, channel, valid_through))

struct vacancy_reposted {
    static constexpr std::string_view type_name = "VacancyReposted";
    static constexpr std::string_view category_name = "position";
    static constexpr std::uint16_t schema_version = 1;
    date posted_on{};
    std::optional<std::string> reason;
    friend bool operator==(vacancy_reposted const&, vacancy_reposted const&) = default;
};
BOOST_DESCRIBE_STRUCT(vacancy_reposted, (), (posted_on, reason))

struct position_filled {
    static constexpr std::string_view type_name = "PositionFilled";
    static constexpr std::string_view category_name = "position";
    static constexpr std::uint16_t schema_version = 1;
    std::string candidate_id;  // the id part of stream candidate-<id>, which must exist
    date filled_on{};
    friend bool operator==(position_filled const&, position_filled const&) = default;
};
BOOST_DESCRIBE_STRUCT(position_filled, (), (candidate_id, filled_on))

struct position_withdrawn {
    static constexpr std::string_view type_name = "PositionWithdrawn";
    static constexpr std::string_view category_name = "position";
    static constexpr std::uint16_t schema_version = 1;
    date withdrawn_on{};
    std::optional<std::string> reason;
    friend bool operator==(position_withdrawn const&, position_withdrawn const&) = default;
};
BOOST_DESCRIBE_STRUCT(position_withdrawn, (), (withdrawn_on, reason))

}  // namespace ledger::events
