#include "ledger/app/projection_as_of.hpp"

#include "ledger/app/huge_page_bytes.hpp"
#include "ledger/app/page_sink.hpp"
#include "ledger/app/parallel_fold.hpp"
#include "ledger/app/projection_replay.hpp"
#include "ledger/app/split_scan.hpp"
#include "ledger/app/state_release.hpp"
#include "ledger/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <vector>

namespace ledger::app {

std::optional<std::uint64_t> as_of_last_position(store::event_store const& store,
                                                 std::optional<std::uint64_t> as_of_position,
                                                 std::optional<timestamp> as_of) {
    auto const events = store.head().events;
    if (events == 0) return std::nullopt;
    if (as_of_position) return std::min(*as_of_position, events - 1);
    if (!as_of) return events - 1;
    // The number of events recorded at or before `as_of` (recorded_at never decreases).
    std::uint64_t low = 0;
    std::uint64_t high = events;
    while (low < high) {
        auto const middle = low + (high - low) / 2;
        auto const event = store.read_event(middle);
        if (event && event->recorded_at <= *as_of) low = middle + 1;
        else high = middle;
    }
    if (low == 0) return std::nullopt;
    return low - 1;
}

namespace {

/// `prototype`'s kind folded over [0, last] from the nearest checkpoint; `loaded` and
/// `folded` are when the checkpoint was loaded and the tail folded (for the debug line).
struct folded_model {
    std::unique_ptr<projections::read_model> model;
    /// The read transaction the model's checkpoint is viewed in (checkpoint_keeper::load), or
    /// null: release() ends it once the answer is rendered.
    std::shared_ptr<record_lease> lease;
    std::uint64_t from = 0;
    std::chrono::steady_clock::time_point started, loaded, folded;

