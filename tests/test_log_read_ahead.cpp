// The log's read-ahead (src/store/detail/log_read_ahead.hpp): a window per stretch of values in
// sequence, none for values outside the map, and none more once the values are scattered.

#include "detail/log_read_ahead.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>

using ledger::store::detail::log_read_ahead;

namespace {

/// Page-aligned bytes standing for the map (populating them only maps their zero pages).
struct fake_map {
    static constexpr std::size_t size = std::size_t{8} << 20;
    std::unique_ptr<char, decltype(&std::free)> bytes{static_cast<char*>(std::aligned_alloc(4096, size)), &std::free};
    std::span<char const> span() const { return {bytes.get(), size}; }
    std::string_view value_at(std::size_t offset) const { return {bytes.get() + offset, 240}; }
};

}  // namespace

TEST_CASE("the log's read-ahead populates one window per stretch of values in sequence", "[store][read_ahead]") {
    fake_map map;
    log_read_ahead ahead(map.span());
    // 2 MiB of values of 240 bytes, one after the other: 8 windows of 256 KiB.
    for (std::size_t offset = 0; offset + 240 <= std::size_t{2} << 20; offset += 240) ahead.at(map.value_at(offset));
    CHECK(ahead.windows() == 8);
    // A value outside the map (a copy, say) starts none.
    std::string const elsewhere(240, 'x');
    ahead.at(elsewhere);
    CHECK(ahead.windows() == 8);
}

TEST_CASE("the log's read-ahead stops once the values are scattered", "[store][read_ahead]") {
    fake_map map;
    log_read_ahead ahead(map.span());
    // Every value 1 MiB away from the one before: each would start a window of its own.
    for (std::size_t i = 0; i < 1000; ++i) ahead.at(map.value_at((i % 8) * (std::size_t{1} << 20)));
    CHECK(ahead.windows() == 4);
}
