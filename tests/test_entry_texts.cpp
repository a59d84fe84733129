// detail::entry_texts (an entry's own numbered texts) and what it is for: origin and
// hires-vs-target keep their candidates' application ids in the candidate's entry, so the
// state they keep in memory beside a table of entries (save_counted) holds none of them.

#include "ledger/detail/binary_archive.hpp"
#include "projections/detail/entry_texts.hpp"
#include "projections/hires_vs_target.hpp"
#include "projections/origin.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ledger;
using namespace ledger::events;
using ledger::projections::detail::entry_texts;
using ledger::testing::day;

namespace {

std::string bytes_of(entry_texts const& texts) {
    std::string out;
    detail::string_output_archive archive(out);
    archive(texts);
    return out;
}

entry_texts loaded(std::string const& bytes) {
    entry_texts texts;
    detail::memory_input_archive archive(bytes);
    archive(texts);
    detail::expect_consumed(archive, "entry texts");
    return texts;
}

/// Two candidates with contracts (one repeated application of each) named `a` and `b`.
testing::fold_scenario contracts_named(std::string const& a, std::string const& b) {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-01-01", candidate_registered{.name = "A", .country_of_training = country_code{"DE"}});
    s.add("candidate-k1", "2024-02-01", contract_signed{.application_id = a, .employer = "e", .role = doctor_role::ST, .starts_on = day("2024-09-01")});
    s.add("candidate-k1", "2024-02-02", contract_signed{.application_id = a, .employer = "e", .role = doctor_role::ST, .starts_on = day("2025-09-01")});
    auto const retracted = s.add("candidate-k2", "2024-02-01", contract_signed{.application_id = b, .employer = "f", .role = doctor_role::AT, .starts_on = day("2024-06-01")});
    s.add("candidate-k2", "2024-02-03", contract_signed{.application_id = a, .employer = "f", .role = doctor_role::AT, .starts_on = day("2024-07-01")});
    s.retract(retracted);
    return s;
}

template <class Model>
std::string counted_bytes(Model const& model) {
    std::string out;
    detail::string_output_archive archive(out);
    model.save_counted(archive);
    return out;
}

}  // namespace

TEST_CASE("entry texts number distinct texts in the order first named and round-trip", "[projections][entry_texts]") {
    entry_texts texts;
    CHECK(texts.empty());
    CHECK(texts.intern("app-candidate-000000001") == 0);
    CHECK(texts.intern("b") == 1);
    CHECK(texts.intern("") == 2);
    CHECK(texts.intern("app-candidate-000000001") == 0);
    CHECK(texts.intern("b") == 1);
    CHECK(texts.intern("") == 2);
    auto const again = loaded(bytes_of(texts));
    CHECK(again == texts);
    CHECK(bytes_of(again) == bytes_of(texts));
    auto copy = again;
    CHECK(copy.intern("c") == 3);
    CHECK_FALSE(copy == texts);
}

TEST_CASE("entry texts refuse bytes that do not split into whole texts", "[projections][entry_texts][snapshot]") {
    entry_texts texts;
    texts.intern("app-1");
    texts.intern("app-22");
    auto const good = bytes_of(texts);
    // The saved string's last character dropped (its size one less): the last text is cut.
    std::string cut = good;
    cut.pop_back();
    cut[1] = static_cast<char>(cut[1] - 1);
    CHECK_THROWS_AS(loaded(cut), codec_error);
    // A length beyond the string.
    std::string longer = good;
    longer[1 + 8] = '\x7f';
    CHECK_THROWS_AS(loaded(longer), codec_error);
}

TEST_CASE("origin and hires-vs-target keep application ids in the candidate's entry, not in the state kept beside the table",
          "[projections][entry_texts][origin][hires_vs_target]") {
    auto const short_ids = contracts_named("a", "b");
    auto const long_ids = contracts_named("application-of-candidate-k1-0001", "application-of-candidate-k2-0002");
    CHECK(short_ids.rows<projections::origin>() == long_ids.rows<projections::origin>());
    CHECK(short_ids.rows<projections::hires_vs_target>() == long_ids.rows<projections::hires_vs_target>());
    // One contract per application: k1's two contracts of one application count once.
    CHECK(short_ids.rows<projections::origin>() == testing::json(R"([
      {"country_of_training":null,"year":2024,"contracts_signed":1},
      {"country_of_training":"DE","year":2024,"contracts_signed":1}
    ])"));
    CHECK(counted_bytes(short_ids.fold<projections::origin>()) == counted_bytes(long_ids.fold<projections::origin>()));
    CHECK(counted_bytes(short_ids.fold<projections::hires_vs_target>()) ==
          counted_bytes(long_ids.fold<projections::hires_vs_target>()));
}
