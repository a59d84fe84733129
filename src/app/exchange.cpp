#include "ledger/app/exchange.hpp"

#include "ledger/app/append_window.hpp"
#include "ledger/app/cloudevents.hpp"
#include "ledger/json_text.hpp"

#include <boost/json/parse.hpp>

#include <memory>
#include <string>

namespace ledger::app {
namespace {

constexpr std::size_t max_batch_events = 1000;

// Collects consecutive events of one stream and actor into one append request. All requests
// form one chain (store::append_chain): after the store refuses one, none later commits, so an
// import stops at its first bad line with nothing after it written.
class batcher {
public:
    batcher(store::event_store const& store, append_window& window) : store_(store), window_(window) {}

    std::optional<error> add(imported_event imported, std::uint64_t line) {
        // An event an earlier (interrupted) run recorded goes alone, as an idempotent retry the
        // store checks event for event: batched with new ones it would be refused ("mixes new
        // events with ones already recorded"), and the earlier run may have batched differently.
        if (imported.event.id && store_.position_of(*imported.event.id)) {
            if (auto failure = flush()) return failure;
            store::append_request single{imported.stream, store::expected_version::any(), imported.actor,
                                         {}, imported.recorded_at, chain_};
            single.events.push_back(std::move(imported.event));
            return window_.submit(std::move(single), "line " + std::to_string(line));
        }
        // An original append is one stream, one actor, one recorded time: keep those together
        // and apart from the next, so the re-created log matches the original.
        bool const continues = pending_ && pending_->stream == imported.stream &&
                               pending_->actor == imported.actor &&
                               pending_->recorded_at == imported.recorded_at &&
                               pending_->events.size() < max_batch_events;
        if (!continues) {
            if (auto failure = flush()) return failure;
            pending_ = store::append_request{imported.stream, store::expected_version::any(),
                                             imported.actor, {}, imported.recorded_at, chain_};
            first_line_ = line;
        }
        pending_->events.push_back(std::move(imported.event));
        last_line_ = line;
        return std::nullopt;
    }

    std::optional<error> flush() {
        if (!pending_) return std::nullopt;
        auto request = std::move(*pending_);
        pending_.reset();
        return window_.submit(std::move(request),
                              "lines " + std::to_string(first_line_) + "-" + std::to_string(last_line_));
    }

private:
    store::event_store const& store_;
    append_window& window_;
    std::shared_ptr<store::append_chain> const chain_ = std::make_shared<store::append_chain>();
    std::optional<store::append_request> pending_;
    std::uint64_t first_line_ = 0;
    std::uint64_t last_line_ = 0;
};

error bad_json(std::uint64_t line, std::string const& what) {
    error e{error_code::invalid_json, "line " + std::to_string(line) + ": " + what, {}};
    e.details["line"] = line;
    return e;
}

// A bad line ends the import: every line before it is written (the batch being collected
// holds only good lines), nothing from it on. A store refusal meanwhile takes precedence (and
// the chain kept everything after that refusal unwritten).
error stop_at(batcher& batches, append_window& window, error bad_line) {
    if (auto failure = batches.flush()) return *failure;
    if (auto failure = window.drain()) return *failure;
    return bad_line;
}

}  // namespace

std::uint64_t export_events(store::event_store const& store, std::uint64_t from_position,
                            std::ostream& out, progress_callback const& progress) {
    auto const total = store.head().events;
    std::uint64_t count = 0;
    store.scan(from_position, [&](recorded_event const& e) {
        out << to_json_text(to_cloudevent(e)) << '\n';
        if (progress && ++count % 4096 == 0) progress(e.position + 1, total);
        return static_cast<bool>(out);
    });
    if (progress) progress(total, total);
    return count;
}

result<import_report> import_events(store::event_store& store, std::istream& in,
                                    progress_callback const& progress) {
    append_window window(store);
    batcher batches(store, window);
    import_report report;
    std::string text;
    std::uint64_t line = 0;
    while (std::getline(in, text)) {
        ++line;
        if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
        boost::system::error_code ec;
        auto const value = boost::json::parse(text, ec);
        if (ec) return stop_at(batches, window, bad_json(line, ec.message()));
        auto imported = from_cloudevent(value, static_cast<std::size_t>(line - 1));
        if (!imported) return stop_at(batches, window, imported.error());
        if (auto failure = batches.add(std::move(*imported), line)) return *failure;
        ++report.lines;
        if (progress && report.lines % 4096 == 0) progress(report.lines, 0);
    }
    if (auto failure = batches.flush()) return *failure;
    if (auto failure = window.drain()) return *failure;
    report.appended = window.appended();
    report.already_recorded = window.already_recorded();
    if (progress) progress(report.lines, report.lines);
    return report;
}

}  // namespace ledger::app
