#include "ledger/store/format_version.hpp"

#include "detail/tables.hpp"

namespace ledger::store {

std::uint32_t stored_format_version() noexcept { return detail::format_version; }

}  // namespace ledger::store
