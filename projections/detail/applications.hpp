#pragma once
// The application lifecycle that recruits-per-campaign, funnel and retention all count, kept
// once for the three (make_all_read_models gives them one shared table; each folds every event
// into it with fold_once, so it is folded once) and per entity: one entry per campaign (its plan and cost sums per currency), per application
// (its receipts, stage counts, offers and contracts) and per candidate (employment starts and
// ends). An event updates one entry; a retraction hands over the retracted event
// (fold_event::retracted) and the fold undoes exactly what that event did to its entry, so
// nothing is kept per event: the state grows with campaigns, applications and candidates.
//
// "First" values that a retraction may take away (the first receipt of an application, its
// first offer, its first contract, the candidate's employment events) are kept as the few
// remaining values per entity, in log order, which under the domain rules is nearly always
// one. Texts (names, organisers, currencies, application, candidate and campaign ids) are
// interned in one string_pool, so an entry is a few numbers.
//
// The table also maintains the cells the three render their rows from (application_cells.hpp):
// every change to an application's entry or to its candidate's employment takes the
// application's contribution out of the cells first and puts the new one back after. The
// cells, and the candidate → applications index this needs, are not saved: load() recomputes
// them from the entries.
//
// Threading: a plain value; callers serialise access.

#include "projections/detail/application_cells.hpp"
#include "projections/detail/entity_archive.hpp"
#include <cereal/types/deque.hpp>
#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::projections::detail {

struct campaign_plan {
    std::uint64_t position = 0;
    std::uint32_t name = 0;       // interned
    std::uint32_t organiser = 0;  // interned
    std::uint8_t kind = 0;        // events::campaign_kind
    template <class Archive>
    void serialize(Archive& archive) {
        archive(position, name, organiser, kind);
    }
    friend bool operator==(campaign_plan const&, campaign_plan const&) = default;
};

struct cost_sum {
    std::uint32_t currency = 0;  // interned
    std::uint32_t events = 0;    // remaining events that added to it
    std::int64_t amount_minor = 0;
    template <class Archive>
    void serialize(Archive& archive) {
        archive(currency, events, amount_minor);
    }
    friend bool operator==(cost_sum const&, cost_sum const&) = default;
};

struct campaign_entry {
    few<campaign_plan> plans;  // remaining CampaignPlanned, in log order (rule 1: one)
    std::vector<cost_sum> costs;  // by currency, in the order first seen
    bool empty() const noexcept { return plans.empty() && costs.empty(); }
    template <class Archive>
    void serialize(Archive& archive) {
        archive(plans, costs);
    }
    friend bool operator==(campaign_entry const&, campaign_entry const&) = default;
};

struct receipt {
    std::uint64_t position = 0;
    std::uint32_t campaign_id = 0;  // interned
    std::int32_t day = 0;           // of occurred_at (a day number fits 32 bits)
    template <class Archive>
    void serialize(Archive& archive) {
        archive(position, campaign_id, day);
    }
    friend bool operator==(receipt const&, receipt const&) = default;
};

struct dated {
    std::uint64_t position = 0;
    std::int64_t day = 0;
    template <class Archive>
    void serialize(Archive& archive) {
        archive(position, day);
    }
    friend bool operator==(dated const&, dated const&) = default;
};

struct application_entry {
    std::uint32_t candidate = 0;    // interned candidate id
    std::uint32_t application = 0;  // interned application id
    few<receipt> receipts;  // remaining ApplicationReceived, in log order
    std::uint32_t shortlisted = 0;  // remaining events that reached each stage
    std::uint32_t interviewed = 0;
    std::uint32_t accepted = 0;
    few<dated> offers;                   // remaining OfferExtended (day of occurred_at)
    few<std::uint64_t> contracts;        // positions of the remaining ContractSigned
    bool empty() const noexcept {
        return receipts.empty() && offers.empty() && contracts.empty() && shortlisted == 0 &&
               interviewed == 0 && accepted == 0;
    }
    template <class Archive>
    void serialize(Archive& archive) {
        archive(candidate, application, receipts, shortlisted, interviewed, accepted, offers, contracts);
    }
    friend bool operator==(application_entry const&, application_entry const&) = default;
};

