#pragma once
// The application lifecycle that recruits-per-campaign, funnel and retention all count, kept
// once for the three (make_all_read_models gives them one shared table; each folds every event
// into it with fold_once, so it is folded once) and per entity: one entry per campaign (its
// plan and cost sums per currency) and one per candidate (their applications, each with its
// receipts, stage counts, offers and contracts, and their employment starts and ends). An
// event updates one entry; a retraction hands over the retracted event
// (fold_event::retracted) and the fold undoes exactly what that event did to its entry, so
// nothing is kept per event: the state grows with campaigns, applications and candidates.
//
// "First" values that a retraction may take away (the first receipt of an application, its
// first offer, its first contract, the candidate's employment events) are kept as the few
// remaining values per entity, in log order, which under the domain rules is nearly always
// one. Campaign texts (ids, names, organisers, currencies) are interned in one string_pool.
//
// The candidates are an entities<candidate_entry> (entities.hpp): in memory for as-of folds,
// replays and tests, or, for the runner's live table, in the store's `projections` table under
// "e/a/" or, begun earlier, "entity/applications/" (a write-back cache flushed with it), so that a
// restart decodes only the campaigns, texts and cells (docs/read-models.md "The application
// table in the store").
//
// The table also maintains the cells the three render their rows from (application_cells.hpp):
// every change to an application's entry or to its candidate's employment takes the
// application's contribution out of the cells first and puts the new one back after. The
// cells, bounded by campaigns × years, stay in memory either way.
//
// Saved form (code version 5, for snapshots and as-of checkpoints): the campaigns, the texts as
// one run of characters, the candidates as entities<> save them (ids, then entries) and the
// cells as columns, so a load never recounts an application.
//
// Threading: a plain value; callers serialise access.

#include "ledger/detail/binary_archive.hpp"
#include "projections/detail/application_cells.hpp"
#include "projections/detail/entities.hpp"
#include "projections/detail/entity_archive.hpp"
#include "projections/detail/funnel_rows.hpp"
#include <cereal/types/deque.hpp>
#include "projections/detail/stream_facts.hpp"
#include "projections/fold_event.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>

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

/// One application of a candidate: its id and what its remaining events say.
struct application_entry {
    std::string id;         // the application id
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
        archive(id, receipts, shortlisted, interviewed, accepted, offers, contracts);
    }
    friend bool operator==(application_entry const&, application_entry const&) = default;
};

/// One candidate (the entity, found by the candidate's stream id): their applications in the
/// order first named (an application whose events were all retracted keeps an empty entry)
/// and their remaining employment steps in log order. Every event the table reads of a
/// candidate is in the candidate's stream, so an event touches exactly one entry.
struct candidate_entry {
    /// In the table's arena while it folds (fold_arena.hpp): most of what a candidate grows by.
    std::vector<application_entry, arena_allocator<application_entry>> applications;
    few<employment_step> employment;
    template <class Archive>
    void serialize(Archive& archive) {
        archive(applications, employment);
    }
    /// Passes over one saved entry (the bytes serialize() writes) reading only its sizes and
    /// its receipts' campaigns, which must be texts numbered below `texts` (throws
    /// codec_error otherwise, as check_texts does for a whole load). For a lazy load.
    static void walk_saved(ledger::detail::memory_input_archive& in, std::size_t texts) {
        auto const count = [&](std::size_t each) {
            std::uint64_t n = 0;
            in(n);
            if (n > in.remaining() / each) throw codec_error("a stored size is larger than its record");
            return static_cast<std::size_t>(n);
        };
        static_assert(sizeof(receipt) == 16 && sizeof(dated) == 16, "saved as their fields, no padding");
        for (auto applications = count(1); applications > 0; --applications) {
            in.skip(count(1));  // the id's characters
            for (auto receipts = count(16); receipts > 0; --receipts) {
                std::uint64_t position = 0;
                std::uint32_t campaign = 0;
                std::int32_t day = 0;
                in(position, campaign, day);
                if (campaign >= texts) throw codec_error("a snapshot's entry names an unknown text");
            }
            in.skip(3 * sizeof(std::uint32_t));     // shortlisted, interviewed, accepted
            in.skip(count(16) * 16);                 // offers: position, day
            in.skip(count(8) * 8);                   // contracts: positions
        }
        for (auto steps = count(13); steps > 0; --steps) {  // employment (a bool is 0 or 1)
            employment_step step;
            in(step);
        }
    }
    friend bool operator==(candidate_entry const&, candidate_entry const&) = default;
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
    // 3: candidates interned only by events that change an entry; 4: saved as columns, the
    // cells with them (rm-asof); 5: one entry per candidate (its applications and employment),
    // which the runner keeps in the store's table (rm-apptable).
    static constexpr std::uint32_t code_version = 5;
    /// The model name its entries are kept under in the store's table (entity_table.hpp).
    static constexpr std::string_view entity_model = "applications";
    bool with_costs = false;  // whether costs are kept (recruits-per-campaign needs them)

    /// Folds one event: applies it to its entry or, for EventRetracted, undoes the retracted one.
    /// Throws damaged_entity when a table-backed entry read on the way is damaged.
    void apply(fold_event const& event);
    /// As apply, but only when the event is the next one this table has not folded yet: read
    /// models sharing one table each hand it every event, and it folds each once.
    void fold_once(fold_event const& event) {
        if (event.position < next) return;
        apply(event);
        next = event.position + 1;
    }

