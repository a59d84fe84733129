#include "projections/detail/applications.hpp"

#include "projections/detail/common.hpp"

#include <algorithm>
#include <array>

namespace ledger::projections::detail {
namespace ev = ledger::events;

namespace {

/// Adds `item` (sign +1), which comes after every item there in log order, or removes the item
/// at `item.position` (sign -1).
template <class T>
void add_or_remove(few<T>& items, T item, int sign) {
    if (sign > 0) {
        items.push_back(std::move(item));
        return;
    }
    auto const it = std::find_if(items.begin(), items.end(),
                                 [&](T const& x) { return x.position == item.position; });
    if (it != items.end()) items.erase(it);
}

void add_or_remove(few<std::uint64_t>& positions, std::uint64_t position, int sign) {
    if (sign > 0) {
        positions.push_back(position);
        return;
    }
    auto const it = std::find(positions.begin(), positions.end(), position);
    if (it != positions.end()) positions.erase(it);
}

void count(std::uint32_t& counter, int sign) {
    if (sign > 0) ++counter;
    else if (counter > 0) --counter;
}

}  // namespace

void application_table::apply_campaign(fold_event const& e, int sign) {
    auto const campaign = texts.intern(e.stream_id());
    auto add_cost = [&](std::string_view currency, std::int64_t amount) {
        auto& entry = campaigns[campaign];
        auto const code = texts.intern(currency);
        auto it = std::find_if(entry.costs.begin(), entry.costs.end(),
                               [&](cost_sum const& c) { return c.currency == code; });
        if (sign > 0) {
            if (it == entry.costs.end()) it = entry.costs.insert(it, cost_sum{.currency = code});
            it->amount_minor += amount;
            ++it->events;
        } else if (it != entry.costs.end()) {
            it->amount_minor -= amount;
            // The last cost in a currency gone: the currency goes too, as if never recorded.
            if (--it->events == 0) entry.costs.erase(it);
        }
    };
    if (auto const* planned = std::get_if<ev::campaign_planned>(e.data)) {
        auto const key_before = funnel_key_of(campaign);
        add_or_remove(campaigns[campaign].plans,
                      campaign_plan{.position = e.position, .name = texts.intern(planned->name),
                                    .organiser = texts.intern(planned->organiser),
                                    .kind = static_cast<std::uint8_t>(planned->kind)},
                      sign);
        if (campaigns[campaign].empty()) campaigns.erase(campaign);
        // A plan that came or went moves the campaign's applications to another funnel row.
        auto const* applied = funnel_rows_ ? cells.find(campaign) : nullptr;
        if (applied != nullptr && funnel_key_of(campaign) != key_before) {
            funnel_rows_->add_campaign(funnel_key_of(campaign), *applied, +1);
            funnel_rows_->add_campaign(key_before, *applied, -1);
        }
        return;
    } else if (!with_costs) {
        return;
    } else if (auto const* cost = std::get_if<ev::cost_recorded>(e.data)) {
        add_cost(cost->currency.value, cost->amount_minor);
    } else if (auto const* advert = std::get_if<ev::advertisement_published>(e.data)) {
        // The catalogue requires a currency with cost_minor; an amount without one is not
        // money we could add to anything, so it is left out.
        if (advert->cost_minor && advert->currency) add_cost(advert->currency->value, *advert->cost_minor);
    }
    auto const entry = campaigns.find(campaign);
    if (entry != campaigns.end() && entry->second.empty()) campaigns.erase(entry);
}

std::optional<application_table::contribution> application_table::contribution_of(
    application_entry const& entry, few<employment_step> const& employment) {
    if (entry.receipts.empty()) return std::nullopt;  // stages of an application never received count nowhere
    return contribution{entry.receipts.front().campaign_id, summarize(entry, employment)};
}

void application_table::replace(std::optional<contribution> const& before, std::optional<contribution> const& after) {
    if (before == after) return;
    if (funnel_rows_) {
        if (after) funnel_rows_->count(funnel_key_of(after->campaign), after->summary, +1);
        if (before) funnel_rows_->count(funnel_key_of(before->campaign), before->summary, -1);
    }
    if (before && after && before->campaign == after->campaign) {
        cells.replace(after->campaign, before->summary, after->summary);
        return;
    }
    // The new one in first: a cell the two share is never emptied (and freed) in between.
    if (after) cells.count(after->campaign, after->summary, +1);
    if (before) cells.count(before->campaign, before->summary, -1);
}

funnel_row_key application_table::funnel_key_of(std::uint32_t campaign) const {
    auto const entry = campaigns.find(campaign);
    if (entry == campaigns.end() || entry->second.plans.empty()) return {};
    auto const& plan = entry->second.plans.front();  // rule 1: one plan; should there be more, the first
    return funnel_row_key{.planned = true, .kind = plan.kind, .organiser = plan.organiser};
}

void application_table::maintain_funnel_rows() {
    if (funnel_rows_) return;
    auto& rows = funnel_rows_.emplace();
    for (auto const& [id, applied] : cells.campaigns()) rows.add_campaign(funnel_key_of(id), applied, +1);
}

void application_table::apply_candidate(fold_event const& e, int sign) {
    // The candidate's entry is touched only by an event that changes something here:
    // consents, interests, invitations and registrations (decoded for other read models) and
    // stages that count nowhere leave the table as it is (a lookup saved).
    auto const day = static_cast<std::int32_t>(day_number(e.occurred_at));
    // Changes one application's entry, and its contribution in the cells with it.
    auto change = [&](std::string const& id, auto&& what) {
        auto& person = candidates.at(e.stream_id());
        auto entry = std::find_if(person.applications.begin(), person.applications.end(),
                                  [&](application_entry const& a) { return a.id == id; });
        if (entry == person.applications.end()) {
            entry = person.applications.insert(entry, application_entry{.id = id});
        }
        auto const before = contribution_of(*entry, person.employment);
        what(*entry);
        replace(before, contribution_of(*entry, person.employment));
    };
    // Changes the candidate's employment, which every contracted application of theirs reads,
    // and their contributions with it.
    auto employ = [&](employment_step step) {
        auto& person = candidates.at(e.stream_id());
        auto& affected = employed_scratch_;
        affected.clear();
        for (std::size_t i = 0; i < person.applications.size(); ++i) {
            auto const& entry = person.applications[i];
            // Employment only shapes the summary of a contracted application.
            if (!entry.contracts.empty() && !entry.receipts.empty()) {
                affected.emplace_back(i, contribution_of(entry, person.employment));
            }
        }
        add_or_remove(person.employment, step, sign);
        for (auto const& [i, before] : affected) replace(before, contribution_of(person.applications[i], person.employment));
    };
    if (auto const* received = std::get_if<ev::application_received>(e.data)) {
        change(received->application_id, [&](application_entry& entry) {
            add_or_remove(entry.receipts,
                          receipt{.position = e.position, .campaign_id = texts.intern(received->campaign_id),
                                  .day = day},
                          sign);
        });
    } else if (auto const* screened = std::get_if<ev::application_screened>(e.data)) {
        if (screened->outcome == ev::screening_outcome::shortlisted) {
            change(screened->application_id, [&](application_entry& entry) { count(entry.shortlisted, sign); });
        }
    } else if (auto const* held = std::get_if<ev::interview_held>(e.data)) {
        if (held->outcome != ev::interview_outcome::no_show) {
            change(held->application_id, [&](application_entry& entry) { count(entry.interviewed, sign); });
        }
    } else if (auto const* offer = std::get_if<ev::offer_extended>(e.data)) {
        change(offer->application_id,
               [&](application_entry& entry) { add_or_remove(entry.offers, dated{e.position, day}, sign); });
    } else if (auto const* answer = std::get_if<ev::offer_answered>(e.data)) {
        if (answer->accepted) {
            change(answer->application_id, [&](application_entry& entry) { count(entry.accepted, sign); });
        }
    } else if (auto const* contract = std::get_if<ev::contract_signed>(e.data)) {
        change(contract->application_id,
               [&](application_entry& entry) { add_or_remove(entry.contracts, e.position, sign); });
    } else if (auto const* started = std::get_if<ev::employment_started>(e.data)) {
        employ(employment_step{e.position, true, static_cast<std::int32_t>(day_number(started->started_on))});
    } else if (auto const* ended = std::get_if<ev::employment_ended>(e.data)) {
        employ(employment_step{e.position, false, static_cast<std::int32_t>(day_number(ended->ended_on))});
    }
}

void application_table::check_texts() const {
    auto const known = [&](std::uint64_t id) {
        if (id >= texts.size()) throw codec_error("a snapshot's entry names an unknown text");
    };
    for (auto const& [id, entry] : campaigns) {
        known(id);
        for (auto const& plan : entry.plans) {
            known(plan.name);
            known(plan.organiser);
        }
        for (auto const& cost : entry.costs) known(cost.currency);
    }
    if (!candidates.in_table() && !candidates.lazy()) {  // a lazy load checked them on its walk
        for (auto const& person : candidates) {
            for (auto const& entry : person.applications) {
                for (auto const& r : entry.receipts) known(r.campaign_id);
            }
        }
    }
    for (auto const& [id, campaign_cells] : cells.campaigns()) known(id);
}

void application_table::restart_in_table() {
    auto stale = candidates.stale_epochs();
    stale.push_back(candidates.epoch());
    auto reader = candidates.reader();
    auto const epoch = candidates.next_epoch();
    if (reader) reader->release();
    next = 0;
    texts = string_pool();
    campaigns.clear();
    cells.clear();
    if (funnel_rows_) funnel_rows_->clear();  // still kept: of the empty table now
    candidates = entities<candidate_entry>();
    candidates.keep_in_table(std::move(reader), entity_model, epoch, std::move(stale));
}

void application_table::apply(fold_event const& e) {
    if (e.data == nullptr) return;
    fold_event const* target = &e;
    int sign = 1;
    if (std::holds_alternative<ev::event_retracted>(*e.data)) {
        if (e.retracted == nullptr || e.retracted->data == nullptr) return;
        target = e.retracted;
        sign = -1;
    }
    // An in-memory table's new vectors in its arena (huge pages: a replay's table lane faulted
    // a quarter of its CPU away 4 KiB at a time). A table kept in the store leaves its cached
    // entries on the heap, which gives them back once they are flushed.
    fold_arena::scope const in_arena(candidates.in_table() ? nullptr : arena_.get());
    auto const category = target->category();
    if (category == "campaign") apply_campaign(*target, sign);
    else if (category == "candidate") apply_candidate(*target, sign);
}

bool application_table_reads(std::string_view type, bool with_costs) noexcept {
    static constexpr std::array<std::string_view, 10> always{
        ev::event_retracted::type_name,     ev::campaign_planned::type_name,
        ev::application_received::type_name, ev::application_screened::type_name,
        ev::interview_held::type_name,      ev::offer_extended::type_name,
        ev::offer_answered::type_name,      ev::contract_signed::type_name,
        ev::employment_started::type_name,  ev::employment_ended::type_name};
    if (std::find(always.begin(), always.end(), type) != always.end()) return true;
    return with_costs && (type == ev::cost_recorded::type_name ||
                          type == ev::advertisement_published::type_name);
}

campaign_profile profile_of(campaign_entry const& entry, string_pool const& texts) {
    campaign_profile profile;
    for (auto const& cost : entry.costs) profile.costs[std::string(texts.text(cost.currency))] += cost.amount_minor;
    if (!entry.plans.empty()) {  // rule 1: one plan; should there be more, the first
        auto const& plan = entry.plans.front();
        profile.planned = true;
        profile.name = texts.text(plan.name);
        profile.organiser = texts.text(plan.organiser);
        profile.kind = enum_name(static_cast<ev::campaign_kind>(plan.kind));
    }
    return profile;
}

application_summary summarize(application_entry const& entry, few<employment_step> const& employment) {
    auto const& first = entry.receipts.front();
    application_summary a{.campaign = first.campaign_id,
                          .received_day = first.day,
                          .shortlisted = entry.shortlisted > 0,
                          .interviewed = entry.interviewed > 0,
                          .offered = !entry.offers.empty(),
                          .accepted = entry.accepted > 0,
                          .contracted = !entry.contracts.empty()};
    if (a.offered) a.offer_day = entry.offers.front().day;
    if (!a.contracted || employment.empty()) return a;
    // The first start after the (first) contract, then the first end after that start.
    auto const contract_position = entry.contracts.front();
    std::optional<std::uint64_t> start_position;
    for (auto const& step : employment) {
        if (step.position <= contract_position) continue;
        if (!start_position && step.started) {
            start_position = step.position;
            a.started = true;
            a.started_on = step.day;
        } else if (start_position && !step.started) {
            a.ended_on = step.day;
            break;
        }
    }
    return a;
}

}  // namespace ledger::projections::detail
