#pragma once
// One read model of SPEC §7 behind a uniform interface, so the runner and the as-of replay can
// hold all seven alike. Each concrete read model is a plain value type with a pure fold
// (see recruits_per_campaign.hpp for the shape); `make_read_model` wraps one.
//
// Threading: a read_model is a value; callers serialise access (the runner uses a lock).

#include "projections/fold_event.hpp"

#include <boost/json/array.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::projections {

namespace detail {
class application_table;
}

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
};

/// The code version of the application table's fold and saved form (as read_model::code_version).
std::uint32_t application_table_code_version() noexcept;
/// An application table as bytes and back; load_table throws ledger::codec_error for bytes it
/// cannot decode.
std::string save_table(detail::application_table const& table);
std::shared_ptr<detail::application_table> load_table(std::string_view bytes);

/// The names of every read model, in the order `list` shows them.
std::vector<std::string_view> read_model_names();

/// A read model with an empty state, or nullptr for an unknown name.
std::unique_ptr<read_model> make_read_model(std::string_view name);

/// All seven, in read_model_names() order; recruits-per-campaign, funnel and retention share
/// one application table.
std::vector<std::unique_ptr<read_model>> make_all_read_models();

}  // namespace ledger::projections
