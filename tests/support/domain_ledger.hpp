#pragma once
// A real event store with the domain policy in its own temporary directory, and builders that
// turn (type, JSON data) pairs into append requests through the catalogue.

#include "events/catalog.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/store/event_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_keys.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::testing {

struct typed_event {
    std::string_view type;
    std::string_view data;  // JSON object text
};

class domain_ledger {
public:
    domain_ledger() : store_(options(dir_)) {}

    /// Appends `events` to `stream` as one batch (expected version: any).
    store::append_result append(std::string const& stream, std::vector<typed_event> const& events) {
        store::append_request request{stream, store::expected_version::any(), "test", {}};
        for (std::size_t i = 0; i < events.size(); ++i) {
            auto const data = boost::json::parse(events[i].data);
            auto encoded = events::encode_data(events[i].type, data, i);
            REQUIRE(encoded.has_value());
            store::event_to_append e;
            e.type = std::string(events[i].type);
            e.schema_version = encoded->schema_version;
            e.occurred_at = *parse_timestamp("2024-03-12T10:00:00Z");
            e.data = std::move(encoded->bytes);
            request.events.push_back(std::move(e));
        }
        return store_.append(std::move(request));
    }

    /// As append, but the batch must be accepted; returns its first global position.
    std::uint64_t accept(std::string const& stream, std::vector<typed_event> const& events) {
        auto const result = append(stream, events);
        INFO((result.has_error() ? result.error().message : std::string()));
        REQUIRE(result.has_value());
        return result->first_position;
    }

    /// As append, but the batch must be refused; returns the error.
    error refuse(std::string const& stream, std::vector<typed_event> const& events) {
        auto const result = append(stream, events);
        REQUIRE(result.has_error());
        return result.error();
    }

    store::event_store& store() { return store_; }

private:
    static store::store_options options(temp_dir const& dir) {
        store::store_options o;
        o.directory = dir.path();
        o.initial_map_size = std::size_t{16} << 20;
        o.policy = std::make_shared<app::domain_policy>();
        o.seal = test_sealer();
        return o;
    }

    temp_dir dir_;
    store::event_store store_;
};

/// The rule named in a rule_violation, or "" for other errors.
inline std::string rule_of(error const& e) {
    auto const* rule = e.details.if_contains("rule");
    return rule && rule->is_string() ? std::string(rule->as_string()) : std::string();
}

}  // namespace ledger::testing
