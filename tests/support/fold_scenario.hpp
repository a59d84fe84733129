#pragma once
// Table tests of read models without LMDB: a list of events with positions, streams and times,
// folded through a read model's pure `apply`.

#include "events/recruitment_event.hpp"
#include "projections/fold_event.hpp"
#include "ledger/time.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ledger::testing {

inline date day(std::string_view text) {
    auto const parsed = parse_date(text);
    if (!parsed) throw std::invalid_argument("bad date in a test: " + std::string(text));
    return *parsed;
}

class fold_scenario {
public:
    /// Appends an event to `stream` that occurred on `occurred` ("YYYY-MM-DD" or RFC 3339);
    /// returns its position.
    std::uint64_t add(std::string stream, std::string_view occurred, events::recruitment_event data) {
        auto const position = static_cast<std::uint64_t>(entries_.size());
        auto const at = parse_timestamp(occurred);
        if (!at) throw std::invalid_argument("bad time in a test: " + std::string(occurred));
        entries_.push_back(entry{position, std::move(stream), *at, std::move(data)});
        return position;
    }

    /// Retracts the event at `position` with an EventRetracted in its own stream.
    std::uint64_t retract(std::uint64_t position, std::string_view occurred = "2024-12-31") {
        auto const stream = entries_.at(position).stream;
        return add(stream, occurred, events::event_retracted{.position = position, .reason = "test"});
    }

    /// The state after folding every event, through the value form `apply(state, event)`.
    /// A retraction comes with the event it names when that is an earlier event of its stream,
    /// as the runner hands it over (fold_event::retracted).
    template <class Model>
    Model fold() const {
        std::vector<projections::fold_event> views;
        views.reserve(entries_.size());
        for (auto const& e : entries_) {
            views.push_back(projections::fold_event{.position = e.position, .stream = e.stream,
                                                    .occurred_at = e.occurred, .recorded_at = e.occurred,
                                                    .data = &e.data});
            auto const* retraction = std::get_if<events::event_retracted>(&e.data);
            if (retraction != nullptr && retraction->position < e.position &&
                entries_[retraction->position].stream == e.stream) {
                views.back().retracted = &views[retraction->position];
            }
        }
        Model state;
        for (auto const& view : views) state = apply(std::move(state), view);
        return state;
    }

    template <class Model>
    boost::json::array rows() const {
        return fold<Model>().rows();
    }

private:
    struct entry {
        std::uint64_t position;
        std::string stream;
        timestamp occurred;
        events::recruitment_event data;
    };
    std::vector<entry> entries_;
};

/// A JSON value from text, for expected rows.
inline boost::json::value json(std::string_view text) { return boost::json::parse(text); }

}  // namespace ledger::testing