struct employment_step {
    std::uint64_t position = 0;
    bool started = false;  // EmploymentStarted (started_on), else EmploymentEnded (ended_on)
    std::int32_t day = 0;
    template <class Archive>
    void serialize(Archive& archive) {
        archive(position, started, day);
    }
    friend bool operator==(employment_step const&, employment_step const&) = default;
};

/// One application as its entry and its candidate's employment describe it: received with a
/// campaign (by its first remaining ApplicationReceived), and the stages it reached.
struct application_summary {
    std::string_view campaign_id;  // its text: set by for_each_application, empty from summarize
    std::uint32_t campaign = 0;    // interned id
    std::int64_t received_day = 0;
    bool shortlisted = false;
    bool interviewed = false;
    bool offered = false;
    bool accepted = false;
    bool contracted = false;
    bool started = false;  // contracted, and an EmploymentStarted came later in the stream
    std::optional<std::int64_t> offer_day;   // of the first OfferExtended
    std::optional<std::int64_t> started_on;  // of the first EmploymentStarted after the contract
    std::optional<std::int64_t> ended_on;    // of the first EmploymentEnded after that start
    friend bool operator==(application_summary const&, application_summary const&) = default;
};

/// Campaigns, applications and employment of the log so far.
class application_table {
public:
    /// Bumped whenever the fold or the saved form changes (as read_model::code_version).
    static constexpr std::uint32_t code_version = 3;  // 3: candidates interned only by events that change an entry
    bool with_costs = false;  // whether costs are kept (recruits-per-campaign needs them)

    /// Folds one event: applies it to its entry or, for EventRetracted, undoes the retracted one.
    void apply(fold_event const& event);
    /// As apply, but only when the event is the next one this table has not folded yet: read
    /// models sharing one table each hand it every event, and it folds each once.
    void fold_once(fold_event const& event) {
        if (event.position < next) return;
        apply(event);
        next = event.position + 1;
    }

    template <class Archive>
    void save(Archive& archive) const;
    template <class Archive>
    void load(Archive& archive);
    friend bool operator==(application_table const& a, application_table const& b) {
        return a.with_costs == b.with_costs && a.next == b.next && a.texts == b.texts &&
               a.campaigns == b.campaigns && a.applications == b.applications && a.employment == b.employment;
    }

    std::uint64_t next = 0;  // events fold_once has folded: positions [0, next)
    string_pool texts;  // every text the entries name
    boost::unordered_flat_map<std::uint32_t, campaign_entry> campaigns;  // by campaign id
    /// Every application named so far, each with its candidate and id (an application whose
    /// events were all retracted keeps an empty entry), and its number by
    /// (candidate id << 32 | application id): entries in a deque, not in the hash table's
    /// slack. The numbers are rebuilt on load.
    std::deque<application_entry> applications;
    boost::unordered_flat_map<std::uint64_t, std::uint32_t> application_numbers;
    boost::unordered_flat_map<std::uint32_t, few<employment_step>> employment;  // by candidate id
    /// What the applications with a receipt contribute to the rows, maintained by apply and
    /// recomputed by load (not saved, not compared).
    application_cells cells;

private:
    static constexpr std::uint32_t no_application = 0xffffffffU;
    /// What one application contributes to the cells: its campaign (interned) and summary.
    struct contribution {
        std::uint32_t campaign = 0;
        application_summary summary;
        friend bool operator==(contribution const&, contribution const&) = default;
    };
    /// The contribution of an application with a receipt; nullopt for one without.
    std::optional<contribution> contribution_of(application_entry const& entry) const;
    /// Puts `after` into the cells in place of `before` (nothing when they are equal).
    void replace(std::optional<contribution> const& before, std::optional<contribution> const& after);
    /// Rebuilds the cells from the entries.
    void recount();
    /// Throws codec_error when a loaded entry names a text the pool does not hold.
    void check_texts() const;
    /// Rebuilds application_numbers and the candidate index below from the entries; throws
    /// codec_error for a repeated key.
    void number_applications();
    /// The candidate index: per candidate its last application's number, per application the
    /// number of its candidate's previous one (no_application for none). Rebuilt on load.
    boost::unordered_flat_map<std::uint32_t, std::uint32_t> last_application_;
    std::deque<std::uint32_t> previous_application_;
    /// The contracted applications an employment event changes, with their contributions
    /// before it (kept to reuse its memory).
    std::vector<std::pair<std::uint32_t, std::optional<contribution>>> employed_scratch_;
    void apply_campaign(fold_event const& e, int sign);
    void apply_candidate(fold_event const& e, int sign);
};

