// The runner's answers: live tables, pages and their JSON from the rendered rows (cached per
// position, with a row index or a narrowed render for filtered pages), and as-of answers
// folded from the nearest checkpoint (projection_as_of.hpp).
//
// Threading: any thread; a live answer holds its slot's mutex shared and its cache_mutex.
// Errors: an unknown name, both as-of forms at once, or a position not folded in time are
// returned as errors (projection_service's contract); infrastructure failures throw.

#include "detail/projection_runner_impl.hpp"

#include "ledger/app/page_sink.hpp"
#include "ledger/app/projection_as_of.hpp"
#include "ledger/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace ledger::app {
namespace {

/// Whether `q` asks for exactly one of as_of_position and as_of (both at once is an error the
/// service answers).
bool one_as_of(projection_query const& q) {
    return (q.as_of_position || q.as_of) && !(q.as_of_position && q.as_of);
}

/// Whether the slot can answer `q` from its live state now: loaded, no time travel, and past
/// any min_position asked (otherwise the service's path answers the error or waits).
bool live_now(slot const* s, projection_query const& q) {
    return s != nullptr && s->loaded && !q.as_of_position && !q.as_of &&
           (!q.min_position || *q.min_position < s->next.load());
}

}  // namespace

std::pair<std::unique_ptr<projections::read_model>, std::optional<std::uint64_t>>
projection_runner::impl::as_of_start(slot const& s, projection_query const& q) const {
    auto prototype = [&] {
        std::shared_lock const lock(*s.mutex);  // the loader may swap s.model
        return s.model->fresh();
    }();
    auto const last = as_of_last_position(store, q.as_of_position, q.as_of);
    {
        std::lock_guard const lock(progress_mutex);
        fill_requested = true;
    }
    progress.notify_all();
    return {std::move(prototype), last};
}

result<projection_table> projection_runner::impl::replay_table(slot const& s,
                                                               projection_query const& q) const {
    auto const [prototype, last] = as_of_start(s, q);
    return fold_as_of(store, &checkpoints, *prototype, last);
}

result<projection_page> projection_runner::impl::replay_page(slot const& s, projection_query const& q) const {
    auto const [prototype, last] = as_of_start(s, q);
    return fold_page_as_of(store, &checkpoints, *prototype, last, q.selection);
}

namespace {

/// The rendered rows at `next`; the caller holds the slot's mutex (shared) and cache_mutex.
boost::json::array const& rendered_rows(slot const& s, std::uint64_t next) {
    // Rendering derives every row from the facts; reuse it until the read model moves on.
    if (s.cached_next != next) {
        s.cached_index.reset();  // it refers to the rows replaced here
        s.cached_rows = s.model->rows();
        s.cached_next = next;
    }
    return s.cached_rows;
}

/// The index over rendered_rows(s, next); the same locks held.
row_index& indexed_rows(slot const& s, std::uint64_t next) {
    auto const& rows = rendered_rows(s, next);
    if (!s.cached_index) s.cached_index = std::make_unique<row_index>(rows, *key_columns(s.name));
    return *s.cached_index;
}

/// A live page rendered straight from the model into a page_sink (read_model::render), when
/// its rows at `next` are not indexed yet and the page is one a render can pick without every
/// row: filtered by a column the model narrows by (read_model::renders_only_where), or limited.
/// The first such read after a fold or a restart then renders one organiser's campaigns, or
/// the first `limit` rows in order (recruits-per-campaign and retention render only the rows a
/// page takes whole; 10,000 of 166,000 at 10,000,000 events), instead of every row as a JSON
/// object and the index over them (0.4–1.5 s CPU at 10,000,000 events). A second such read at
/// the same position builds the index instead: a render costs the rows it shows on every
/// read (~0.1 s for one organiser's 18,000 campaigns unpaged at 10,000,000 events), the index
/// only once per position. So a ledger taking appends answers from page renders, a quiet one
/// from its index. nullopt: use the index, as always when the cursor's row is not among the
/// rows rendered. The caller holds the slot's mutex (shared) and cache_mutex.
std::optional<projection_page> narrowed_page(slot const& s, std::uint64_t next, projection_selection const& selection) {
    if (s.cached_index && s.cached_next == next) return std::nullopt;
    if (s.narrowed_next == next) return std::nullopt;
    bool const narrows =
        std::ranges::any_of(selection.filters, [&](row_filter const& f) { return s.model->renders_only_where(f.column); });
    if (!narrows && !selection.limit) return std::nullopt;
    s.narrowed_next = next;
    auto const key = *key_columns(s.name);
    page_sink sink(selection, key, page_sink::narrowing::by_filters);
    s.model->render(sink);
    // limit ≥ 1 (projection_selection), so a page with more rows after it is never empty.
    return page_of(s.name, last_folded(next), s.model->columns(), std::move(sink.picker).finish(), key);
}

/// The next page's cursor after the last of `picked` rows, when more rows pass.
std::optional<std::string> next_cursor_of(slot const& s, std::optional<std::uint64_t> position,
                                          row_index::picked const& picked) {
    if (!picked.more || picked.rows.empty()) return std::nullopt;
    return encode_cursor(page_cursor{s.name, position,
                                     key_of(s.cached_rows[picked.rows.back()], *key_columns(s.name))});
}

}  // namespace

