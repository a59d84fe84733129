#pragma once
// vacancies (SPEC §7): positions per (organisation, role): opened, filled (first posting or
// after a repost), withdrawn, still open, and the median days from first posting to filling.
// Shape as in recruits_per_campaign.hpp.

#include "reference/detail/stream_facts.hpp"
#include "reference/fold_event.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::reference {

class vacancies {
public:
    static constexpr std::string_view name = "vacancies";
    static constexpr std::string_view description =
        "Positions per organisation and role: opened, filled, reposted, withdrawn, time to fill";
    static constexpr std::uint32_t code_version = 2;
    static constexpr std::array<std::string_view, 9> columns{
        "organisation", "role", "opened", "filled", "filled_first_posting", "filled_after_repost",
        "withdrawn", "open", "median_days_to_fill"};

    static bool reads(std::string_view type) noexcept;
    void apply(fold_event const& event);
    /// One row per (organisation, role) of an opened position, in that order.
    boost::json::array rows() const;

    enum class step : std::uint8_t { opened, posted, reposted, filled, withdrawn };
    /// What a position event stated.
    struct fact {
        std::uint64_t position = 0;
        step what{};
        std::int64_t day = 0;      // posted, reposted: posted_on; filled: filled_on
        std::string organisation;  // opened only
        std::uint8_t role = 0;     // opened only: events::doctor_role

        template <class Archive>
        void serialize(Archive& archive) {
            archive(position, what, day, organisation, role);
        }
        friend bool operator==(fact const&, fact const&) = default;
    };

    template <class Archive>
    void serialize(Archive& archive) {
        archive(positions_);
    }
    friend bool operator==(vacancies const&, vacancies const&) = default;

private:
    detail::stream_facts<fact> positions_;  // by position stream id
};

inline vacancies apply(vacancies state, fold_event const& event) {
    state.apply(event);
    return state;
}

}  // namespace ledger::reference
