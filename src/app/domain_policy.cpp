#include "ledger/app/domain_policy.hpp"

#include "events/catalog.hpp"
#include "events/recruitment_event.hpp"
#include "events/rules.hpp"
#include "ledger/envelope_codec.hpp"

#include <vector>

namespace ledger::app {
namespace {

// The rules' view of the ledger: the store's transaction plus the earlier events of the batch
// being admitted, which are not written yet.
class batch_context final : public events::rule_context {
public:
    batch_context(store::stream_lookup const& lookup, std::string_view stream,
                  std::uint64_t first_position, std::span<store::event_to_append const> batch)
        : lookup_(lookup), stream_(stream), first_position_(first_position), batch_(batch) {}

    /// Events before `index` of the batch count as already there.
    void advance_to(std::size_t index) { admitted_ = index; }

    bool stream_exists(std::string_view stream) const override {
        return lookup_.last_version(stream).has_value();
    }

    std::optional<events::event_summary> event_at(std::uint64_t position) const override {
        if (position >= first_position_) {
            auto const index = position - first_position_;
            if (index >= admitted_) return std::nullopt;
            return events::event_summary{std::string(stream_), batch_[index].type};
        }
        auto const event = lookup_.event_at(position);
        if (!event) return std::nullopt;
        return events::event_summary{event->stream, event->type};
    }

private:
    store::stream_lookup const& lookup_;
    std::string_view stream_;
    std::uint64_t first_position_;
    std::span<store::event_to_append const> batch_;
    std::size_t admitted_ = 0;
};

error indexed(error_code code, std::size_t index, std::string message) {
    error e{code, std::move(message), {}};
    e.details["index"] = index;
    return e;
}

// Decodes one event of the batch; its data came from encode_data, so a failure means the
// caller skipped the catalogue.
result<events::recruitment_event> decode(store::event_to_append const& event, std::size_t index) {
    if (!events::is_known_type(event.type)) {
        auto e = indexed(error_code::unknown_event_type, index,
                         "the catalogue has no event type \"" + event.type + "\"");
        e.details["type"] = event.type;
        return e;
    }
    try {
        return events::decode_event(event.type, event.schema_version, event.data);
    } catch (codec_error const& ex) {
        auto e = indexed(error_code::invalid_event, index,
                         "data is not a valid " + event.type + ": " + ex.what());
        e.details["field"] = "data";
        e.details["reason"] = "does not decode";
        return e;
    }
}

// The form parse_append_body decoded on an I/O thread (see decoded_event), or nullptr: then
// `data` is decoded here. A form of another type than the event's is not used.
events::recruitment_event const* decoded_form(store::event_to_append const& event) {
    auto const* form = static_cast<decoded_event const*>(event.decoded.get());
    if (form == nullptr || events::type_name_of(*form) != event.type) return nullptr;
    return form;
}

error refused(events::rule_refusal const& refusal, std::size_t index) {
    auto e = indexed(refusal.code, index, refusal.message);
    if (refusal.code == error_code::rule_violation) e.details["rule"] = refusal.rule;
    return e;
}

}  // namespace

std::optional<error> domain_policy::admit(store::stream_lookup const& lookup,
                                          std::string_view stream, std::uint64_t first_position,
                                          std::span<store::event_to_append const> events,
                                          std::string& rule_state) const {
    auto const category = stream_category(stream);
    if (!events::is_known_category(category)) {
        error e{error_code::invalid_stream_name,
                "unknown stream category \"" + std::string(category) +
                    "\"; streams are campaign-, position-, candidate- or target-<id>",
                {}};
        e.details["stream"] = stream;
        return e;
    }
    events::rule_state state;
    try {
        state = events::decode_rule_state(rule_state);
    } catch (codec_error const& ex) {
        // Only this policy writes rule states, so an unreadable one is a bug, not bad input.
        return error{error_code::internal, std::string("unreadable rule state: ") + ex.what(), {}};
    }
    batch_context context(lookup, stream, first_position, events);
    events::recruitment_event scratch;  // an event decoded here, when it came without its form
    for (std::size_t i = 0; i < events.size(); ++i) {
        auto const* event = decoded_form(events[i]);
        if (event == nullptr) {
            auto decoded = decode(events[i], i);
            if (!decoded) return decoded.error();
            scratch = std::move(*decoded);
            event = &scratch;
        }
        context.advance_to(i);
        auto const position = first_position + i;
        if (auto refusal = events::check_and_fold(state, context, stream, position, *event)) {
            return refused(*refusal, i);
        }
    }
    rule_state = events::encode_rule_state(state);
    return std::nullopt;
}

}  // namespace ledger::app
