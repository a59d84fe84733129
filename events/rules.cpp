#include "events/rules.hpp"

#include "events/detail/fold.hpp"
#include "ledger/envelope.hpp"

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <string>
#include <variant>

namespace ledger::events {
namespace {

constexpr std::array<category_info, 4> categories{{
    {"campaign", campaign_planned::type_name},
    {"position", position_opened::type_name},
    {"candidate", candidate_registered::type_name},
    {"target", target_set::type_name},
}};

constexpr std::array<rule_info, 9> rules{{
    {"event_not_allowed_in_stream", error_code::event_not_allowed_in_stream,
     "An event type is accepted only in streams of its own category; EventRetracted in any."},
    {"creation_event_first", error_code::rule_violation,
     "A stream starts with its category's creation event (CampaignPlanned, PositionOpened, "
     "CandidateRegistered, TargetSet) and has it exactly once."},
    {"reference_exists", error_code::rule_violation,
     "campaign_id, position_id and candidate_id name existing streams campaign-<id>, "
     "position-<id> and candidate-<id>."},
    {"application_received", error_code::rule_violation,
     "The application_id of a stage event was received (ApplicationReceived) earlier in the "
     "same candidate stream and not retracted."},
    {"application_unique", error_code::rule_violation,
     "ApplicationReceived does not reuse an application_id already received in the stream."},
    {"trip_needs_shortage_check", error_code::rule_violation,
     "TripHeld to a country needs the campaign's latest ShortageCheckRecorded for that country "
     "to say shortage: false."},
    {"invitation_needs_consent", error_code::rule_violation,
     "InvitedToMeeting needs an active contact_brokerage consent: granted, not withdrawn since, "
     "and expires_on (if any) not before invited_on."},
    {"stream_closed", error_code::rule_violation,
     "After CampaignClosed, PositionFilled or PositionWithdrawn only EventRetracted is accepted; "
     "after SubjectErased nothing is."},
    {"retraction_target", error_code::rule_violation,
     "EventRetracted.position names an earlier event of the same stream that is not its "
     "creation event, not an EventRetracted and not already retracted."},
}};

using refusal = std::optional<rule_refusal>;

refusal refuse(std::string_view rule, std::string message) {
    return rule_refusal{error_code::rule_violation, std::string(rule), std::move(message)};
}

std::string_view creation_event_of(std::string_view category) {
    for (auto const& c : categories) {
        if (c.name == category) return c.creation_event;
    }
    return {};
}

bool is_retracted(rule_state const& state, std::uint64_t position) {
    return std::ranges::binary_search(state.retracted, position);
}

// Rules 1, 2 and 6: the stream's life cycle, which depends only on the event's type.
refusal check_life_cycle(rule_state const& state, std::string_view stream,
                         std::string_view type, std::string_view type_category) {
    auto const category = stream_category(stream);
    bool const retraction = type == event_retracted::type_name;
    if (!retraction && type_category != category) {
        return rule_refusal{error_code::event_not_allowed_in_stream, "event_not_allowed_in_stream",
                            std::string(type) + " belongs in " + std::string(type_category) +
                                "- streams, not in " + std::string(stream)};
    }
    if (state.erased) {
        return refuse("stream_closed", std::string(stream) + " was erased; nothing may follow");
    }
    auto const creation = creation_event_of(category);
    if (!state.creation_position && type != creation) {
        return refuse("creation_event_first", "a new " + std::string(category) +
                                                  " stream must start with " +
                                                  std::string(creation));
    }
    if (state.creation_position && type == creation) {
        return refuse("creation_event_first",
                      std::string(stream) + " already has its " + std::string(creation));
    }
    if (state.closed_by && !retraction) {
        return refuse("stream_closed", std::string(stream) + " was closed at position " +
                                           std::to_string(*state.closed_by) +
                                           "; only EventRetracted may follow");
    }
    return std::nullopt;
}

// The id a reference field holds, if it holds one.
std::string const* reference_id(std::string const& id) { return &id; }
std::string const* reference_id(std::optional<std::string> const& id) {
    return id ? &*id : nullptr;
}
template <class M>
std::string const* reference_id(M const&) {
    return nullptr;
}

// The stream a reference field names: campaign_id → campaign-<id>, and so on.
std::optional<std::string> referenced_stream(std::string_view field, std::string const& id) {
    for (std::string_view category : {"campaign", "position", "candidate"}) {
        if (field.size() == category.size() + 3 && field.starts_with(category) &&
            field.ends_with("_id")) {
            return std::string(category) + "-" + id;
        }
    }
    return std::nullopt;
}

// Rule 3, first half: every campaign_id, position_id and candidate_id field of the event.
template <class T>
refusal check_references(rule_context const& context, T const& event) {
    refusal found;
    using fields = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<fields>([&](auto d) {
        auto const* id = reference_id(event.*d.pointer);
        if (found || id == nullptr) return;
        auto const target = referenced_stream(d.name, *id);
        if (target && !context.stream_exists(*target)) {
            found = refuse("reference_exists", std::string(d.name) + " \"" + *id +
                                                   "\" does not exist: no stream " + *target);
        }
    });
    return found;
}

bool has_application(rule_state const& state, std::string const& application_id) {
    return std::ranges::any_of(state.applications, [&](auto const& a) {
        return a.application_id == application_id;
    });
}

// Rule 3, second half: stage events refer to an application received in this stream.
template <class T>
refusal check_application(rule_state const& state, T const& event) {
    if constexpr (requires { event.application_id; }) {
        bool const received = has_application(state, event.application_id);
        if constexpr (std::same_as<T, application_received>) {
            if (received) {
                return refuse("application_unique", "application " + event.application_id +
                                                        " was already received");
            }
        } else if (!received) {
            return refuse("application_received", "application " + event.application_id +
                                                      " was not received in this stream");
        }
    }
    return std::nullopt;
}

// Rule 4.
refusal check_event(rule_state const& state, rule_context const&, std::string_view,
                    std::uint64_t, trip_held const& trip) {
    auto const latest = std::ranges::find_if(state.shortage_checks.rbegin(),
                                             state.shortage_checks.rend(), [&](auto const& c) {
                                                 return c.country == trip.country.value;
                                             });
    if (latest == state.shortage_checks.rend()) {
        return refuse("trip_needs_shortage_check",
                      "no shortage check was recorded for " + trip.country.value);
    }
    if (latest->shortage) {
        return refuse("trip_needs_shortage_check",
                      trip.country.value + " has a shortage of doctors itself (position " +
                          std::to_string(latest->position) + ")");
    }
    return std::nullopt;
}

// Rule 5.
refusal check_event(rule_state const& state, rule_context const&, std::string_view,
                    std::uint64_t, invited_to_meeting const& invitation) {
    if (state.brokerage_consent.empty() || !state.brokerage_consent.back().granted) {
        return refuse("invitation_needs_consent",
                      "the candidate has no active contact_brokerage consent");
    }
    auto const& expires = state.brokerage_consent.back().expires_on;
    if (expires && *expires < invitation.invited_on.time_since_epoch().count()) {
        return refuse("invitation_needs_consent",
                      "the contact_brokerage consent expired before invited_on");
    }
    return std::nullopt;
}

refusal check_event(rule_state const& state, rule_context const& context, std::string_view stream,
                    std::uint64_t position, event_retracted const& retraction) {
    auto const target = retraction.position;
    auto const at = "position " + std::to_string(target);
    if (target >= position) return refuse("retraction_target", at + " is not an earlier event");
    if (state.creation_position == target) {
        return refuse("retraction_target", at + " is the stream's creation event");
    }
    if (is_retracted(state, target)) {
        return refuse("retraction_target", at + " is already retracted");
    }
    auto const summary = context.event_at(target);
    if (!summary || summary->stream != stream) {
        return refuse("retraction_target", at + " is not an event of " + std::string(stream));
    }
    if (summary->type == event_retracted::type_name) {
        return refuse("retraction_target", at + " is itself a retraction");
    }
    return std::nullopt;
}

template <class T>
refusal check_event(rule_state const&, rule_context const&, std::string_view, std::uint64_t,
                    T const&) {
    return std::nullopt;
}

}  // namespace

std::span<category_info const> stream_categories() noexcept { return categories; }

std::span<rule_info const> domain_rules() noexcept { return rules; }

std::optional<rule_refusal> check_and_fold(rule_state& state, rule_context const& context,
                                           std::string_view stream, std::uint64_t position,
                                           recruitment_event const& event) {
    auto refused = std::visit(
        [&](auto const& e) -> refusal {
            using T = std::decay_t<decltype(e)>;
            if (auto r = check_life_cycle(state, stream, T::type_name, T::category_name)) return r;
            if (auto r = check_references(context, e)) return r;
            if (auto r = check_application(state, e)) return r;
            return check_event(state, context, stream, position, e);
        },
        event);
    if (!refused) detail::fold_event(state, position, event);
    return refused;
}

}  // namespace ledger::events
