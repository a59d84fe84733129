#pragma once
// One read model of SPEC §7 behind a uniform interface, so the runner and the as-of replay can
// hold all seven alike. Each concrete read model is a plain value type with a pure fold
// (see recruits_per_campaign.hpp for the shape); `make_read_model` wraps one.
//
// Threading: a read_model is a value; callers serialise access (the runner uses a lock).

#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::projections {

namespace detail {
class application_table;
}
class entity_reader;
class entity_writer;

/// Takes a read model's rows one at a time (read_model::render), so that a page of an as-of
/// answer renders only the rows it keeps. Each row is shown first with its leading cells (at
/// least its key and filter fields, app/projection_selection.hpp, in its own column order);
/// only a row the sink takes is rendered whole. Not thread-safe; one render at a time.
class row_sink {
public:
    enum class verdict { skip, take, stop };  // stop: no later row is wanted
    virtual ~row_sink() = default;
    /// How many rows render may show (a hint to reserve).
    virtual void expect(std::size_t /*rows*/) {}
    /// Whether this sink takes every row (rows()): render may then sort all keys at once
    /// instead of finding them in order one at a time (detail/in_order.hpp).
    virtual bool takes_every_row() const noexcept { return false; }
    virtual verdict consider(boost::json::object const& head) = 0;
    /// The whole row whose head was taken: the same cells, in the same order, as in rows().
    virtual void take(boost::json::object row) = 0;
    /// A value every row this sink takes has in `column` (an exact-match filter as
    /// app::row_filter reads it: a string cell equal to it, or a null cell when it is empty),
    /// so that a render may leave out, unshown, the rows whose cell differs (a read model that
    /// does says so: read_model::renders_only_where); nullopt: no such promise.
    virtual std::optional<std::string_view> only_where(std::string_view /*column*/) const { return std::nullopt; }
    /// Where a sink that takes every row as JSON text (an as-of whole answer) wants it: a read
    /// model may then append each row's text there itself, followed by ',', instead of calling
    /// consider() and take() — the bytes ledger::append_json_text writes for the row object,
    /// without building it. nullptr (the default): rows as objects. A sink returning a buffer
    /// takes every row, and still takes objects from read models that do not write text.
    virtual std::string* text() noexcept { return nullptr; }
};

/// A row_sink that takes every row: rows() of a read model that renders through render().
class every_row final : public row_sink {
public:
    void expect(std::size_t rows) override { rows_.reserve(rows); }
    bool takes_every_row() const noexcept override { return true; }
    verdict consider(boost::json::object const& /*head*/) override { return verdict::take; }
    void take(boost::json::object row) override { rows_.emplace_back(std::move(row)); }
    boost::json::array take_rows() && { return std::move(rows_); }

private:
    boost::json::array rows_;
};

class read_model {
public:
    virtual ~read_model() = default;

    /// The SPEC §7 name, e.g. "recruits-per-campaign".
    virtual std::string_view name() const noexcept = 0;
    virtual std::string_view description() const noexcept = 0;
    /// Bumped whenever the fold or its stored state changes meaning: a persisted snapshot of
    /// another code version is discarded and the read model rebuilt from the log.
    virtual std::uint32_t code_version() const noexcept = 0;
    /// The row fields in SPEC §7 order (the CSV header).
    virtual std::vector<std::string> columns() const = 0;
    /// Whether the fold needs the decoded data of events of `type`. Events of other types
    /// may be folded with fold_event::data == nullptr.
    virtual bool reads(std::string_view type) const noexcept = 0;

    /// Folds one event; events must come in log order, each once.
    virtual void apply(fold_event const& event) = 0;
    /// The rows, each a JSON object with exactly `columns()` as keys, in a stable order.
    virtual boost::json::array rows() const = 0;
    /// rows() one at a time into `sink`, in the same order and bytes, rendering whole only the
    /// rows the sink takes and stopping when it says so. This default renders rows() first;
    /// the read models with many rows (recruits-per-campaign, retention) render lazily.
    virtual void render(row_sink& sink) const;
    /// render() of part `part` (< `parts`) into a sink that takes every row: the rows split into
    /// `parts` consecutive runs in rows() order, only this part's run, so that the parts rendered
    /// into their own sinks, possibly at once on their own threads (render is const), are rows()
    /// in part order. This default renders every row as part 0 and none as the others;
    /// recruits-per-campaign and retention (a row per campaign) split them.
    virtual void render_part(row_sink& sink, std::size_t part, std::size_t parts) const;
    /// Whether render() leaves out, without rendering their heads, the rows whose `column` cell
    /// differs from the sink's only_where(column): a page filtered on it then costs the rows
    /// that pass, not every row (recruits-per-campaign's organiser).
    virtual bool renders_only_where(std::string_view /*column*/) const noexcept { return false; }

    /// The state as bytes (cereal portable binary) and back. `load` throws ledger::codec_error
    /// for bytes it cannot decode.
    virtual std::string save() const = 0;
    virtual void load(std::string_view bytes) = 0;

    /// A read model of the same kind with an empty state.
    virtual std::unique_ptr<read_model> fresh() const = 0;
    /// Whether `other` is the same kind with an equal state (for tests and checks).
    virtual bool same_state(read_model const& other) const = 0;

