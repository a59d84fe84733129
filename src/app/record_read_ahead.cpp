#include "ledger/app/record_read_ahead.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace ledger::app::detail {

std::optional<std::string> read_record_ahead(store::event_store const& store, std::string_view key) {
    auto const reader = store.read_projections();  // the copy is made before its txn ends
    auto const value = reader->get(key);
    if (!value) return std::nullopt;
    auto const page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    auto const first = reinterpret_cast<std::uintptr_t>(value->data()) & ~(page - 1);
    auto const end = reinterpret_cast<std::uintptr_t>(value->data() + value->size());
    ::madvise(reinterpret_cast<void*>(first), end - first, MADV_WILLNEED);  // a hint: failure is harmless
    return std::string(*value);
}

}  // namespace ledger::app::detail
