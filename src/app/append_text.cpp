// app::parse_append_text (append_body.hpp): an append body read from its JSON tokens straight
// into the store request, without a DOM (issue 18: the DOM and the catalogue's walk over it were
// ~0.9 µs of an I/O thread's CPU per event in 1,000-event batches).
//
// It only ever accepts: whatever parse_append_body would refuse, and whatever it cannot be sure
// to read the same way (a repeated member, metadata, whose stored form is Boost.JSON's
// serialisation of the DOM, `data` before `type`), makes it give up, and the route parses the DOM
// as before, whose answer stands. So every refusal keeps its status and SPEC §6 body by
// construction; tests/test_append_body_tokens.cpp holds the accepted requests to the DOM's.

#include "ledger/app/append_body.hpp"

#include "events/codec.hpp"
#include "events/data_tokens.hpp"
#include "events/personal_data.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/time.hpp"
#include "ledger/uuid.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace ledger::app {
namespace {

namespace json = boost::json;
using boost::system::error_code;

/// What the next value of the object being read belongs to.
enum class slot {
    none,
    expected_version,
    events,
    id,
    type,
    occurred_at,
    data,
    metadata,
    correlation_id,
    causation_id,
};

/// The member slot of an event's key (event_members_of in append_body.cpp knows the same seven).
slot event_slot(std::string_view key) {
    if (key == "id") return slot::id;
    if (key == "type") return slot::type;
    if (key == "occurred_at") return slot::occurred_at;
    if (key == "data") return slot::data;
    if (key == "metadata") return slot::metadata;
    if (key == "correlation_id") return slot::correlation_id;
    if (key == "causation_id") return slot::causation_id;
    return slot::none;
}

/// A correlation or causation id as optional_text (append_body.cpp) accepts it.
bool acceptable_text(std::string_view text) { return !text.empty() && text.size() <= 256; }

/// Whether a personal field already looks sealed (refuse_sealed_lookalike refuses those).
bool has_sealed_lookalike(std::string_view type, decoded_event& decoded) {
    if (!events::has_personal_fields(type)) return false;
    bool found = false;
    events::for_each_personal_field(decoded, [&](std::string_view, std::string& value) {
        found = found || value.starts_with(sealed_prefix);
    });
    return found;
}

/// The body's tokens, in the order basic_parser gives them. Depths: 1 the body's object,
/// 2 the events array, 3 an event, 4 its data, 5 an array inside data. Every handler returns
/// false (the parse stops, the route falls back to the DOM) on anything it does not accept.
class body_tokens {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    body_tokens(std::string_view stream, std::string const& actor, std::size_t body_size) {
        request_.stream.assign(stream.data(), stream.size());
        request_.actor = actor;
        // Room for as many events as such a body can hold at ~100 bytes each (append.lua's are
        // ~190), up to 1,024: a 1,000-event batch's events and forms are not moved while the
        // vectors grow, and a large hostile body does not reserve more than that first.
        auto const room = std::min<std::size_t>(body_size / 100 + 1, 1024);
        request_.events.reserve(room);
        forms_.reserve(room);
    }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }

    bool on_object_begin(error_code& ec) {
        if (depth_ == 0) return enter(1);
        if (depth_ == 2) return begin_event() && enter(3);
        if (depth_ == 3 && slot_ == slot::data && !has_data_ && !event_.type.empty()) {
            has_data_ = true;
            forms_.emplace_back();
            return data_.begin(event_.type, forms_.back()) && enter(4);
        }
        return give_up(ec);
    }

    bool on_object_end(std::size_t, error_code& ec) {
        bool const done = depth_ == 4 ? data_.end() : depth_ == 3 ? end_event() : depth_ == 1 ? !request_.events.empty() : false;
        --depth_;
        slot_ = slot::none;
        return done || give_up(ec);
    }

    bool on_array_begin(error_code& ec) {
        if (depth_ == 1 && slot_ == slot::events && !has_events_) {
            has_events_ = true;
            return enter(2);
        }
        if (depth_ == 4 && data_.array_begin()) return enter(5);
        return give_up(ec);
    }

    bool on_array_end(std::size_t, error_code& ec) {
        bool const done = depth_ == 5 ? data_.array_end() : depth_ == 2 && !request_.events.empty();
        --depth_;
        if (depth_ == 1) slot_ = slot::none;
        return done || give_up(ec);
    }

    bool on_key_part(json::string_view part, std::size_t, error_code&) {
        text_.append(part.data(), part.size());
        return true;
    }

    bool on_key(json::string_view last, std::size_t, error_code& ec) {
        auto const key = whole(last);
        bool accepted = false;
        if (depth_ == 1) accepted = body_key(key);
        if (depth_ == 3) accepted = event_key(key);
        if (depth_ == 4) accepted = data_.key(key);
        text_.clear();
        return accepted || give_up(ec);
    }

    bool on_string_part(json::string_view part, std::size_t, error_code&) {
        text_.append(part.data(), part.size());
        return true;
    }

    bool on_string(json::string_view last, std::size_t, error_code& ec) {
        auto const text = whole(last);
        bool const accepted = depth_ >= 4 ? data_.string(text) : depth_ == 3 ? event_string(text) : body_string(text);
        text_.clear();
        return accepted || give_up(ec);
    }

    bool on_number_part(json::string_view, error_code&) { return true; }

    bool on_int64(std::int64_t number, json::string_view, error_code& ec) {
        if (depth_ >= 4) return data_.int64(number) || give_up(ec);
        if (depth_ == 1 && slot_ == slot::expected_version && number >= 0) {
            request_.expected = store::expected_version::exact(static_cast<std::uint64_t>(number));
            return true;
        }
        return give_up(ec);
    }

