#include "detail/map_growth.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ledger::store::detail {

bool grow_map(lmdb::env& env, std::size_t max_map_size) {
    std::size_t const current = env.map_size();
    std::size_t next = current * 2;
    if (max_map_size != 0) next = std::min(next, max_map_size);
    if (next <= current) {
        spdlog::warn("the LMDB map is full at its limit of {} bytes", current);
        return false;
    }
    spdlog::info("growing the LMDB map from {} to {} bytes", current, next);
    env.set_map_size(next);
    return true;
}

}  // namespace ledger::store::detail
