// string_pool (projections/detail/stream_facts.hpp): texts of up to 12 characters sit in their
// record, longer ones in blocks; either way a text keeps its number and its view stays valid
// while the pool grows, is copied from or moved.

#include "projections/detail/stream_facts.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

using ledger::projections::detail::string_pool;

namespace {

/// Texts of every length from 0 to 40 (both sides of the 12 characters kept in place), then
/// ids of the shapes the demo uses.
std::vector<std::string> sample_texts() {
    std::vector<std::string> texts;
    for (std::size_t length = 0; length <= 40; ++length) texts.push_back(std::string(length, static_cast<char>('a' + length % 26)));
    for (int i = 0; i < 20000; ++i) {
        texts.push_back("k" + std::to_string(i));
        texts.push_back("candidate-k" + std::to_string(i));  // 12 and more characters
    }
    return texts;
}

}  // namespace

TEST_CASE("a string pool gives each text one number and its text back, short or long", "[projections][string_pool]") {
    string_pool pool;
    auto const texts = sample_texts();
    for (std::size_t i = 0; i < texts.size(); ++i) REQUIRE(pool.intern(texts[i]) == i);
    REQUIRE(pool.size() == texts.size());
    for (std::uint32_t i = 0; i < texts.size(); ++i) {
        REQUIRE(pool.text(i) == texts[i]);
        REQUIRE(pool.find(texts[i]) == i);
        REQUIRE(pool.intern(texts[i]) == i);  // known: no new number
    }
    CHECK_FALSE(pool.find("never interned"));
    CHECK_FALSE(pool.find(std::string(13, 'a')));  // a 13-character text differing from a known one by length
    CHECK(pool.size() == texts.size());
}

TEST_CASE("a string pool's views stay valid while it grows, and after a copy or a move", "[projections][string_pool]") {
    string_pool pool;
    auto const texts = sample_texts();
    pool.intern(texts[5]);   // in place
    pool.intern(texts[30]);  // in a block
    auto const short_view = pool.text(0);
    auto const long_view = pool.text(1);
    for (auto const& text : texts) pool.intern(text);
    CHECK(short_view == texts[5]);
    CHECK(long_view == texts[30]);
    CHECK(pool.text(0).data() == short_view.data());  // the records never moved

    string_pool const copy = pool;
    REQUIRE(copy == pool);
    CHECK(copy.text(0).data() != short_view.data());  // a copy has texts of its own

    string_pool moved = std::move(pool);
    CHECK(moved.text(0).data() == short_view.data());  // a move takes the records along
    CHECK(moved.text(1).data() == long_view.data());
    CHECK(moved == copy);
    CHECK(pool.size() == 0);  // the moved-from pool is empty, and usable
    CHECK(pool.intern("again") == 0);
    CHECK(pool.text(0) == "again");
}
