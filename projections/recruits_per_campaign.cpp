#include "projections/recruits_per_campaign.hpp"

#include "projections/detail/common.hpp"
#include "projections/detail/in_order.hpp"
#include "projections/detail/stage_counts.hpp"

#include "ledger/json_text.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace ledger::projections {

bool recruits_per_campaign::reads(std::string_view type) noexcept {
    return detail::application_table_reads(type, true);
}

void recruits_per_campaign::apply(fold_event const& event) { table_.fold(event); }

namespace {

/// A campaign's cost sums by currency, ordered by currency (each currency once in an entry).
using costs_by_currency = std::vector<std::pair<std::string_view, std::int64_t>>;

boost::json::object money(costs_by_currency const& by_currency) {
    boost::json::object out(by_currency.size());
    for (auto const& [currency, amount] : by_currency) out[currency] = amount;
    return out;
}

boost::json::value cost_per_contract(costs_by_currency const& costs, std::uint64_t contracts) {
    if (contracts == 0) return nullptr;
    boost::json::object out(costs.size());
    // Integer division of minor units: a fraction of a cent per contract is not money.
    for (auto const& [currency, amount] : costs) {
        out[currency] = amount / static_cast<std::int64_t>(contracts);
    }
    return out;
}

}  // namespace

boost::json::array recruits_per_campaign::rows() const {
    every_row all;
    render(all);
    return std::move(all).take_rows();
}

void recruits_per_campaign::render(row_sink& sink) const { render_rows(sink, 0, 0); }

void recruits_per_campaign::render_part(row_sink& sink, std::size_t part, std::size_t parts) const {
    render_rows(sink, part, parts);
}

namespace {

/// A string cell's text, or null.
void append_text_or_null(std::string& out, std::string_view const* text) {
    if (text != nullptr) append_json_string(out, *text);
    else out += "null";
}

/// `costs` as money() renders them (an object by currency; `contracts` > 0: each divided).
void append_money(std::string& out, costs_by_currency const& costs, std::uint64_t contracts) {
    out.push_back('{');
    bool first = true;
    for (auto const& [currency, amount] : costs) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, currency);
        out.push_back(':');
        append_json_integer(out, contracts == 0 ? amount : amount / static_cast<std::int64_t>(contracts));
    }
    out.push_back('}');
}

}  // namespace

void recruits_per_campaign::render_rows(row_sink& sink, std::size_t part, std::size_t parts) const {
    auto const& table = *table_;
    auto const& texts = table.texts;
    // Every campaign with an entry (planned or costs) or applications, ordered by id: O(campaigns).
    std::vector<std::pair<std::string_view, std::uint32_t>> ids;
    if (auto const organiser = sink.only_where("organiser")) {
        // Only the campaigns whose organiser cell reads as the filter's value (a planned
        // campaign's organiser; null, i.e. an empty value, for the others): integers compared.
        auto const wanted = texts.find(*organiser);
        for (auto const& [id, entry] : table.campaigns) {
            bool const planned = !entry.plans.empty();
            if (planned ? wanted && entry.plans.front().organiser == *wanted : organiser->empty()) {
                ids.emplace_back(texts.text(id), id);
            }
        }
        if (organiser->empty()) {
            for (auto const& [id, cells] : table.cells.campaigns()) {
                if (!table.campaigns.contains(id)) ids.emplace_back(texts.text(id), id);
            }
        }
    } else {
        ids.reserve(table.campaigns.size() + table.cells.campaigns().size());
        for (auto const& [id, entry] : table.campaigns) ids.emplace_back(texts.text(id), id);
        for (auto const& [id, cells] : table.cells.campaigns()) {
            if (!table.campaigns.contains(id)) ids.emplace_back(texts.text(id), id);
        }
    }
    sink.expect(ids.size());
    costs_by_currency costs;
    auto* const text = sink.text();
    auto const row = [&](std::pair<std::string_view, std::uint32_t> const& next) {
        auto const id = next.first;  // not a structured binding: the lambda below captures them
        auto const number = next.second;
        auto const found = table.campaigns.find(number);
        auto const* entry = found == table.campaigns.end() ? nullptr : &found->second;
        // rule 1: one plan; should there be more, the first
        auto const* plan = entry == nullptr || entry->plans.empty() ? nullptr : &entry->plans.front();
        auto const counts_and_costs = [&] {
            detail::stage_counts count;
            if (auto const* cells = table.cells.find(number)) {
                for (auto const& year : cells->years) count.add(year);
            }
            costs.clear();
            if (entry != nullptr) {
                for (auto const& cost : entry->costs) costs.emplace_back(texts.text(cost.currency), cost.amount_minor);
                std::sort(costs.begin(), costs.end());
            }
            return count;
        };
        if (text != nullptr) {
            // The row's text as append_json_text writes the object below: the same cells in
            // the same order (the object keeps its keys in the order they were set).
            auto& out = *text;
            std::string_view name;
            std::string kind;
            std::string_view organiser;
            if (plan != nullptr) {
                name = texts.text(plan->name);
                kind = detail::enum_name(static_cast<events::campaign_kind>(plan->kind));
                organiser = texts.text(plan->organiser);
            }
            std::string_view const kind_view = kind;
            out += R"({"campaign_id":)";
            append_json_string(out, id);
            out += R"(,"name":)";
            append_text_or_null(out, plan != nullptr ? &name : nullptr);
            out += R"(,"kind":)";
            append_text_or_null(out, plan != nullptr ? &kind_view : nullptr);
            out += R"(,"organiser":)";
            append_text_or_null(out, plan != nullptr ? &organiser : nullptr);
            auto const count = counts_and_costs();
            count.write(out);
            out += R"(,"costs":)";
            append_money(out, costs, 0);
            out += R"(,"cost_per_contract":)";
            if (count.contracts_signed == 0) out += "null";
            else append_money(out, costs, count.contracts_signed);
            out += "},";
            return true;
        }
        // The key and filter fields first (row_sink): the rest only for a row the sink takes.
        boost::json::object row(recruits_per_campaign::columns.size());
        row["campaign_id"] = id;
        row["name"] = plan != nullptr ? boost::json::value(texts.text(plan->name)) : nullptr;
        row["kind"] = plan != nullptr
                          ? boost::json::value(detail::enum_name(static_cast<events::campaign_kind>(plan->kind)))
                          : nullptr;
        row["organiser"] = plan != nullptr ? boost::json::value(texts.text(plan->organiser)) : nullptr;
        auto const verdict = sink.consider(row);
        if (verdict == row_sink::verdict::stop) return false;
        if (verdict == row_sink::verdict::skip) return true;
        auto const count = counts_and_costs();
        count.write(row);
        row["costs"] = money(costs);
        row["cost_per_contract"] = cost_per_contract(costs, count.contracts_signed);
        sink.take(std::move(row));
        return true;
    };
    // A page visits only the first ids in order (detail/in_order.hpp); rows() sorts them all.
    if (parts > 1) detail::visit_part_in_order(ids, part, parts, row);
    else if (part == 0) detail::visit_in_order(ids, sink.takes_every_row(), row);
}

}  // namespace ledger::projections
