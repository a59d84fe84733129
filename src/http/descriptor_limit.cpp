#include "detail/descriptor_limit.hpp"

#include <spdlog/spdlog.h>

#include <sys/resource.h>

namespace ledger::http::detail {

std::size_t fit_connections_to_descriptors(std::size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
    if (limit.rlim_cur < limit.rlim_max) {
        auto raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    if (limit.rlim_cur == RLIM_INFINITY) return wanted;
    auto const descriptors = static_cast<std::size_t>(limit.rlim_cur);
    auto const usable = descriptors > reserved_descriptors + 1 ? descriptors - reserved_descriptors : 1;
    if (wanted <= usable) {
        spdlog::info("descriptor limit {} allows --max-connections {}", descriptors, wanted);
        return wanted;
    }
    spdlog::warn("descriptor limit {} (hard limit) leaves room for {} connections: --max-connections "
                 "lowered from {} (raise the limit with ulimit -n or LimitNOFILE=)",
                 descriptors, usable, wanted);
    return usable;
}

}  // namespace ledger::http::detail