    /// The whole state (in memory or from the table: the same bytes for the same entries).
    template <class Archive>
    void save(Archive& archive) const {
        archive(with_costs, next, texts, campaigns, candidates);
        cells.save(archive);
    }
    /// In memory only; throws codec_error for bytes that do not add up.
    template <class Archive>
    void load(Archive& archive) {
        archive(with_costs, next, texts, campaigns, candidates);
        cells.load(archive);
        funnel_rows_.reset();  // of the state replaced: maintain_funnel_rows() builds them again
        check_texts();
    }
    /// As load, the candidates loaded lazily (entities::load_lazily; `keep` owns the bytes
    /// `archive` reads, a receipt naming a text the pool lacks refused on the walk): an as-of
    /// load decodes only the candidates the fold of its tail touches.
    void load_lazily(ledger::detail::memory_input_archive& archive, std::shared_ptr<void const> keep) {
        archive(with_costs, next, texts, campaigns);
        auto const known = texts.size();
        candidates.load_lazily(archive, std::move(keep), [known](ledger::detail::memory_input_archive& in) {
            candidate_entry::walk_saved(in, known);
        });
        cells.load(archive);
        funnel_rows_.reset();
        check_texts();
    }
    friend bool operator==(application_table const& a, application_table const& b) {
        return a.with_costs == b.with_costs && a.next == b.next && a.texts == b.texts &&
               a.campaigns == b.campaigns && a.candidates == b.candidates;
    }

    // ---- the candidates in the store's table (entities.hpp; the runner's live table) -------

    /// From now on (empty) the candidates are kept in the table under `epoch`.
    void keep_in_table(std::shared_ptr<entity_reader> reader, std::uint32_t epoch, std::vector<std::uint32_t> stale) {
        candidates.keep_in_table(std::move(reader), entity_model, epoch, std::move(stale));
    }
    bool in_table() const noexcept { return candidates.in_table(); }
    /// Empties this table-backed table in place under the next epoch (this one stale): a
    /// rebuild from the log that never reads what the old state wrote.
    void restart_in_table();
    /// What a restart needs besides the candidates (the table header, texts, campaigns and
    /// cells), and back (after keep_in_table; throws codec_error for bytes that do not add up).
    template <class Archive>
    void save_table_state(Archive& archive) const {
        candidates.save_table_header(archive);
        archive(with_costs, next, texts, campaigns);
        cells.save(archive);
    }
    template <class Archive>
    void load_table_state(Archive& archive) {
        candidates.load_table_header(archive);
        archive(with_costs, next, texts, campaigns);
        cells.load(archive);
        funnel_rows_.reset();
        check_texts();
    }

    // ---- funnel's rows maintained by the fold (funnel_rows.hpp; the runner's live table) ---

    /// From now on every fold keeps funnel's rows (built from the cells now, O(campaigns ×
    /// years), unless kept already), so that funnel renders from them. A load stops it.
    void maintain_funnel_rows();
    /// The rows when maintained, else nullptr (funnel then sums the cells).
    detail::funnel_rows const* maintained_funnel_rows() const noexcept {
        return funnel_rows_ ? &*funnel_rows_ : nullptr;
    }
    /// The row key of `campaign`'s (first) plan as it is now, year 0.
    funnel_row_key funnel_key_of(std::uint32_t campaign) const;

    std::uint64_t next = 0;  // events fold_once has folded: positions [0, next)
    string_pool texts;  // campaign ids, names, organisers and currencies (not candidates' ids)
    boost::unordered_flat_map<std::uint32_t, campaign_entry> campaigns;  // by campaign id
    /// Every candidate named by an event the table reads, by stream id.
    entities<candidate_entry> candidates;
    /// What the applications with a receipt contribute to the rows, maintained by apply,
    /// saved and loaded with the entries (not compared: they follow from them).
    application_cells cells;

private:
    /// What one application contributes to the cells: its campaign (interned) and summary.
    struct contribution {
        std::uint32_t campaign = 0;
        application_summary summary;
        friend bool operator==(contribution const&, contribution const&) = default;
    };
    /// The contribution of an application with a receipt; nullopt for one without.
    static std::optional<contribution> contribution_of(application_entry const& entry,
                                                       few<employment_step> const& employment);
    /// Puts `after` into the cells in place of `before` (nothing when they are equal).
    void replace(std::optional<contribution> const& before, std::optional<contribution> const& after);
    /// Throws codec_error when loaded campaigns or cells name a text the pool does not hold
    /// (the candidates' receipts are checked when read: campaign_text()).
    void check_texts() const;
    /// The contracted applications an employment event changes, with their contributions
    /// before it (kept to reuse its memory).
    std::vector<std::pair<std::size_t, std::optional<contribution>>> employed_scratch_;
    void apply_campaign(fold_event const& e, int sign);
    void apply_candidate(fold_event const& e, int sign);
    /// Kept by apply when engaged (maintain_funnel_rows); not saved, not compared.
    std::optional<detail::funnel_rows> funnel_rows_;
    /// Where apply() puts the growing parts of an in-memory table (fold_arena.hpp): made on the
    /// first fold, unmapped once the table and its containers are gone (in any order). A copy
    /// or a load starts without one. Not saved, not compared.
    arena_owner arena_;
};

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

/// The summary of one application entry with a receipt, with its candidate's employment.
application_summary summarize(application_entry const& entry, few<employment_step> const& employment);

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
/// no set order. In memory only.
template <class Visit>
void for_each_application(application_table const& table, Visit&& visit) {
    for (auto const& person : table.candidates) {
        for (auto const& entry : person.applications) {
            if (entry.receipts.empty()) continue;  // stages of an application never received
            auto summary = summarize(entry, person.employment);
            summary.campaign_id = table.texts.text(summary.campaign);
            visit(summary);
        }
    }
}

}  // namespace ledger::projections::detail
