#include "projections/retention.hpp"

#include "projections/detail/common.hpp"
#include "projections/detail/in_order.hpp"

#include "ledger/json_text.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

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

/// Whether the anniversary `days` after `started_on` has passed: it is at or before `now`.
bool passed(std::int64_t started_on, std::int64_t days, timestamp now) {
    return timestamp(date(std::chrono::days(started_on + days))) <= now;
}

/// A campaign's starts counted as of `now`: every start, and of those whose 12 (24) month
/// anniversary has passed how many were retained (no employment ended before it).
retention_counts counts_of(detail::campaign_cells const* cells, timestamp now) {
    retention_counts c;
    if (cells == nullptr) return c;
    for (auto const& start : cells->starts) {
        c.started += start.started;
        if (passed(start.started_on, 365, now)) {
            c.eligible_12m += start.started;
            c.retained_12m += start.retained_12m;
        }
        if (passed(start.started_on, 730, now)) {
            c.eligible_24m += start.started;
            c.retained_24m += start.retained_24m;
        }
    }
    return c;
}

}  // namespace

boost::json::array retention::rows() const {
    every_row all;
    render(all);
    return std::move(all).take_rows();
}

void retention::render(row_sink& sink) const { render_rows(sink, 0, 0); }

void retention::render_part(row_sink& sink, std::size_t part, std::size_t parts) const {
    render_rows(sink, part, parts);
}

void retention::render_rows(row_sink& sink, std::size_t part, std::size_t parts) const {
    auto const& table = *table_;
    auto const now = from_micros(latest_occurred_micros_);
    // Every planned campaign (costs alone make no row here) and every campaign with
    // applications, ordered by id.
    std::vector<std::pair<std::string_view, std::uint32_t>> ids;
    ids.reserve(table.campaigns.size() + table.cells.campaigns().size());
    for (auto const& [id, entry] : table.campaigns) {
        if (!entry.plans.empty()) ids.emplace_back(table.texts.text(id), id);
    }
    for (auto const& [id, cells] : table.cells.campaigns()) {
        auto const entry = table.campaigns.find(id);
        if (entry == table.campaigns.end() || entry->second.plans.empty()) ids.emplace_back(table.texts.text(id), id);
    }
    sink.expect(ids.size());
    auto* const text = sink.text();
    auto const row = [&](std::pair<std::string_view, std::uint32_t> const& next) {
        auto const& [id, number] = next;
        if (text != nullptr) {
            // The row's text as append_json_text writes the object below (keys in set order).
            auto const c = counts_of(table.cells.find(number), now);
            auto& out = *text;
            out += R"({"campaign_id":)";
            append_json_string(out, id);
            std::pair<char const*, std::uint64_t> const cells[] = {
                {R"(,"started":)", c.started},           {R"(,"eligible_12m":)", c.eligible_12m},
                {R"(,"retained_12m":)", c.retained_12m}, {R"(,"eligible_24m":)", c.eligible_24m},
                {R"(,"retained_24m":)", c.retained_24m}};
            for (auto const& [key, value] : cells) {
                out += key;
                append_json_integer(out, value);
            }
            out += "},";
            return true;
        }
        // The key first (row_sink): the counts only for a row the sink takes.
        boost::json::object row(retention::columns.size());
        row["campaign_id"] = id;
        auto const verdict = sink.consider(row);
        if (verdict == row_sink::verdict::stop) return false;
        if (verdict == row_sink::verdict::skip) return true;
        auto const c = counts_of(table.cells.find(number), now);
        row["started"] = c.started;
        row["eligible_12m"] = c.eligible_12m;
        row["retained_12m"] = c.retained_12m;
        row["eligible_24m"] = c.eligible_24m;
        row["retained_24m"] = c.retained_24m;
        sink.take(std::move(row));
        return true;
    };
    // A page visits only the first ids in order (detail/in_order.hpp); rows() sorts them all.
    if (parts > 1) detail::visit_part_in_order(ids, part, parts, row);
    else if (part == 0) detail::visit_in_order(ids, sink.takes_every_row(), row);
}

}  // namespace ledger::projections
