#include "detail/worker_pool.hpp"

namespace ledger::http::detail {

worker_pool::worker_pool(unsigned threads, std::size_t queue)
    : pool_(threads == 0 ? 1 : threads), capacity_((threads == 0 ? 1 : threads) + queue) {}

worker_pool::~worker_pool() { pool_.join(); }

bool worker_pool::try_admit() noexcept {
    auto current = admitted_.load();
    do {
        if (current >= capacity_) return false;
    } while (!admitted_.compare_exchange_weak(current, current + 1));
    return true;
}

}  // namespace ledger::http::detail