projection_table projection_runner::impl::live_table(slot const& s) const {
    std::shared_lock const lock(*s.mutex);
    auto const next = s.next.load();
    std::lock_guard const cache(s.cache_mutex);
    return projection_table{s.name, last_folded(next), s.model->columns(),
                            rendered_rows(s, next)};
}

std::string projection_runner::impl::live_json(slot const& s) const {
    std::shared_lock const lock(*s.mutex);
    auto const next = s.next.load();
    std::lock_guard const cache(s.cache_mutex);
    if (s.cached_json_next != next) {
        // to_json(live_table(s)) serialised, written without copying the rows into a table.
        auto const position = last_folded(next);
        s.cached_json = R"({"name":)" + boost::json::serialize(boost::json::string_view(s.name)) +
                        R"(,"position":)" + (position ? std::to_string(*position) : "null") +
                        R"(,"rows":)" + to_json_text(rendered_rows(s, next)) + "}";
        s.cached_json_next = next;
    }
    return s.cached_json;
}

result<projection_table> projection_runner::query(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    if (s == nullptr) {
        return error{error_code::projection_not_found, "no projection named " + q.name,
                     {{"name", q.name}}};
    }
    if (q.as_of_position && q.as_of) {
        return error{error_code::bad_request, "give as_of_position or as_of, not both", {}};
    }
    if (q.as_of_position || q.as_of) return impl_->replay_table(*s, q);
    if (q.min_position && !impl_->wait_for(*s, *q.min_position, q.wait)) {
        auto const position = last_folded(s->next.load());
        return error{error_code::unavailable,
                     "projection " + q.name + " has not folded position " +
                         std::to_string(*q.min_position) + " yet",
                     {{"min_position", *q.min_position},
                      {"position", position ? boost::json::value(*position) : nullptr}}};
    }
    if (!impl_->wait_loaded(*s, std::min(q.wait, impl_->options.load_wait))) {
        return error{error_code::unavailable, "read models are loading; try again shortly",
                     {{"name", q.name}}};
    }
    return impl_->live_table(*s);
}

result<std::string> projection_runner::query_json(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    if (s != nullptr && one_as_of(q)) {
        // to_json(table) as text, each row written as it is rendered (fold_as_of_json).
        auto const [prototype, last] = impl_->as_of_start(*s, q);
        return fold_as_of_json(impl_->store, &impl_->checkpoints, *prototype, last);
    }
    if (!live_now(s, q)) return projection_service::query_json(q);  // errors, waits
    return impl_->live_json(*s);
}

result<projection_page> projection_runner::query_page(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    if (s != nullptr && one_as_of(q)) {
        return impl_->replay_page(*s, q);  // only the rows the page keeps are rendered
    }
    if (live_now(s, q)) {
        std::shared_lock const lock(*s->mutex);
        auto const next = s->next.load();
        std::lock_guard const cache(s->cache_mutex);
        if (auto page = narrowed_page(*s, next, q.selection)) return std::move(*page);
        auto& index = indexed_rows(*s, next);
        auto const picked = index.select(q.selection);
        if (picked.cursor_found) {
            auto const position = last_folded(next);
            projection_page page{projection_table{s->name, position, s->model->columns(), {}},
                                 next_cursor_of(*s, position, picked)};
            page.table.rows.reserve(picked.rows.size());
            for (auto const i : picked.rows) page.table.rows.push_back(s->cached_rows[i]);
            return page;
        }
    }
    return projection_service::query_page(q);  // errors, time travel, waits, a vanished row
}

result<projection_page_text> projection_runner::query_page_json(projection_query const& q) const {
    auto const* s = impl_->find(q.name);
    if (live_now(s, q)) {
        std::shared_lock const lock(*s->mutex);
        auto const next = s->next.load();
        std::lock_guard const cache(s->cache_mutex);
        if (auto page = narrowed_page(*s, next, q.selection)) {
            auto text = page_json_text(*page, q.selection.paged());
            return projection_page_text{std::move(text), std::move(page->next_cursor)};
        }
        auto& index = indexed_rows(*s, next);
        auto const picked = index.select(q.selection);
        if (picked.cursor_found) {
            auto const position = last_folded(next);
            projection_page_text page{index.answer_head(s->name, position, picked.rows),
                                      next_cursor_of(*s, position, picked)};
            if (q.selection.paged()) {
                page.json += R"(,"next_cursor":)";
                page.json += page.next_cursor ? to_json_text(boost::json::string_view(*page.next_cursor)) : "null";
            }
            page.json += '}';
            return page;
        }
    }
    return projection_service::query_page_json(q);  // errors, time travel, waits, a vanished row
}

}  // namespace ledger::app
