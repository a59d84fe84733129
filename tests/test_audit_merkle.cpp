// The stored RFC 9162 Merkle tree (src/store/merkle_tree.cpp) against published CT test vectors
// and a plain recursive reference (tests/support/rfc9162_reference.hpp), and through the store.

#include "support/rfc9162_reference.hpp"
#include "support/store_fixtures.hpp"
#include "support/temp_dir.hpp"

#include "detail/merkle_tree.hpp"
#include "detail/tables.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/lmdb.hpp"
#include "ledger/store/merkle.hpp"

#include <boost/algorithm/hex.hpp>
#include <catch2/catch.hpp>

#include <random>

using namespace ledger;
using namespace ledger::store;
using ledger::testing::rfc9162_reference;

namespace {

std::string unhex(std::string_view hex) {
    std::string out;
    boost::algorithm::unhex(hex.begin(), hex.end(), std::back_inserter(out));
    return out;
}

std::vector<std::string> hexes(std::vector<sha256_digest> const& hashes) {
    std::vector<std::string> out;
    for (auto const& h : hashes) out.push_back(to_hex(h));
    return out;
}

/// A bare LMDB environment whose log holds the given leaf inputs (each followed by 32 bytes, as
/// the stored envelope's chain hash), with the tree appended in groups of varying sizes.
class raw_tree {
public:
    explicit raw_tree(std::vector<std::string> const& leaves, std::size_t seed = 1)
        : env_(lmdb::env_options{.directory = dir_ / "env", .map_size = std::size_t{64} << 20}) {
        lmdb::write_txn txn(env_);
        db_ = detail::tables::open(txn);
        txn.commit();
        std::mt19937 random(static_cast<std::uint32_t>(seed));
        std::size_t next = 0;
        while (next < leaves.size()) {
            auto const group = std::min<std::size_t>(leaves.size() - next, 1 + random() % 37);
            lmdb::write_txn writing(env_);
            for (std::size_t i = next; i < next + group; ++i) {
                writing.put(db_.log, detail::view(detail::encode_u64(i)), leaves[i] + std::string(32, 'h'), true);
            }
            detail::merkle_append(writing, db_, next, group);
            writing.commit();
            next += group;
        }
    }
    sha256_digest root(std::uint64_t size) {
        lmdb::read_txn txn(env_);
        return detail::merkle_root(txn, db_, size);
    }
    std::vector<sha256_digest> inclusion(std::uint64_t index, std::uint64_t size) {
        lmdb::read_txn txn(env_);
        return detail::merkle_inclusion(txn, db_, index, size);
    }
    std::vector<sha256_digest> consistency(std::uint64_t first, std::uint64_t second) {
        lmdb::read_txn txn(env_);
        return detail::merkle_consistency(txn, db_, first, second);
    }

private:
    ledger::testing::temp_dir dir_;
    lmdb::env env_;
    detail::tables db_;
};

std::vector<std::string> numbered_leaves(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back("leaf " + std::to_string(i) + std::string(i % 5, 'x'));
    return out;
}

std::vector<std::string> const ct_leaves{
    unhex(""), unhex("00"), unhex("10"), unhex("2021"), unhex("3031"), unhex("40414243"),
    unhex("5051525354555657"), unhex("606162636465666768696a6b6c6d6e6f")};

}  // namespace

