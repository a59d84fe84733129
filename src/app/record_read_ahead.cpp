#include "ledger/app/record_read_ahead.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

namespace ledger::app::detail {
namespace {

/// The pages `bytes` lie on (page-aligned start, length).
std::pair<void*, std::size_t> pages_of(std::string_view bytes) {
    auto const page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    auto const first = reinterpret_cast<std::uintptr_t>(bytes.data()) & ~(page - 1);
    auto const end = reinterpret_cast<std::uintptr_t>(bytes.data() + bytes.size());
    return {reinterpret_cast<void*>(first), end - first};
}

}  // namespace

std::optional<std::string> read_record_ahead(store::event_store const& store, std::string_view key) {
    auto const reader = store.read_projections();  // the copy is made before its txn ends
    auto const value = reader->get(key);
    if (!value) return std::nullopt;
    auto const [first, length] = pages_of(*value);
    ::madvise(first, length, MADV_WILLNEED);  // a hint: failure is harmless
    return std::string(*value);
}

std::optional<record_in_place> view_record_ahead(store::event_store const& store, std::string_view key) {
    auto reader = store.read_projections();
    auto const value = reader->get(key);
    if (!value) return std::nullopt;
    auto const [first, length] = pages_of(*value);
    // Mapped in one call (reading a cold page cache's pages at once); on a kernel without
    // MADV_POPULATE_READ (before 5.14) at least read ahead, the decode faulting them in.
    if (::madvise(first, length, MADV_POPULATE_READ) != 0) ::madvise(first, length, MADV_WILLNEED);
    return record_in_place{std::move(reader), *value};
}

}  // namespace ledger::app::detail
