#pragma once
// A read model as a flat grid for CSV: one column per scalar, no cell ever holds nested JSON.
//
// Each column of projection_table::columns becomes, in its place:
// - itself, when no row holds an object or array there;
// - otherwise one column per leaf, named `<column>_<key>` (deeper levels and array indexes
//   join with `_` too), in the order the keys first appear across the rows (so a funnel's
//   `conversion` keeps its stage order: `conversion_shortlisted`, `conversion_interviewed`…);
//   a row without that key, or with null for the whole map, has empty cells there;
// - itself with empty cells when every row holds null (no key to name a column after).
// Money maps (money_columns: currency → integer minor units) are named for their unit and
// sorted by currency: `costs_SEK` in major units ("106000.00", exact, from ISO 4217's
// exponent), or `costs_XYZ_minor` in minor units for a currency money_text.hpp does not know.
//
// Pure; thread-safe. Allocation failure throws std::bad_alloc.

#include "ledger/app/projection_service.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::app {

/// The read-model columns that map a currency code to an amount in integer minor units.
inline constexpr std::array<std::string_view, 2> money_columns{"costs", "cost_per_contract"};

struct flat_cell {
    enum class kind { empty, text, integer, decimal };
    kind type = kind::empty;
    std::string text;  // decimals with '.' as their mark (a CSV dialect may change it)
};

struct flat_table {
    std::vector<std::string> columns;
    std::vector<std::vector<flat_cell>> rows;  // each exactly columns.size() cells
};

/// `table` flattened as described above. Rows keep their order.
flat_table flatten(projection_table const& table);

}  // namespace ledger::app
