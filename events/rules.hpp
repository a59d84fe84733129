#pragma once
// The domain rules of SPEC §5, as pure functions over a small per-stream state, so that the
// append path checks an event without reading the stream it goes to.
//
// The store keeps one rule_state per stream (its serialised bytes) and hands it back on the
// next append; check_and_fold checks one event against it and folds the event in. Retracting
// an event removes its traces from the state, so the rules then behave as if it had never
// happened. Pure and thread-safe; nothing here touches LMDB.

#include "events/recruitment_event.hpp"
#include "ledger/error.hpp"
#include "ledger/time.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::events {

/// The stream categories of SPEC §5 with their creation event.
struct category_info {
    std::string_view name;            // "campaign"
    std::string_view creation_event;  // "CampaignPlanned"
};
std::span<category_info const> stream_categories() noexcept;

/// A named domain rule, as listed by GET /v1/catalog and reported in details.rule.
struct rule_info {
    std::string_view name;  // stable snake_case, part of the API
    error_code code;        // the error a violation produces
    std::string_view description;
};
std::span<rule_info const> domain_rules() noexcept;

/// What the rules remember about one stream. Every entry carries the global position of the
/// event that produced it, so a retraction can remove exactly that event's effect.
struct rule_state {
    struct shortage_check {
        std::uint64_t position = 0;
        std::string country;
        bool shortage = false;
        template <class Archive>
        void serialize(Archive& ar) { ar(position, country, shortage); }
        friend bool operator==(shortage_check const&, shortage_check const&) = default;
    };
    struct consent_change {  // contact_brokerage only: the one purpose a rule depends on
        std::uint64_t position = 0;
        bool granted = false;
        std::optional<std::int32_t> expires_on;  // days since the epoch
        template <class Archive>
        void serialize(Archive& ar) { ar(position, granted, expires_on); }
        friend bool operator==(consent_change const&, consent_change const&) = default;
    };
    struct application {
        std::uint64_t position = 0;
        std::string application_id;
        template <class Archive>
        void serialize(Archive& ar) { ar(position, application_id); }
        friend bool operator==(application const&, application const&) = default;
    };

    std::optional<std::uint64_t> creation_position;  // nullopt: the stream has no events yet
    std::optional<std::uint64_t> closed_by;          // the terminal event in force, if any
    bool erased = false;
    std::vector<std::uint64_t> retracted;  // sorted
    std::vector<shortage_check> shortage_checks;
    std::vector<consent_change> brokerage_consent;
    std::vector<application> applications;

    friend bool operator==(rule_state const&, rule_state const&) = default;
};

/// The stored form of a rule_state; empty bytes are the state of a new stream.
std::string encode_rule_state(rule_state const& state);
/// Throws ledger::codec_error for bytes that do not decode.
rule_state decode_rule_state(std::string_view bytes);

/// An earlier event as the retraction rule needs to see it.
struct event_summary {
    std::string stream;
    std::string type;
};

/// What the rules need to know beyond the stream's own state.
class rule_context {
public:
    virtual ~rule_context() = default;
    /// Whether a stream (e.g. "campaign-c1") has at least one event.
    virtual bool stream_exists(std::string_view stream) const = 0;
    /// The stream and type of the event at a global position, if there is one before the
    /// event being checked.
    virtual std::optional<event_summary> event_at(std::uint64_t position) const = 0;
};

/// A refused event: the error code, the rule's name and a message for a person.
struct rule_refusal {
    error_code code = error_code::rule_violation;
    std::string rule;
    std::string message;
};

/// Checks `event`, bound for `stream` at global `position`, against every rule and, when it
/// passes, folds it into `state`. The stream's category must be a known one (see
/// is_known_category in catalog.hpp). On refusal `state` is unchanged.
std::optional<rule_refusal> check_and_fold(rule_state& state, rule_context const& context,
                                           std::string_view stream, std::uint64_t position,
                                           recruitment_event const& event);

}  // namespace ledger::events
