// short_id_index (projections/detail/short_id_index.hpp, issue 14): a cache of short ids'
// numbers that must answer exactly what a map of the same ids answers, through its growth, for
// ids that differ in one byte or only in length, and never for an id it was not given.

#include "projections/detail/short_id_index.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using ledger::projections::detail::short_id_index;

TEST_CASE("short_id_index answers what a map of the same ids answers, through its growth",
          "[projections][short_id_index]") {
    std::mt19937_64 random(GENERATE(1, 2, 3));
    short_id_index index;
    std::unordered_map<std::string, std::uint32_t> reference;
    // Ids of the demo's shape, ids of every length up to longest (with zero bytes and bytes
    // above 0x7f: a zero byte is not the padding), and ids that differ only in their last byte.
    std::vector<std::string> ids;
    for (int i = 0; i < 30000; ++i) ids.push_back("k" + std::to_string(i));
    for (std::size_t length = 0; length <= short_id_index::longest; ++length) {
        for (int k = 0; k < 50; ++k) {
            std::string id(length, '\0');
            for (auto& c : id) c = static_cast<char>(random() % 256);
            ids.push_back(id);
        }
        ids.push_back(std::string(length, '\0'));
    }
    for (char last = 'a'; last <= 'z'; ++last) ids.push_back(std::string("abcdefghij") + last);
    std::shuffle(ids.begin(), ids.end(), random);
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto const& id = ids[i];
        auto const known = reference.find(id);
        auto const found = index.find(id);
        if (known == reference.end()) {
            REQUIRE_FALSE(found);
            reference.emplace(id, next);
            index.insert(id, next++);
        } else {
            REQUIRE(found);
            REQUIRE(*found == known->second);
        }
        if (i % 4096 == 0) {  // every cached id still found after the growths so far
            for (auto const& [cached, number] : reference) REQUIRE(index.find(cached) == number);
        }
    }
    REQUIRE(index.size() == reference.size());
    REQUIRE(index.size() * 5 <= index.capacity() * 4);
    for (auto const& [id, number] : reference) REQUIRE(index.find(id) == number);
    // Near misses: one byte more, one less, a changed byte.
    for (auto const& [id, number] : reference) {
        for (auto const& other : {id + "x", id.substr(0, id.size() == 0 ? 0 : id.size() - 1), std::string("#") + id.substr(1)}) {
            if (other.size() > short_id_index::longest) continue;
            auto const known = reference.find(other);
            auto const found = index.find(other);
            if (known == reference.end()) REQUIRE_FALSE(found);
            else REQUIRE(found == known->second);
        }
    }
}

TEST_CASE("short_id_index caches no long id, no largest number, and forgets on clear and move",
          "[projections][short_id_index]") {
    short_id_index index;
    REQUIRE_FALSE(index.find("k1"));
    index.insert("k1", 7);
    index.insert("k2", std::numeric_limits<std::uint32_t>::max());  // cannot be held: not cached
    REQUIRE(index.find("k1") == 7u);
    REQUIRE_FALSE(index.find("k2"));
    REQUIRE_FALSE(index.find(std::string(short_id_index::longest + 1, 'k')));  // never cached: the pool's
    short_id_index moved(std::move(index));
    REQUIRE(moved.find("k1") == 7u);
    REQUIRE(index.size() == 0);  // NOLINT(bugprone-use-after-move): moved-from is empty
    REQUIRE_FALSE(index.find("k1"));
    index.insert("k3", 3);  // a moved-from index works again
    REQUIRE(index.find("k3") == 3u);
    moved.clear();
    REQUIRE_FALSE(moved.find("k1"));
    REQUIRE(moved.capacity() == 0);
}
