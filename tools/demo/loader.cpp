#include "demo_ledger.hpp"

#include "events/catalog.hpp"
#include "ledger/app/append_window.hpp"

#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace ledger::demo {
namespace {

store::append_request to_request(demo_batch const& batch, std::uint64_t seed) {
    std::string const metadata = boost::json::serialize(
        boost::json::object{{"generator", "recruit-ledger demo"}, {"seed", seed}});
    store::append_request request{batch.stream, batch.expected, "demo", {}};
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
        auto const& e = batch.events[i];
        auto encoded = events::encode_data(e.type, e.data, i);
        if (!encoded) {
            throw std::runtime_error("demo generator made an invalid " + e.type + " for " +
                                     batch.stream + ": " + encoded.error().message + " " +
                                     boost::json::serialize(encoded.error().details));
        }
        request.events.push_back({e.id, e.type, encoded->schema_version, timestamp{e.occurred_on},
                                  std::move(encoded->bytes), metadata, std::nullopt, std::nullopt});
    }
    return request;
}

}  // namespace

std::uint64_t load(store::event_store& store, demo_options const& options,
                   std::function<void(std::uint64_t, std::uint64_t)> const& progress) {
    app::append_window window(store);
    std::uint64_t emitted = 0;
    auto fail_on = [](std::optional<error> const& failure) {
        if (failure) throw std::runtime_error("demo append refused: " + failure->message);
    };
    generate(options, [&](demo_batch batch) {
        if (batch.retracts) {
            // The retracted event must be stored before its position can be named; it usually
            // is, long since, so the window drains only when it is still in flight.
            auto position = store.position_of(*batch.retracts);
            if (!position) {
                fail_on(window.drain());
                position = store.position_of(*batch.retracts);
            }
            if (!position) throw std::runtime_error("demo retraction of an event that is not stored");
            batch.events.front().data["position"] = *position;
        }
        emitted += batch.events.size();
        auto label = batch.stream;
        fail_on(window.submit(to_request(batch, options.seed), std::move(label)));
        if (progress && emitted % 1024 < batch.events.size()) progress(emitted, options.events);
    });
    fail_on(window.drain());
    if (progress) progress(emitted, options.events);
    return window.appended() + window.already_recorded();
}

}  // namespace ledger::demo
