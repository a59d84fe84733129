#include "projections/detail/application_cells.hpp"

#include "projections/detail/application_contribution.hpp"
#include "projections/detail/applications.hpp"
#include "projections/detail/common.hpp"

#include <algorithm>

namespace ledger::projections::detail {

namespace {

void bump(std::uint32_t& counter, bool counted, int sign) {
    if (counted) counter = static_cast<std::uint32_t>(static_cast<std::int64_t>(counter) + sign);
}

}  // namespace

void day_histogram::add(std::int64_t days, int sign) {
    auto const value = static_cast<std::int32_t>(days);
    auto const at = std::lower_bound(counts_.begin(), counts_.end(), value,
                                     [](sample const& s, std::int32_t v) { return s.first < v; });
    if (sign > 0) {
        if (at != counts_.end() && at->first == value) ++at->second;
        else counts_.insert(at, sample{value, 1});
        return;
    }
    if (at == counts_.end() || at->first != value) return;  // never added: nothing to remove
    if (--at->second == 0) counts_.erase(at);
}

void day_histogram::add_samples(std::int32_t value, std::uint32_t count, int sign) {
    if (count == 0) return;
    auto const at = std::lower_bound(counts_.begin(), counts_.end(), value,
                                     [](sample const& s, std::int32_t v) { return s.first < v; });
    if (sign > 0) {
        if (at != counts_.end() && at->first == value) at->second += count;
        else counts_.insert(at, sample{value, count});
        return;
    }
    if (at == counts_.end() || at->first != value) return;  // never added: nothing to remove
    at->second -= std::min(at->second, count);
    if (at->second == 0) counts_.erase(at);
}

namespace {

/// median_days() of `count` samples whose k-th smallest (from 0) `nth` gives.
template <class Nth>
boost::json::value median_by(std::uint64_t count, Nth const& nth) {
    if (count == 0) return nullptr;
    // As median_days(): the upper middle, and for an even count the mean with the lower one.
    std::int64_t const upper = nth(count / 2);
    if (count % 2 == 1) return upper;
    std::int64_t const lower = nth(count / 2 - 1);
    std::int64_t const sum = lower + upper;
    if (sum % 2 == 0) return sum / 2;
    return static_cast<double>(sum) / 2.0;
}

}  // namespace

boost::json::value median_of(std::vector<day_histogram::sample> merged) {
    std::sort(merged.begin(), merged.end());
    std::uint64_t count = 0;
    for (auto const& s : merged) count += s.second;
    return median_by(count, [&](std::uint64_t k) -> std::int64_t {
        std::uint64_t seen = 0;
        for (auto const& s : merged) {
            seen += s.second;
            if (k < seen) return s.first;
        }
        return merged.back().first;  // not reached: k < count
    });
}

boost::json::value median_of(std::vector<day_histogram const*> const& histograms) {
    std::int64_t low = 0;
    std::int64_t high = -1;
    for (auto const* h : histograms) {
        if (h->empty()) continue;
        if (high < low) {
            low = h->samples().front().first;
            high = h->samples().back().first;
        } else {
            low = std::min<std::int64_t>(low, h->samples().front().first);
            high = std::max<std::int64_t>(high, h->samples().back().first);
        }
    }
    if (high < low) return nullptr;
    constexpr std::int64_t dense_limit = 1 << 16;  // 512 KiB of counters at most
    if (high - low >= dense_limit) {
        std::vector<day_histogram::sample> merged;
        for (auto const* h : histograms) merged.insert(merged.end(), h->samples().begin(), h->samples().end());
        return median_of(std::move(merged));
    }
    std::vector<std::uint64_t> counts(static_cast<std::size_t>(high - low + 1), 0);
    std::uint64_t count = 0;
    for (auto const* h : histograms) {
        for (auto const& s : h->samples()) {
            counts[static_cast<std::size_t>(s.first - low)] += s.second;
            count += s.second;
        }
    }
    return median_by(count, [&](std::uint64_t k) -> std::int64_t {
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            seen += counts[i];
            if (k < seen) return low + static_cast<std::int64_t>(i);
        }
        return high;  // not reached: k < count
    });
}

