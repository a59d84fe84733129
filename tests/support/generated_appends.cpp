#include "support/generated_appends.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <memory>
#include <vector>

namespace ledger::testing {

void append_generated(store::event_store& store, recruitment_generator& generator, int count) {
    std::vector<std::future<store::append_result>> results;
    for (int i = 0; i < count; ++i) {
        auto done = std::make_shared<std::promise<store::append_result>>();
        results.push_back(done->get_future());
        store.append_async(generator.next().request(),
                           [done](store::append_result r) { done->set_value(std::move(r)); });
    }
    for (auto& r : results) {
        auto const result = r.get();
        if (!result) FAIL(result.error().message << " " << boost::json::serialize(result.error().details));
    }
}

}  // namespace ledger::testing