TEST_CASE("the stored tree gives the published RFC 6962 roots and proofs of the CT test leaves", "[audit][merkle]") {
    raw_tree tree(ct_leaves);
    std::vector<std::string> const roots{
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
    for (std::size_t size = 1; size <= 8; ++size) CHECK(to_hex(tree.root(size)) == roots[size - 1]);
    CHECK(to_hex(tree.root(0)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hexes(tree.inclusion(0, 8)) == std::vector<std::string>{
              "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
    CHECK(hexes(tree.inclusion(5, 8)) == std::vector<std::string>{
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
    CHECK(hexes(tree.consistency(1, 8)) == std::vector<std::string>{
              "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
    CHECK(hexes(tree.consistency(6, 8)) == std::vector<std::string>{
              "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
    CHECK(hexes(tree.consistency(2, 5)) == std::vector<std::string>{
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
    auto const path = tree.inclusion(5, 8);
    CHECK(merkle::verify_inclusion(5, 8, merkle::leaf_hash(ct_leaves[5]), path, tree.root(8)));
    auto const proof = tree.consistency(6, 8);
    CHECK(merkle::verify_consistency(6, 8, tree.root(6), tree.root(8), proof));
}

TEST_CASE("roots and every proof of every tree of 1 to 300 leaves agree with the plain reference", "[audit][merkle]") {
    auto const leaves = numbered_leaves(300);
    raw_tree tree(leaves, 7);
    rfc9162_reference reference(leaves);
    for (std::size_t n = 1; n <= 300; ++n) {
        auto const root = tree.root(n);
        REQUIRE(root == reference.mth(0, n));
        for (std::size_t m = 0; m < n; ++m) {
            auto const path = tree.inclusion(m, n);
            REQUIRE(path == reference.path(m, 0, n));
            REQUIRE(merkle::verify_inclusion(m, n, merkle::leaf_hash(leaves[m]), path, root));
            auto const proof = tree.consistency(m + 1, n);
            REQUIRE(proof == reference.proof(m + 1, n));
            REQUIRE(merkle::verify_consistency(m + 1, n, reference.mth(0, m + 1), root, proof));
        }
    }
}

TEST_CASE("random proofs in larger trees agree with the plain reference", "[audit][merkle]") {
    auto const leaves = numbered_leaves(5000);
    raw_tree tree(leaves, 11);
    rfc9162_reference reference(leaves);
    std::mt19937 random(2026);
    for (int i = 0; i < 200; ++i) {
        std::size_t const n = 301 + random() % 4700;
        std::size_t const m = random() % n;
        auto const root = tree.root(n);
        REQUIRE(root == reference.mth(0, n));
        auto const path = tree.inclusion(m, n);
        REQUIRE(path == reference.path(m, 0, n));
        REQUIRE(merkle::verify_inclusion(m, n, merkle::leaf_hash(leaves[m]), path, root));
        auto const proof = tree.consistency(m + 1, n);
        REQUIRE(proof == reference.proof(m + 1, n));
        REQUIRE(merkle::verify_consistency(m + 1, n, reference.mth(0, m + 1), root, proof));
    }
}

TEST_CASE("the verifiers refuse a proof for another leaf, index, size or root", "[audit][merkle]") {
    auto const leaves = numbered_leaves(21);
    raw_tree tree(leaves);
    auto const root = tree.root(21);
    auto const path = tree.inclusion(6, 21);
    auto const leaf = merkle::leaf_hash(leaves[6]);
    REQUIRE(merkle::verify_inclusion(6, 21, leaf, path, root));
    CHECK_FALSE(merkle::verify_inclusion(6, 21, merkle::leaf_hash(leaves[7]), path, root));
    CHECK_FALSE(merkle::verify_inclusion(7, 21, leaf, path, root));
    // (6, 22) would pass: the tree size is bound by the signed checkpoint, not by the path.
    CHECK_FALSE(merkle::verify_inclusion(6, 40, leaf, path, root));
    CHECK_FALSE(merkle::verify_inclusion(6, 21, leaf, path, tree.root(20)));
    CHECK_FALSE(merkle::verify_inclusion(21, 21, leaf, path, root));
    auto shorter = path;
    shorter.pop_back();
    CHECK_FALSE(merkle::verify_inclusion(6, 21, leaf, shorter, root));
    auto longer = path;
    longer.push_back(root);
    CHECK_FALSE(merkle::verify_inclusion(6, 21, leaf, longer, root));

    auto const proof = tree.consistency(13, 21);
    REQUIRE(merkle::verify_consistency(13, 21, tree.root(13), root, proof));
    CHECK_FALSE(merkle::verify_consistency(13, 21, tree.root(12), root, proof));
    CHECK_FALSE(merkle::verify_consistency(12, 21, tree.root(13), root, proof));
    CHECK_FALSE(merkle::verify_consistency(13, 21, tree.root(13), tree.root(20), proof));
    CHECK_FALSE(merkle::verify_consistency(13, 21, tree.root(13), root, {}));
    CHECK_FALSE(merkle::verify_consistency(0, 21, tree.root(0), root, proof));
    CHECK(merkle::verify_consistency(21, 21, root, root, {}));
}

TEST_CASE("the store keeps the tree of its events in step with every group commit", "[audit][merkle]") {
    ledger::testing::temp_dir dir;
    event_store store({.directory = dir / "data"});
    for (int batch = 0; batch < 12; ++batch) {
        std::vector<event_to_append> events;
        for (int i = 0; i <= batch % 5; ++i) events.push_back(ledger::testing::make_event("NoteRecorded", std::to_string(batch * 10 + i)));
        REQUIRE(store.append(ledger::testing::make_request("campaign-" + std::to_string(batch % 3),
                                                           expected_version::any(), std::move(events)))
                    .has_value());
    }
    auto const events = store.head().events;
    REQUIRE(store.tree_size() == events);
    std::vector<std::string> inputs;
    for (std::uint64_t p = 0; p < events; ++p) inputs.emplace_back(canonical_part(*store.stored_event(p)));
    rfc9162_reference reference(inputs);
    CHECK(store.tree_root(events) == reference.mth(0, events));
    CHECK(store.inclusion_proof(3, events) == reference.path(3, 0, events));
    CHECK(store.consistency_proof(5, events) == reference.proof(5, events));
    CHECK_FALSE(store.verify_tree().has_value());
    CHECK_THROWS_AS(store.tree_root(events + 1), std::out_of_range);
    CHECK_THROWS_AS(store.inclusion_proof(events, events), std::out_of_range);
    CHECK_THROWS_AS(store.consistency_proof(0, events), std::out_of_range);
}

TEST_CASE("a ledger written without the tree gets it built when a writer opens it", "[audit][merkle]") {
    ledger::testing::temp_dir dir;
    sha256_digest root{};
    std::uint64_t events = 0;
    {
        event_store store({.directory = dir / "data"});
        for (int i = 0; i < 40; ++i) REQUIRE(store.append(ledger::testing::one_event("campaign-a")).has_value());
        events = store.head().events;
        root = store.tree_root(events);
    }
    {
        // A ledger of the build before the tree: no `merkle` table at all.
        MDB_env* env = nullptr;
        REQUIRE(mdb_env_create(&env) == 0);
        REQUIRE(mdb_env_set_maxdbs(env, 16) == 0);
        REQUIRE(mdb_env_open(env, (dir / "data").c_str(), 0, 0600) == 0);
        MDB_txn* txn = nullptr;
        REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
        MDB_dbi merkle_table = 0;
        REQUIRE(mdb_dbi_open(txn, "merkle", 0, &merkle_table) == 0);
        REQUIRE(mdb_drop(txn, merkle_table, 1) == 0);
        REQUIRE(mdb_txn_commit(txn) == 0);
        mdb_env_close(env);
    }
    {
        // A reader builds nothing: its tree covers the first leaf only (leaves are not stored).
        event_store reader({.directory = dir / "data", .writer = false});
        CHECK(reader.tree_size() == 1);
    }
    event_store store({.directory = dir / "data"});
    CHECK(store.tree_size() == events);
    CHECK(store.tree_root(events) == root);
    CHECK_FALSE(store.verify_tree().has_value());
}
