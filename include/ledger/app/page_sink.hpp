#pragma once
// A row_sink that picks one page (app::row_picker) of the rows a read model renders, live or
// as of a position. With narrowing::by_filters it also tells the model the selection's value of
// a column it can narrow by (row_sink::only_where), so a model that narrows renders only the
// rows that can pass; the caller then falls back to a whole render when the cursor's row is not
// among them (a cursor from another filter), as the live runner does with its row index.
//
// Threading: one render at a time; the selection must outlive the sink.

#include "ledger/app/projection_selection.hpp"
#include "projections/read_model.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace ledger::app {

class page_sink final : public projections::row_sink {
public:
    enum class narrowing { off, by_filters };
    page_sink(projection_selection const& selection, std::span<std::string_view const> key,
              narrowing narrow = narrowing::off)
        : picker(selection, key), selection_(selection), narrow_(narrow) {}
    verdict consider(boost::json::object const& head) override;
    void take(boost::json::object row) override { picker.add(std::move(row)); }
    /// The value of the selection's filter on `column`, if it has one and the sink narrows.
    std::optional<std::string_view> only_where(std::string_view column) const override;

    row_picker picker;

private:
    projection_selection const& selection_;
    narrowing narrow_;
};

}  // namespace ledger::app