    /// The application table this read model folds into and may share with others
    /// (recruits-per-campaign, funnel, retention), or nullptr. Read models sharing a table
    /// must be folded and read under one lock: a fold of one changes what the others render.
    virtual std::shared_ptr<detail::application_table> shared_table() const { return nullptr; }
    /// Uses `table` instead of its own when this read model keeps one and the two are equal
    /// (the same events folded); returns whether it does now.
    virtual bool adopt_table(std::shared_ptr<detail::application_table> const& /*table*/) { return false; }

    /// The state without the application table it keeps (save_table saves that once for the
    /// models sharing it), and back, sharing `table`. For a read model without a table these
    /// are save() and load(). The runner's snapshots use these; save()/load() stay whole.
    virtual std::string save_without_table() const { return save(); }
    virtual void load_with_table(std::string_view bytes,
                                 std::shared_ptr<detail::application_table> const& /*table*/) {
        load(bytes);
    }

    // ---- entities kept in the store's table (entity_table.hpp; vacancies, outreach, origin,
    // hires-vs-target). Only the runner's live read models do; everything else is in memory.
    // The table-backed calls below throw std::logic_error on a read model that cannot.

    /// Whether this read model can keep its entities in the table.
    virtual bool can_keep_entities_in_table() const noexcept { return false; }
    /// Whether it does.
    virtual bool keeps_entities_in_table() const noexcept { return false; }
    /// This (empty) read model keeps its entities in the table from now on, under `epoch`;
    /// the entities of the `stale` epochs are erased by later flushes. load() then moves a
    /// whole state's entities into the table (to be flushed).
    virtual void keep_entities_in_table(std::shared_ptr<entity_reader> reader, std::uint32_t epoch,
                                        std::vector<std::uint32_t> stale);
    /// Empties this table-backed read model in place, under the next epoch, this epoch's
    /// entities stale: a rebuild that never reads what the old state wrote. In place, so
    /// whoever points at the read model keeps pointing at it.
    virtual void restart_in_table();
    /// What a table-backed read model keeps besides its entities (the entity count and epoch,
    /// texts, maintained counters), as bytes, and back: a restart with no entity decoded.
    /// load_table_state throws ledger::codec_error for bytes it cannot decode.
    virtual std::string save_table_state() const;
    virtual void load_table_state(std::string_view bytes, std::shared_ptr<entity_reader> reader);
    /// Puts the entities changed since the last committed flush (entities.hpp); false when an
    /// epoch's first flush put only `limit` of them (no record may be written yet).
    virtual bool flush_entities(entity_writer& writer, std::size_t limit);
    /// Drops cached entities that a committed flush holds; then ends the reader's transaction.
    virtual void settle_entities();
    /// Ends the reader's transaction (after a fold of a batch or a commit).
    virtual void release_entity_reads() {}
    /// Entity records read from the table, and entities cached now.
    virtual std::uint64_t entity_reads() const noexcept { return 0; }
    virtual std::size_t cached_entities() const noexcept { return 0; }
};

/// The code version of the application table's fold and saved form (as read_model::code_version).
std::uint32_t application_table_code_version() noexcept;
/// An application table as bytes and back; load_table throws ledger::codec_error for bytes it
/// cannot decode.
std::string save_table(detail::application_table const& table);
std::shared_ptr<detail::application_table> load_table(std::string_view bytes);
/// load_table of `bytes`, which `keep` keeps valid (a record's copy, or a read transaction of
/// the store the bytes lie in), with the candidates decoded only when a fold first touches
/// them (application_table::load_lazily): the table keeps `keep` alive while it needs it. For
/// as-of loads from a checkpoint. Errors as load_table.
std::shared_ptr<detail::application_table> load_table_lazily(std::shared_ptr<void const> keep,
                                                             std::string_view bytes);
/// The same of the bytes `pieces` holds in order (a chunked record's chunks where they lie in
/// the map: no contiguous copy), which `keep` keeps valid; `pieces` itself only during the call.
std::shared_ptr<detail::application_table> load_table_lazily(std::shared_ptr<void const> keep,
                                                             std::span<std::string_view const> pieces);
/// The application table with its candidates in the store's table (the runner's live table,
/// docs/read-models.md "The application table in the store"): the code version of its record,
/// which differs from application_table_code_version() because the record holds only what is
/// not in the entities (save_table_state: header, texts, campaigns, cells). load_table_state
/// fills a table after keep_in_table; throws ledger::codec_error for bytes it cannot decode.
std::uint32_t application_table_store_code_version() noexcept;
std::string save_table_state(detail::application_table const& table);
void load_table_state(std::string_view bytes, detail::application_table& table);

/// The names of every read model, in the order `list` shows them.
std::vector<std::string_view> read_model_names();

/// A read model with an empty state, or nullptr for an unknown name.
std::unique_ptr<read_model> make_read_model(std::string_view name);

/// All seven, in read_model_names() order; recruits-per-campaign, funnel and retention share
/// one application table.
std::vector<std::unique_ptr<read_model>> make_all_read_models();

}  // namespace ledger::projections
