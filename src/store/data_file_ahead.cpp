#include "detail/data_file_ahead.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace ledger::store::detail {

void data_file_ahead::keep(lmdb::env& env) noexcept {
    if (ahead_ == 0) return;
    try {
        auto const used = env.used_bytes();
        auto const grew = last_used_ == 0 ? 0 : used - std::min(used, last_used_);
        last_used_ = used;
        if (file_end_ >= used + ahead_ / 2 || grew > ahead_ / 8) return;
        // The writer lock, so no other transaction writes pages meanwhile (extend_data_file).
        lmdb::write_txn txn(env);
        file_end_ = txn.extend_data_file(used + ahead_);
    } catch (std::exception const& e) {
        if (!failure_logged_) {
            spdlog::warn("could not write the data file ahead of its use ({}); commits grow it as they go", e.what());
            failure_logged_ = true;
        }
    }
}

}  // namespace ledger::store::detail