namespace {

/// Adds (+1) or removes (-1) an application's part in its year's cell.
void count_year(year_cell& cell, application_summary const& a, int sign) {
    count_contribution(cell, cell.application_to_offer, cell.offer_to_start, a, sign,
                       [sign](std::uint32_t& counter, bool counted) { bump(counter, counted, sign); });
}

/// Adds (+1) or removes (-1) a started application's part in its campaign's start cells.
void count_start(campaign_cells& cells, application_summary const& a, int sign) {
    if (!a.started) return;
    auto const on = static_cast<std::int32_t>(*a.started_on);
    auto start = std::lower_bound(cells.starts.begin(), cells.starts.end(), on,
                                  [](start_cell const& s, std::int32_t v) { return s.started_on < v; });
    if (start == cells.starts.end() || start->started_on != on) {
        if (sign < 0) return;  // never counted (cannot happen: contributions are balanced)
        start = cells.starts.insert(start, start_cell{.started_on = on});
    }
    // Retained: no employment ended before the anniversary (retention.cpp counts the
    // anniversary only once it has passed).
    bump(start->started, true, sign);
    bump(start->retained_12m, !a.ended_on || *a.ended_on >= *a.started_on + 365, sign);
    bump(start->retained_24m, !a.ended_on || *a.ended_on >= *a.started_on + 730, sign);
    if (start->started == 0) cells.starts.erase(start);
}

/// Adds `after - before` to a counter (each 0 or 1).
void shift(std::uint32_t& counter, bool before, bool after) {
    if (before != after) bump(counter, true, after ? +1 : -1);
}

/// Replaces an application's part in its year's cell: what count_year(after, +1) then
/// count_year(before, -1) does, touching only what differs (an event changes one stage, and a
/// histogram's sample is the same unless its days changed: no lookup in it then).
void change_year(year_cell& cell, application_summary const& before, application_summary const& after) {
    shift(cell.shortlisted, before.shortlisted, after.shortlisted);
    shift(cell.interviewed, before.interviewed, after.interviewed);
    shift(cell.offers, before.offered, after.offered);
    shift(cell.offers_accepted, before.accepted, after.accepted);
    shift(cell.contracts_signed, before.contracted, after.contracted);
    shift(cell.started, before.started, after.started);
    if (before.offer_day != after.offer_day || before.received_day != after.received_day) {
        if (after.offer_day) cell.application_to_offer.add(*after.offer_day - after.received_day, +1);
        if (before.offer_day) cell.application_to_offer.add(*before.offer_day - before.received_day, -1);
    }
    if (before.offer_day != after.offer_day || before.started_on != after.started_on) {
        if (after.offer_day && after.started_on) cell.offer_to_start.add(*after.started_on - *after.offer_day, +1);
        if (before.offer_day && before.started_on) cell.offer_to_start.add(*before.started_on - *before.offer_day, -1);
    }
}

/// Whether the start cells see a difference between the two.
bool same_start(application_summary const& a, application_summary const& b) {
    return a.started == b.started && a.started_on == b.started_on && a.ended_on == b.ended_on;
}

std::uint64_t year_key(std::uint32_t campaign, std::int32_t year) {
    return std::uint64_t{campaign} << 32 | static_cast<std::uint32_t>(year);
}

}  // namespace

void application_cells::count(std::uint32_t campaign, application_summary const& a, int sign) {
    auto& cells = campaigns_[campaign];
    auto const key = year_key(campaign, year_of_day(a.received_day));
    auto slot = year_slots_.find(key);
    if (slot == year_slots_.end()) {
        if (sign < 0) return;  // never counted (cannot happen: contributions are balanced)
        slot = year_slots_.emplace(key, static_cast<std::uint32_t>(cells.years.size())).first;
        cells.years.push_back(year_cell{.year = year_of_day(a.received_day)});
    }
    auto const at = slot->second;
    count_year(cells.years[at], a, sign);
    if (cells.years[at].applications == 0) {
        // The last cell takes its place, so the other cells keep theirs.
        if (at + 1 != cells.years.size()) {
            cells.years[at] = std::move(cells.years.back());
            year_slots_[year_key(campaign, cells.years[at].year)] = at;
        }
        cells.years.pop_back();
        year_slots_.erase(key);
    }
    count_start(cells, a, sign);
    if (cells.years.empty() && cells.starts.empty()) campaigns_.erase(campaign);
}

void application_cells::replace(std::uint32_t campaign, application_summary const& before,
                                application_summary const& after) {
    auto const year = year_of_day(after.received_day);
    if (year == year_of_day(before.received_day)) {
        auto const slot = year_slots_.find(year_key(campaign, year));
        if (slot != year_slots_.end()) {
            // One cell, found once; the new part in before the old one out, so nothing empties.
            auto& cells = campaigns_.find(campaign)->second;  // there is one: it has this cell
            change_year(cells.years[slot->second], before, after);
            if (!same_start(before, after)) {
                count_start(cells, after, +1);
                count_start(cells, before, -1);
            }
            return;
        }
    }
    count(campaign, after, +1);
    count(campaign, before, -1);
}

void application_cells::clear() noexcept {
    campaigns_.clear();
    year_slots_.clear();
}

}  // namespace ledger::projections::detail
