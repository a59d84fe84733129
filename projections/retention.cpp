#include "projections/retention.hpp"

#include "projections/detail/common.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>

namespace ledger::projections {

bool retention::reads(std::string_view type) noexcept {
    return detail::application_table_reads(type, true);
}

void retention::apply(fold_event const& event) {
    latest_occurred_micros_ = std::max(latest_occurred_micros_, to_micros(event.occurred_at));
    table_.fold(event);
}

namespace {

struct retention_counts {
    std::uint64_t started = 0;
    std::uint64_t eligible_12m = 0;
    std::uint64_t retained_12m = 0;
    std::uint64_t eligible_24m = 0;
    std::uint64_t retained_24m = 0;
};

/// Counts one anniversary `days` after the start: eligible once it has passed (at or before
/// `now`), retained when no employment ended before it.
void count_anniversary(detail::application_summary const& a, std::int64_t days, timestamp now,
                       std::uint64_t& eligible, std::uint64_t& retained) {
    auto const anniversary = *a.started_on + days;
    if (timestamp(date(std::chrono::days(anniversary))) > now) return;
    ++eligible;
    if (!a.ended_on || *a.ended_on >= anniversary) ++retained;
}

}  // namespace

boost::json::array retention::rows() const {
    auto const now = from_micros(latest_occurred_micros_);
    std::map<std::string_view, retention_counts> counts;
    for (auto const& [id, entry] : table_->campaigns) {
        if (!entry.plans.empty()) counts[table_->texts.text(id)];  // costs alone make no row here
    }
    detail::for_each_application(*table_, [&](detail::application_summary const& a) {
        auto& c = counts[a.campaign_id];
        if (!a.started) return;
        ++c.started;
        count_anniversary(a, 365, now, c.eligible_12m, c.retained_12m);
        count_anniversary(a, 730, now, c.eligible_24m, c.retained_24m);
    });
    boost::json::array rows;
    for (auto const& [id, c] : counts) {
        rows.push_back(boost::json::object{{"campaign_id", id},
                                           {"started", c.started},
                                           {"eligible_12m", c.eligible_12m},
                                           {"retained_12m", c.retained_12m},
                                           {"eligible_24m", c.eligible_24m},
                                           {"retained_24m", c.retained_24m}});
    }
    return rows;
}

}  // namespace ledger::projections
