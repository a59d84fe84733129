// The forms of entity table keys (projections/entity_keys.hpp, entity_table.hpp; issue 18's
// served-ledger bytes): epochs from short_keys_epoch on use "e/<code>/<epoch>/…", the epochs
// before it keep the older "entity/<model>/<epoch>/…" of tables begun by earlier builds, and
// from ordered_entities_epoch on the keys are "E<code><epoch, 4 bytes>…"; all are found,
// parsed and erased, and a table that starts afresh takes the ordered form. (The differential
// tests fold, flush, restart and rebuild tables of every form.)

#include "projections/entity_keys.hpp"
#include "projections/entity_table.hpp"

#include "support/fake_entity_table.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace ledger;
using projections::compact_entities_epoch;
using projections::ordered_entities_epoch;
using projections::short_keys_epoch;

TEST_CASE("entity keys take the short form from short_keys_epoch on and the older form before it",
          "[projections][entity_table][keys]") {
    CHECK(projections::entity_epoch_prefix("applications", 1) == "entity/applications/00000001/");
    CHECK(projections::entity_epoch_prefix("applications", short_keys_epoch) == "e/a/80000000/");
    CHECK(projections::entity_epoch_prefix("hires-vs-target", short_keys_epoch + 2) == "e/h/80000002/");
    CHECK(projections::entity_epoch_prefix("origin", short_keys_epoch) == "e/o/80000000/");
    CHECK(projections::entity_epoch_prefix("outreach", short_keys_epoch) == "e/r/80000000/");
    CHECK(projections::entity_epoch_prefix("vacancies", 7) == "entity/vacancies/00000007/");
    CHECK(projections::entity_epoch_prefix("some-model", short_keys_epoch) == "e/some-model/80000000/");

    CHECK(projections::entity_epoch_of("origin", "entity/origin/00000003/i/candidate-1") == 3u);
    CHECK(projections::entity_epoch_of("origin", "e/o/80000001/n/00000000") == short_keys_epoch + 1);
    CHECK_FALSE(projections::entity_epoch_of("origin", "e/v/80000001/g"));              // another model's
    CHECK_FALSE(projections::entity_epoch_of("origin", "e/o/00000001/g"));              // a short key of an old epoch
    CHECK_FALSE(projections::entity_epoch_of("origin", "entity/origin/80000001/g"));    // an old key of a new epoch
    CHECK_FALSE(projections::entity_epoch_of("origin", "entity/origin/zz/g"));

    // The compact form (no n/ records, packed entries) has short keys too.
    CHECK(projections::entity_epoch_prefix("applications", compact_entities_epoch) == "e/a/c0000000/");
    CHECK(projections::entity_epoch_of("origin", "e/o/c0000002/i/candidate-1") == compact_entities_epoch + 2);
    CHECK_FALSE(projections::compact_entities(short_keys_epoch + 5));
    CHECK(projections::compact_entities(compact_entities_epoch));

    // The ordered form: "E", the code, the epoch as 4 bytes big-endian; compact as well.
    using namespace std::string_literals;
    CHECK(projections::entity_epoch_prefix("applications", ordered_entities_epoch) == "Ea\xD0\x00\x00\x00"s);
    CHECK(projections::entity_epoch_prefix("origin", ordered_entities_epoch + 0x0102) == "Eo\xD0\x00\x01\x02"s);
    CHECK(projections::entity_epoch_prefix("some-model", ordered_entities_epoch) == "Esome-model\xD0\x00\x00\x00"s);
    CHECK(projections::entity_epoch_of("origin", "Eo\xD0\x00\x00\x07"s) == ordered_entities_epoch + 7);
    CHECK(projections::entity_epoch_of("origin", "Eo\xD0\x00\x00\x07\x01\x05"s) == ordered_entities_epoch + 7);
    CHECK_FALSE(projections::entity_epoch_of("origin", "Ev\xD0\x00\x00\x07"s));        // another model's
    CHECK_FALSE(projections::entity_epoch_of("origin", "Eo\xD0\x00\x00"s));            // cut short
    CHECK_FALSE(projections::entity_epoch_of("origin", "Eorigin2\xD0\x00\x00\x00"s)); // a longer name's
    CHECK_FALSE(projections::entity_epoch_of("origin", "e/o/d0000000/g"));                // no text key of it
    CHECK(projections::ordered_entities(ordered_entities_epoch));
    CHECK_FALSE(projections::ordered_entities(compact_entities_epoch + 5));
    CHECK(projections::compact_entities(ordered_entities_epoch));

    // A table that starts afresh takes the ordered form, past every epoch found.
    CHECK(projections::first_epoch_after({}) == ordered_entities_epoch);
    CHECK(projections::first_epoch_after({1, 4}) == ordered_entities_epoch);
    CHECK(projections::first_epoch_after({2, short_keys_epoch, short_keys_epoch + 5}) == ordered_entities_epoch);
    CHECK(projections::first_epoch_after({2, short_keys_epoch, compact_entities_epoch + 3}) == ordered_entities_epoch);
    CHECK(projections::first_epoch_after({2, compact_entities_epoch, ordered_entities_epoch + 3}) ==
          ordered_entities_epoch + 4);
}

TEST_CASE("the epochs of a model are found in every key form in ascending order and nothing of another model",
          "[projections][entity_table][keys]") {
    testing::fake_table table;
    using namespace std::string_literals;
    for (auto const& key : {"entity/vacancies/00000001/g"s, "entity/vacancies/00000001/i/position-1"s,
                            "entity/vacancies/00000003/n/00000000"s, "e/v/80000000/g"s, "e/v/80000000/i/position-2"s,
                            "e/v/80000004/g"s, "e/o/80000009/g"s, "entity/origin/00000002/g"s, "entity-other/x"s,
                            "snapshot-entities/vacancies"s, "Ev\xD0\x00\x00\x02"s, "Ev\xD0\x00\x00\x02\x01\x07"s,
                            "Ev\xD0\x00\x00\x02\x01\x08"s, "Ev\xD0\x00\x01\x00"s, "Evv-model\xD0\x00\x00\x00"s,
                            "Eo\xD0\x00\x00\x05\x01\x01"s}) {
        table.committed.insert_or_assign(std::string(key), std::string("x"));
    }
    testing::fake_reader reader(table);
    CHECK(projections::entity_epochs(reader, "vacancies") ==
          std::vector<std::uint32_t>{1, 3, short_keys_epoch, short_keys_epoch + 4, ordered_entities_epoch + 2,
                                     ordered_entities_epoch + 0x100});
    CHECK(projections::entity_epochs(reader, "origin") ==
          std::vector<std::uint32_t>{2, short_keys_epoch + 9, ordered_entities_epoch + 5});
    CHECK(projections::entity_epochs(reader, "outreach").empty());

    // A stale epoch of any form is erased under its own prefix, and only it.
    testing::fake_transaction txn(table);
    CHECK(txn.erase_prefix(projections::entity_epoch_prefix("vacancies", 1), 100) == 2);
    CHECK(txn.erase_prefix(projections::entity_epoch_prefix("vacancies", short_keys_epoch), 100) == 2);
    CHECK(txn.erase_prefix(projections::entity_epoch_prefix("vacancies", ordered_entities_epoch + 2), 100) == 3);
    txn.commit();
    CHECK(projections::entity_epochs(reader, "vacancies") ==
          std::vector<std::uint32_t>{3, short_keys_epoch + 4, ordered_entities_epoch + 0x100});
}
