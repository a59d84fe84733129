#pragma once
// Catch2 checks that two parsed append events carry the same fields, shared by the tests that
// hold one append-body parser to another (test_append_body_members, test_append_body_tokens).

#include "ledger/store/append.hpp"

#include <catch2/catch.hpp>

namespace ledger::testing {

inline void check_same_event_fields(store::event_to_append const& a, store::event_to_append const& b) {
    CHECK(a.id == b.id);
    CHECK(a.type == b.type);
    CHECK(a.schema_version == b.schema_version);
    CHECK(a.occurred_at == b.occurred_at);
    CHECK(a.data == b.data);
    CHECK(a.metadata == b.metadata);
    CHECK(a.correlation_id == b.correlation_id);
    CHECK(a.causation_id == b.causation_id);
}

}  // namespace ledger::testing
