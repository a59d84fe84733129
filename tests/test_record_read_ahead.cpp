// app::detail::read_record_ahead reads a record of the `projections` table as
// event_store::read_projection_record does (it only asks the kernel to read its pages first);
// view_record_ahead views the same bytes in place.

#include "ledger/app/record_read_ahead.hpp"
#include "ledger/store/event_store.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ledger;

TEST_CASE("a record read ahead holds the bytes the store holds, and a missing one is nothing",
          "[projections][snapshot][read_ahead]") {
    testing::temp_dir dir;
    store::store_options options;
    options.directory = dir.path();
    options.initial_map_size = std::size_t{64} << 20;
    store::event_store store(options);
    // Larger than a page and not a multiple of one: overflow pages, a range not page-aligned.
    std::string large(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i * 31 % 251);
    store.set_before_commit_hook([&](store::projection_records& records) {
        records.put("snapshot/large", large);
        records.put("snapshot/small", "abc");
    });
    REQUIRE_FALSE(store.write_projection_records().has_value());
    store.set_before_commit_hook({});
    CHECK(app::detail::read_record_ahead(store, "snapshot/large") == large);
    CHECK(app::detail::read_record_ahead(store, "snapshot/small") == std::string("abc"));
    CHECK_FALSE(app::detail::read_record_ahead(store, "snapshot/none").has_value());
    // Viewed in place: the same bytes, also once the writer has committed again after the view
    // was taken (its read transaction keeps the pages it saw).
    auto const viewed = app::detail::view_record_ahead(store, "snapshot/large");
    REQUIRE(viewed.has_value());
    store.set_before_commit_hook([&](store::projection_records& records) { records.put("snapshot/large", "replaced"); });
    REQUIRE_FALSE(store.write_projection_records().has_value());
    store.set_before_commit_hook({});
    CHECK(viewed->bytes == large);
    CHECK(app::detail::view_record_ahead(store, "snapshot/small")->bytes == "abc");
    CHECK(app::detail::read_record_ahead(store, "snapshot/large") == std::string("replaced"));
    CHECK_FALSE(app::detail::view_record_ahead(store, "snapshot/none").has_value());
}