    /// After the render: ends the lease (the model reads no more of its checkpoint; freeing it
    /// reads none) and frees the model off this thread.
    void release() {
        if (lease) lease->end();
        lease.reset();
        release_later(std::move(model));
    }
};

/// The checkpoint a pipelined fold started from turned out not to be usable.
struct checkpoint_not_loaded {};

/// Batches in flight: the scanners decode up to this many events ahead of the fold, and the
/// first up to `starting_batches` while the checkpoint loads (524,288 events: a load of the
/// 9,000,000 checkpoint takes as long as scanning about half an interval, so the scanner's core
/// is busy during it instead of idle after 131,072). Measured at 10,000,000 events:
/// docs/as-of-pages-and-memory.md, "The whole answer at 10,000,000 events".
constexpr std::size_t ahead_batches = 64;
constexpr std::size_t starting_batches = 256;
constexpr std::size_t ahead_batch_events = 2048;

/// Folds [out.from, last] into out.model on this thread while scanner threads scan and decode
/// the log ahead of it (split_scan.hpp). With `load`, this thread first sets out.model by it
/// while one scanner already decodes the first batches (the load and the scan overlap; the
/// second scanner joins after the load); a null model from `load` throws
/// checkpoint_not_loaded once the scanners have stopped.
void fold_tail(store::event_store const& store, checkpoint_keeper* keeper, folded_model& out, std::uint64_t last,
               std::function<std::unique_ptr<projections::read_model>()> const& load) {
    auto& model = out.model;
    // The scanner asks the model only which types it reads: with `load`, the fresh model given
    // stays with them while out.model becomes the loaded one.
    auto const reads = load ? std::move(model) : nullptr;
    projections::read_model* const models[] = {reads ? reads.get() : model.get()};
    split_scan_job job{.from_position = out.from,
                       .last_position = last,
                       .reads = models,
                       .boundaries = keeper != nullptr ? std::optional(keeper->options()) : std::nullopt,
                       .start = {},
                       .fold = [&](std::span<folded_event const> events) {
                           for (auto const& event : events) {
                               // A boundary crossed here had no usable checkpoint: take it again.
                               if (event.boundary) {
                                   keeper->capture(*model, event.position, event.boundary, event.recorded_at);
                               }
                               model->apply(event.view());
                           }
                       },
                       // One scanner while the checkpoint loads (a second would take the loading
                       // thread's core), two after it: the folding thread then mostly waits for
                       // the scan (perf: 12-15 % of a core), so the second scanner takes its core.
                       .scanners = 2,
                       .batch_events = ahead_batch_events,
                       .batches = ahead_batches,
                       .batches_while_starting = starting_batches};
    if (load) {
        job.start = [&] {
            model = load();
            out.loaded = std::chrono::steady_clock::now();
            if (!model) throw checkpoint_not_loaded{};
        };
    }
    split_scan(store, job);
}

folded_model fold_model(store::event_store const& store, checkpoint_keeper* keeper,
                        projections::read_model const& prototype, std::optional<std::uint64_t> last) {
    folded_model out;
    out.started = std::chrono::steady_clock::now();
    out.loaded = out.started;
    auto done = [&] {
        out.folded = std::chrono::steady_clock::now();
        return std::move(out);
    };
    if (!last) {
        out.model = prototype.fresh();
        return done();
    }
    if (keeper != nullptr) {
        // This thread loads the nearest checkpoint while a scanner already scans the tail after it.
        out.from = keeper->first_candidate(*last + 1);
        if (out.from > 0) {
            out.model = prototype.fresh();
            try {
                // The table's record viewed in place (no copy), in a transaction held until
                // the answer is rendered: nothing on this path waits for the writer.
                fold_tail(store, keeper, out, *last, [&] { return keeper->load(prototype, out.from, &out.lease); });
                return done();
            } catch (checkpoint_not_loaded const&) {
                // Not stored or unusable (logged): from an earlier one, capturing on the way.
                std::tie(out.model, out.from) = keeper->nearest(prototype, out.from - 1);
            }
        } else {
            out.model = prototype.fresh();
        }
    } else {
        out.model = prototype.fresh();
    }
    out.loaded = std::chrono::steady_clock::now();
    if (out.from <= *last) fold_tail(store, keeper, out, *last, {});
    return done();
}

/// Where an as-of answer's time goes (docs/read-models.md, "As of at 10,000,000 events").
void log_answer(projections::read_model const& prototype, std::optional<std::uint64_t> last,
                folded_model const& folded, std::size_t rows, std::chrono::steady_clock::time_point rendered) {
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    spdlog::debug("projection {}: as of position {}: checkpoint at {} loaded in {:.1f} ms, {} events folded "
                  "in {:.1f} ms, {} rows in {:.1f} ms",
                  prototype.name(), last ? *last : 0, folded.from, ms(folded.started, folded.loaded),
                  last ? *last + 1 - folded.from : 0, ms(folded.loaded, folded.folded), rows,
                  ms(folded.folded, rendered));
}

/// One page as of `last`, or nullopt when the selection's cursor row is not among its rows.
std::optional<projection_page> page_at(store::event_store const& store, checkpoint_keeper* keeper,
                                       projections::read_model const& prototype,
                                       std::optional<std::uint64_t> last, projection_selection const& selection,
                                       std::span<std::string_view const> key) {
    auto folded = fold_model(store, keeper, prototype, last);
    page_sink sink(selection, key);
    folded.model->render(sink);
    auto picked = std::move(sink.picker).finish();
    log_answer(prototype, last, folded, picked.rows.size(), std::chrono::steady_clock::now());
    auto columns = folded.model->columns();
    folded.release();
    return page_of(std::string(prototype.name()), last, std::move(columns), std::move(picked), key);
}

/// Bytes of text reserved per row (recruits-per-campaign's rows take ~308 at 10,000,000 events;
/// a larger row grows the text as before), for at most this many rows (1 GiB reserved).
constexpr std::size_t reserved_row_bytes = 512;
constexpr std::size_t max_reserved_rows = std::size_t{1} << 21;

/// A row_sink that writes every row's JSON text as it is rendered, each followed by ',', and
/// keeps no row: the whole answer's text without the rows as one JSON array first (165,510
/// rows, 50 MB of recruits-per-campaign at 10,000,000 events) nor that array's copy into a
/// value. A read model that writes rows as text (row_sink::text) appends them itself.
class row_text final : public projections::row_sink {
public:
    explicit row_text(std::string& out) : out_(out) {}
    void expect(std::size_t rows) override {
        rows_ = rows;
        // Room for every row's text at once, reserved and not written (a page costs only when
        // written): the text then never moves while it grows. Grown by doubling, a 50 MB
        // answer wrote ~50 MB more of fresh memory and copied it, which at 10,000,000 events
        // was a large part of the render (page faults; docs/performance.md, rm-asof third pass).
        out_.reserve(out_.size() + std::min(rows, max_reserved_rows) * reserved_row_bytes);
        // And written in huge pages: 50 MB of text faulted in 4 KiB pages cost ~0.2 s of CPU
        // per whole answer on the machine measured (docs/performance.md, rm-asof500k).
        advise_huge_pages(out_.data() + out_.size(), out_.capacity() - out_.size());
    }
    /// The rows the render announced (every row: each part is told of them all).
    std::size_t rows() const noexcept { return rows_; }
    bool takes_every_row() const noexcept override { return true; }
    verdict consider(boost::json::object const& /*head*/) override { return verdict::take; }
    void take(boost::json::object row) override {
        append_json_text(out_, boost::json::value(std::move(row)));
        out_.push_back(',');
    }
    std::string* text() noexcept override { return &out_; }

private:
    std::string& out_;
    std::size_t rows_ = 0;
};

/// The whole answer is rendered in this many parts at once (read_model::render_part), the
/// first on the request's thread: after the fold both cores are free, and 165,510 rows of
/// recruits-per-campaign take ~0.1 s of one. Measured: docs/as-of-pages-and-memory.md.
constexpr std::size_t render_parts = 2;

/// Every row of `model` as text, each followed by ',', appended to `out`; the parts after the
/// first rendered on threads of their own into their own buffers and appended in order.
/// Returns the number of rows.
std::size_t render_text(projections::read_model const& model, std::string& out) {
    std::vector<std::string> others(render_parts - 1);
    std::vector<std::future<void>> rendering;
    for (std::size_t part = 1; part < render_parts; ++part) {
        rendering.push_back(std::async(std::launch::async, [&model, &others, part] {
            row_text sink(others[part - 1]);
            model.render_part(sink, part, render_parts);
        }));
    }
    row_text sink(out);
    model.render_part(sink, 0, render_parts);
    for (std::size_t part = 1; part < render_parts; ++part) {
        rendering[part - 1].get();  // rethrows what the part threw
        out += others[part - 1];
        others[part - 1] = std::string();
    }
    return sink.rows();
}

}  // namespace

std::string fold_as_of_json(store::event_store const& store, checkpoint_keeper* keeper,
                            projections::read_model const& prototype, std::optional<std::uint64_t> last) {
    auto folded = fold_model(store, keeper, prototype, last);
    auto text = R"({"name":)" + boost::json::serialize(boost::json::string_view(prototype.name())) +
                R"(,"position":)" + (last ? std::to_string(*last) : "null") + R"(,"rows":[)";
    auto const prefix = text.size();
    auto const rows = render_text(*folded.model, text);
    // The rows between the brackets: the last one's ',' goes.
    if (text.size() > prefix) text.pop_back();
    text += "]}";
    log_answer(prototype, last, folded, rows, std::chrono::steady_clock::now());
    folded.release();
    return text;
}

projection_table fold_as_of(store::event_store const& store, checkpoint_keeper* keeper,
                            projections::read_model const& prototype, std::optional<std::uint64_t> last) {
    auto folded = fold_model(store, keeper, prototype, last);
    auto rows = folded.model->rows();
    log_answer(prototype, last, folded, rows.size(), std::chrono::steady_clock::now());
    auto columns = folded.model->columns();
    folded.release();
    return projection_table{std::string(prototype.name()), last, std::move(columns), std::move(rows)};
}

result<projection_page> fold_page_as_of(store::event_store const& store, checkpoint_keeper* keeper,
                                        projections::read_model const& prototype,
                                        std::optional<std::uint64_t> last, projection_selection const& selection) {
    auto const name = std::string(prototype.name());
    auto const key = key_columns(name);
    if (!key) return error{error_code::projection_not_found, "no projection named " + name, {{"name", name}}};
    auto page = page_at(store, keeper, prototype, last, selection, *key);
    auto const& cursor = selection.after;
    if (!page && cursor && cursor->position && cursor->position != last) {
        // As projection_service::query_page: the cursor's row is gone at `last`, so answer at
        // the position the previous page came from, where it is.
        page = page_at(store, keeper, prototype, as_of_last_position(store, cursor->position, std::nullopt),
                       selection, *key);
    }
    if (!page) return cursor_not_found(name);
    return std::move(*page);
}

std::uint64_t fill_checkpoints(store::event_store const& store, checkpoint_keeper& keeper,
                               projections::read_model const& prototype, std::uint64_t upto,
                               std::atomic<bool> const& stopping) {
    auto const every = keeper.options().every;
    if (every == 0) return 0;
    auto const missing = [&](std::uint64_t p) {
        return !keeper.stored(prototype, p);
    };
    std::optional<std::uint64_t> first;
    std::uint64_t last = 0;
    for (std::uint64_t p = every; p < upto; p += every) {
        if (!missing(p)) continue;
        if (!first) first = p;
        last = p;
    }
    if (!first) return 0;
    // Named variables, not a structured binding: clang 14 (the fuzz build) cannot capture a
    // binding in the lambda below.
    auto nearest = keeper.nearest(prototype, *first);
    auto model = std::move(nearest.first);
    auto from = nearest.second;
    projections::read_model* const models[] = {model.get()};
    fold_decoder decoder(models);
    checkpoint_boundaries boundaries(store, keeper.options());
    std::uint64_t captured = 0;
    while (from <= last && !stopping) {
        // One scan until a capture; the wait for its commit holds no read transaction.
        bool took = false;
        store.scan(from, [&](recorded_event const& event) {
            if (stopping || event.position > last) return false;
            if (auto const boundary = boundaries.at(event); boundary) {
                auto const before = keeper.stats().captured;
                keeper.capture(*model, event.position, boundary, event.recorded_at);
                took = keeper.stats().captured > before;
                if (event.position == last) {
                    from = last + 1;
                    return false;
                }
            }
            auto const data = decoder.decode(event);
            auto view = fold_decoder::view(event, data);
            auto const retracted = read_retracted(store, decoder, event, data);
            if (retracted) view.retracted = &retracted->view;
            model->apply(view);
            from = event.position + 1;
            return !took;
        });
        if (took) {
            ++captured;
            keeper.wait_written(stopping);
        } else if (from <= last) {
            break;  // the log ended (cannot happen below `upto`) or stopping
        }
    }
    return captured;
}

}  // namespace ledger::app
