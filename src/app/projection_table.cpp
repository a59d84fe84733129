#include "ledger/app/projection_service.hpp"

#include "ledger/json_text.hpp"

namespace ledger::app {

boost::json::object to_json(projection_table const& table) {
    return boost::json::object{
        {"name", table.name},
        {"position", table.position ? boost::json::value(*table.position) : boost::json::value(nullptr)},
        {"rows", table.rows}};
}

result<std::string> projection_service::query_json(projection_query const& query) const {
    auto const table = this->query(query);
    if (!table) return table.error();
    return to_json_text(to_json(*table));
}

}  // namespace ledger::app