    bool on_uint64(std::uint64_t number, json::string_view, error_code& ec) {
        if (depth_ >= 4) return data_.uint64(number) || give_up(ec);
        if (depth_ == 1 && slot_ == slot::expected_version) {
            request_.expected = store::expected_version::exact(number);
            return true;
        }
        return give_up(ec);
    }

    // No member of the body, an event or the catalogue takes a fraction (metadata is not read here).
    bool on_double(double, json::string_view, error_code& ec) { return give_up(ec); }

    bool on_bool(bool value, error_code& ec) { return (depth_ >= 4 && data_.boolean(value)) || give_up(ec); }

    bool on_null(error_code& ec) {
        if (depth_ >= 4) return data_.null() || give_up(ec);
        // Null is absence for expected_version ("any"), id, metadata and the correlation ids.
        if (depth_ == 1) return slot_ == slot::expected_version || give_up(ec);
        if (depth_ == 3) {
            return slot_ == slot::id || slot_ == slot::metadata || slot_ == slot::correlation_id ||
                   slot_ == slot::causation_id || give_up(ec);
        }
        return give_up(ec);
    }

    bool on_comment_part(json::string_view, error_code& ec) { return give_up(ec); }
    bool on_comment(json::string_view, error_code& ec) { return give_up(ec); }

    /// The request, once the whole body was accepted: each event's decoded form shared with
    /// the request by one allocation (as parse_append_body's one array).
    store::append_request finish() {
        auto const forms = std::make_shared<std::vector<decoded_event>>(std::move(forms_));
        for (std::size_t index = 0; index < request_.events.size(); ++index) {
            request_.events[index].decoded = std::shared_ptr<void const>(forms, &(*forms)[index]);
        }
        return std::move(request_);
    }

private:
    bool enter(int depth) {
        depth_ = depth;
        slot_ = slot::none;
        return true;
    }

    static bool give_up(error_code& ec) {
        ec = json::error::syntax;  // any error: the route parses the DOM, which says what it is
        return false;
    }

    /// A string or key whose parts basic_parser gave in pieces, else `last` itself.
    std::string_view whole(json::string_view last) {
        if (text_.empty()) return {last.data(), last.size()};
        text_.append(last.data(), last.size());
        return text_;
    }

    bool body_key(std::string_view key) {
        if (key == "expected_version" && !has_expected_) {
            has_expected_ = true;
            slot_ = slot::expected_version;
            return true;
        }
        slot_ = slot::events;
        return key == "events" && !has_events_;
    }

    bool body_string(std::string_view text) {
        if (depth_ != 1 || slot_ != slot::expected_version) return false;
        if (text == "any") request_.expected = store::expected_version::any();
        else if (text == "no_stream") request_.expected = store::expected_version::no_stream();
        else if (text == "exists") request_.expected = store::expected_version::exists();
        else return false;
        return true;
    }

    bool begin_event() {
        event_ = store::event_to_append{};
        given_ = 0;
        has_data_ = false;
        has_occurred_ = false;
        return true;
    }

    bool event_key(std::string_view key) {
        slot_ = event_slot(key);
        auto const bit = 1u << static_cast<unsigned>(slot_);
        if (slot_ == slot::none || (given_ & bit) != 0) return false;  // unknown or repeated
        given_ |= bit;
        return true;
    }

    bool event_string(std::string_view text) {
        switch (slot_) {
        case slot::id: event_.id = parse_uuid(text); return event_.id.has_value();
        case slot::type: event_.type.assign(text.data(), text.size()); return !text.empty();
        case slot::occurred_at: {
            auto const parsed = parse_timestamp(text);
            if (parsed) event_.occurred_at = *parsed;
            has_occurred_ = parsed.has_value();
            return has_occurred_;
        }
        case slot::correlation_id:
            event_.correlation_id.emplace(text);
            return acceptable_text(text);
        case slot::causation_id:
            event_.causation_id.emplace(text);
            return acceptable_text(text);
        default: return false;
        }
    }

    /// The event's end: what parse_event (append_body.cpp) does once its members are read.
    bool end_event() {
        if (!has_data_ || !has_occurred_) return false;
        auto& decoded = forms_.back();
        event_.schema_version =
            std::visit([](auto const& e) { return std::decay_t<decltype(e)>::schema_version; }, decoded);
        event_.data = events::encode_event(decoded);
        if (has_sealed_lookalike(event_.type, decoded)) return false;
        request_.events.push_back(std::move(event_));
        return true;
    }

    store::append_request request_;
    std::vector<decoded_event> forms_;  // one per event, in order
    store::event_to_append event_;      // the event being read
    events::data_token_reader data_;
    std::string text_;                  // a string or key given in parts
    int depth_ = 0;
    slot slot_ = slot::none;
    unsigned given_ = 0;                // the event's members given, one bit per slot
    bool has_expected_ = false;
    bool has_events_ = false;
    bool has_data_ = false;
    bool has_occurred_ = false;
};

}  // namespace

std::optional<store::append_request> parse_append_text(std::string_view stream, std::string_view body,
                                                       std::string const& actor) {
    // The DOM route's parser options (json::parser's defaults): the same texts are JSON.
    json::basic_parser<body_tokens> parser(json::parse_options{}, stream, actor, body.size());
    error_code failure;
    auto const used = parser.write_some(false, body.data(), body.size(), failure);
    if (failure || used != body.size() || !parser.done()) return std::nullopt;
    return parser.handler().finish();
}

}  // namespace ledger::app