template <class Archive>
void application_table::save(Archive& archive) const {
    archive(with_costs, next, texts, campaigns, applications, employment);
}

template <class Archive>
void application_table::load(Archive& archive) {
    archive(with_costs, next, texts, campaigns, applications, employment);
    check_texts();
    number_applications();
    recount();
}

/// A read model's handle on the application table it folds into, which make_all_read_models
/// shares between recruits-per-campaign, funnel and retention. A copy of a handle gets its own
/// copy of the table (so copies of a read model fold independently); only share() shares.
/// Tables always keep costs, so any of the three can share one.
class table_handle {
public:
    table_handle() : table_(std::make_shared<application_table>()) { table_->with_costs = true; }
    table_handle(table_handle const& other) : table_(std::make_shared<application_table>(*other.table_)) {}
    table_handle(table_handle&&) noexcept = default;
    table_handle& operator=(table_handle const& other) {
        if (this != &other) table_ = std::make_shared<application_table>(*other.table_);
        return *this;
    }
    table_handle& operator=(table_handle&&) noexcept = default;
    ~table_handle() = default;

    application_table const& operator*() const noexcept { return *table_; }
    application_table const* operator->() const noexcept { return table_.get(); }
    /// Folds `event` into the table unless a read model sharing it already has.
    void fold(fold_event const& event) { table_->fold_once(event); }
    std::shared_ptr<application_table> const& shared() const noexcept { return table_; }
    void share(std::shared_ptr<application_table> table) { table_ = std::move(table); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(*table_);
    }
    template <class Archive>
    void load(Archive& archive) {
        auto table = std::make_shared<application_table>();
        archive(*table);
        table_ = std::move(table);
    }
    friend bool operator==(table_handle const& a, table_handle const& b) { return *a.table_ == *b.table_; }

private:
    std::shared_ptr<application_table> table_;
};

/// Whether application_table reads events of `type` (with or without costs).
bool application_table_reads(std::string_view type, bool with_costs) noexcept;

/// The summary of one application entry with a receipt (`candidate` is its candidate id).
application_summary summarize(application_table const& table, std::uint32_t candidate,
                              application_entry const& entry);

// Iterating every application and describing campaigns with texts is no longer how the three
// read models render (they read the cells); tools/bench/read_model_lmdb.cpp still measures it.

/// A campaign as its entry describes it.
struct campaign_profile {
    bool planned = false;
    std::string name;
    std::string kind;  // the SPEC spelling, e.g. "recruitment_trip"
    std::string organiser;
    std::map<std::string, std::int64_t> costs;  // currency → sum of minor units
};
campaign_profile profile_of(campaign_entry const& entry, string_pool const& texts);

/// Calls `visit(summary)` (campaign_id set) for every application with a remaining receipt, in
/// no set order.
template <class Visit>
void for_each_application(application_table const& table, Visit&& visit) {
    for (auto const& entry : table.applications) {
        if (entry.receipts.empty()) continue;  // stages of an application never received
        auto summary = summarize(table, entry.candidate, entry);
        summary.campaign_id = table.texts.text(summary.campaign);
        visit(summary);
    }
}

}  // namespace ledger::projections::detail
