#include "ledger/app/page_sink.hpp"

namespace ledger::app {

projections::row_sink::verdict page_sink::consider(boost::json::object const& head) {
    switch (picker.consider(head)) {
    case row_picker::verdict::skip: return verdict::skip;
    case row_picker::verdict::take: return verdict::take;
    case row_picker::verdict::stop: break;
    }
    return verdict::stop;
}

std::optional<std::string_view> page_sink::only_where(std::string_view column) const {
    if (narrow_ == narrowing::off) return std::nullopt;
    for (auto const& filter : selection_.filters) {
        if (filter.column == column) return std::string_view(filter.value);
    }
    return std::nullopt;
}

}  // namespace ledger::app
