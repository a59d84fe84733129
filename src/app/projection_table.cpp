#include "ledger/app/projection_service.hpp"

namespace ledger::app {

boost::json::object to_json(projection_table const& table) {
    return boost::json::object{
        {"name", table.name},
        {"position", table.position ? boost::json::value(*table.position) : boost::json::value(nullptr)},
        {"rows", table.rows}};
}

}  // namespace ledger::app
