#pragma once
// The application lifecycle that recruits-per-campaign, funnel and retention all count:
// campaign facts (plan, costs) and candidate facts (application stages, employment), kept by
// stream so a retraction can drop exactly what the retracted event stated. Texts (names,
// organisers, currencies, application and campaign ids) are interned in one string_pool, so a
// fact is a few numbers.

#include "reference/detail/stream_facts.hpp"
#include "reference/fold_event.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::reference::detail {

/// A fact's text that is absent (an employment fact has no application id).
inline constexpr std::uint32_t no_text = 0xFFFF'FFFF;

enum class campaign_fact_kind : std::uint8_t { planned, cost };

/// What a campaign event stated: its plan (name, kind, organiser) or a cost.
struct campaign_fact {
    std::uint64_t position = 0;
    campaign_fact_kind what{};
    std::uint32_t name = no_text;       // planned: the name; cost: the currency (interned)
    std::uint32_t organiser = no_text;  // planned (interned)
    std::uint8_t kind = 0;  // planned: events::campaign_kind
    std::int64_t amount_minor = 0;  // cost

    template <class Archive>
    void serialize(Archive& archive) {
        archive(position, what, name, organiser, kind, amount_minor);
    }
    friend bool operator==(campaign_fact const&, campaign_fact const&) = default;
};

enum class candidate_step : std::uint8_t {
    received, shortlisted, interviewed, offered, accepted, contracted,
    employment_started, employment_ended
};

/// What a candidate event stated about an application or an employment.
struct candidate_fact {
    std::uint64_t position = 0;
    candidate_step step{};
    /// received, offered: the day of occurred_at; contracted: starts_on;
    /// employment_started: started_on; employment_ended: ended_on.
    std::int64_t day = 0;
    std::uint32_t application_id = no_text;  // interned; no_text for employment facts
    std::uint32_t campaign_id = no_text;     // interned; received only

    template <class Archive>
    void serialize(Archive& archive) {
        archive(position, step, day, application_id, campaign_id);
    }
    friend bool operator==(candidate_fact const&, candidate_fact const&) = default;
};

/// Campaign and candidate facts of the log so far.
struct application_facts {
    string_pool texts;  // every text the facts below name
    stream_facts<campaign_fact> campaigns;
    stream_facts<candidate_fact> candidates;
    bool with_costs = false;  // whether cost facts are kept (recruits-per-campaign only)

    /// Folds one event: records its facts or, for EventRetracted, drops the retracted ones.
    void apply(fold_event const& event);

    template <class Archive>
    void serialize(Archive& archive) {
        archive(texts, campaigns, candidates, with_costs);
    }
    friend bool operator==(application_facts const&, application_facts const&) = default;
};

/// Whether application_facts reads events of `type` (with or without costs).
bool application_facts_read(std::string_view type, bool with_costs) noexcept;

/// A campaign as its remaining facts describe it.
struct campaign_profile {
    bool planned = false;
    std::string name;
    std::string kind;  // the SPEC spelling, e.g. "recruitment_trip"
    std::string organiser;
    std::map<std::string, std::int64_t> costs;  // currency → sum of minor units
};
campaign_profile profile_of(std::vector<campaign_fact> const& facts, string_pool const& texts);

/// One application as its candidate's remaining facts describe it: received with a campaign
/// (by its first ApplicationReceived), and the stages it reached.
struct application_summary {
    std::uint32_t application_id = no_text;  // interned
    std::string_view campaign_id;
    std::int64_t received_day = 0;
    bool shortlisted = false;
    bool interviewed = false;
    bool offered = false;
    bool accepted = false;
    bool contracted = false;
    bool started = false;  // contracted, and an EmploymentStarted came later in the stream
    std::optional<std::int64_t> offer_day;   // of the first OfferExtended
    std::optional<std::int64_t> started_on;  // of the first EmploymentStarted after the contract
    std::optional<std::int64_t> ended_on;    // of the first EmploymentEnded after that start
};

/// The applications received in one candidate stream, in the order they were received.
/// `texts` resolves the interned ids (campaign_id views into it).
std::vector<application_summary> summarize_applications(std::vector<candidate_fact> const& facts,
                                                        string_pool const& texts);

}  // namespace ledger::reference::detail
