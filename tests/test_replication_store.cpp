// The follower's entry point of the store (event_store::append_replicated, docs/replication.md):
// the same stored bytes at the same positions give the same ledger, indexes included; an event
// that does not chain is refused with nothing of it stored.

#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "ledger/store/event_store.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::testing;

namespace {

std::vector<store::replicated_event> stored_of(store::event_store const& from, std::uint64_t first, std::uint64_t end) {
    std::vector<store::replicated_event> out;
    for (auto p = first; p < end; ++p) out.push_back({.position = p, .stored = *from.stored_event(p), .subject_key = {}, .erased_subject = {}});
    return out;
}

}  // namespace

TEST_CASE("replicated events give a follower the leader's ledger byte for byte with its indexes",
          "[replication][store]") {
    temp_dir a;
    temp_dir b;
    store::event_store leader({.directory = a.path()});
    for (int i = 0; i < 20; ++i) REQUIRE(leader.append(one_event("campaign-s" + std::to_string(i % 3))).has_value());
    store::event_store follower({.directory = b.path()});
    std::vector<recorded_event> observed;
    follower.add_observer([&](std::span<recorded_event const> events) { observed.insert(observed.end(), events.begin(), events.end()); });

    REQUIRE(follower.append_replicated(stored_of(leader, 0, 12)).has_value());
    auto const head = follower.append_replicated(stored_of(leader, 12, 20));
    REQUIRE(head.has_value());
    CHECK(head->hash == leader.head().hash);
    CHECK(head->events == 20);
    CHECK(observed.size() == 20);
    CHECK(follower.verify(/*check_indexes=*/true).ok);
    for (std::uint64_t p = 0; p < 20; ++p) CHECK(follower.stored_event(p) == leader.stored_event(p));
    // The follower's Merkle tree is the leader's (docs/audit.md): same roots, same proofs.
    CHECK(follower.tree_size() == 20);
    CHECK(follower.tree_root(20) == leader.tree_root(20));
    CHECK(follower.tree_root(12) == leader.tree_root(12));
    CHECK(follower.inclusion_proof(13, 20) == leader.inclusion_proof(13, 20));
    CHECK_FALSE(follower.verify_tree().has_value());
    CHECK(follower.last_version("campaign-s1") == leader.last_version("campaign-s1"));
}

TEST_CASE("a replicated event that does not chain or is out of place is refused and nothing of it is stored",
          "[replication][store]") {
    temp_dir a;
    temp_dir b;
    store::event_store leader({.directory = a.path()});
    for (int i = 0; i < 5; ++i) REQUIRE(leader.append(one_event("campaign-t")).has_value());
    store::event_store follower({.directory = b.path()});
    REQUIRE(follower.append_replicated(stored_of(leader, 0, 3)).has_value());

    auto forged = stored_of(leader, 3, 5);
    forged[1].stored[forged[1].stored.size() / 2] ^= 0x01;
    auto const refused = follower.append_replicated(forged);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == error_code::invalid_event);
    CHECK(refused.error().details.at("position") == 4);
    CHECK(follower.head().events == 3);  // the whole batch: nothing of it

    auto const gap = follower.append_replicated(stored_of(leader, 4, 5));
    REQUIRE_FALSE(gap.has_value());
    CHECK(gap.error().details.at("position") == 4);
    CHECK(follower.head().events == 3);
    REQUIRE(follower.append_replicated(stored_of(leader, 3, 5)).has_value());
    CHECK(follower.head().hash == leader.head().hash);
}
