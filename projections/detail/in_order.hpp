#pragma once
// Visiting a read model's row keys in ascending order when only the first few may be wanted
// (read_model::render for a page): a full sort when every row is wanted, otherwise a heap
// popped one key at a time, so the first k keys of n cost O(n + k log n), not O(n log n).
// The order is the same either way (`<` on the items, which must be a strict total order:
// the keys are unique).
//
// Pure; no threads, no errors of its own.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ledger::projections::detail {

/// Calls `visit(item)` for the items in ascending order until it returns false. `every`: all
/// will be visited (sorted at once). Reorders `items`.
template <class T, class Visit>
void visit_in_order(std::vector<T>& items, bool every, Visit&& visit) {
    if (every) {
        std::sort(items.begin(), items.end());
        for (auto const& item : items) {
            if (!visit(item)) return;
        }
        return;
    }
    auto const greater = [](T const& a, T const& b) { return b < a; };
    std::make_heap(items.begin(), items.end(), greater);
    for (auto end = items.end(); end != items.begin(); --end) {
        std::pop_heap(items.begin(), end, greater);
        if (!visit(*(end - 1))) return;
    }
}

/// Calls `visit(item)` for the items of part `part` of `parts` in ascending order (the sorted
/// items split into `parts` consecutive runs of nearly equal length: part k is
/// [n·k/parts, n·(k+1)/parts)), until it returns false. Only that run is sorted: O(n + k log k).
/// Reorders `items`.
template <class T, class Visit>
void visit_part_in_order(std::vector<T>& items, std::size_t part, std::size_t parts, Visit&& visit) {
    auto const n = items.size();
    auto const first = items.begin() + static_cast<std::ptrdiff_t>(n * part / parts);
    auto const last = items.begin() + static_cast<std::ptrdiff_t>(n * (part + 1) / parts);
    if (first != items.begin()) std::nth_element(items.begin(), first, items.end());
    if (last != items.end()) std::nth_element(first, last, items.end());
    std::sort(first, last);
    for (auto it = first; it != last; ++it) {
        if (!visit(*it)) return;
    }
}

}  // namespace ledger::projections::detail
