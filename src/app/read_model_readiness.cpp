#include "ledger/app/read_model_readiness.hpp"

namespace ledger::app {

std::optional<error> read_models_not_ready(projection_service const& service, std::uint64_t max_lag) {
    // loaded() first: a model listed before its snapshot is in shows the whole log as lag.
    bool const loaded = service.loaded();
    boost::json::array lagging;
    for (auto const& summary : service.list()) {
        if (loaded && summary.lag <= max_lag) continue;
        lagging.push_back(boost::json::object{
            {"name", summary.name},
            {"position", summary.position ? boost::json::value(*summary.position) : nullptr},
            {"lag", summary.lag}});
    }
    if (loaded && lagging.empty()) return std::nullopt;
    boost::json::object details;
    details["max_lag"] = max_lag;
    details["lagging"] = std::move(lagging);
    return error{error_code::unavailable,
                 loaded ? "read models are catching up" : "read models are loading",
                 std::move(details)};
}

}  // namespace ledger::app
