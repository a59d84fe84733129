#pragma once
// How a row's cell is spelled as an exact-match filter value of GET /v1/projections/{name}
// (issue 14; the server's row_filter reads it so): text as it is, numbers in decimal, booleans
// as true/false, null as empty.

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace ledger::testing {

inline std::string filter_text(boost::json::value const& cell) {
    if (cell.is_string()) return std::string(cell.get_string());
    if (cell.is_null()) return {};
    return boost::json::serialize(cell);
}

}  // namespace ledger::testing
