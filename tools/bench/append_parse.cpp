// bench-append_parse: the CPU an append costs before and inside the writer, per event, measured
// in CPU time of the measuring thread (so a loaded machine slows it less than wall time):
//
//   append_parse_batch_1000   the I/O thread's work on a 1,000-event body as append_batch.lua
//                             sends it: JSON DOM in a monotonic arena + app::parse_append_body
//   append_parse_single       the same for append.lua's single-event body
//   append_parse_text_batch_1000, append_parse_text_single
//                             the same bodies read by app::parse_append_text (tokens, no DOM:
//                             the route's path for such bodies), ÷ the DOM rows above
//   append_admit_decode       the domain policy's admit on the writer, decoding every event
//   append_admit_decoded      the same with the events' decoded forms (event_to_append::decoded),
//                             ÷ append_admit_decode; not printed by builds without that field
//
//   bench-append_parse [--seconds S] [--rounds N]
//
// Rows: events per CPU-second, the median of N rounds of S seconds each (default 3 × 1 s).

#include "bench_report.hpp"

#include "events/rules.hpp"
#include "ledger/app/append_body.hpp"
#include "ledger/app/domain_policy.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ledger;
namespace json = boost::json;

namespace {

double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// Runs `once` (which handles `events` events) for `seconds` of CPU; events per CPU-second.
/// Reading the thread's CPU clock is a system call: once per ~1,000 events, not per call.
double rate(double seconds, std::size_t events, std::function<void()> const& once) {
    auto const calls = std::max<std::size_t>(1, 1000 / events);
    auto const start = thread_seconds();
    std::size_t done = 0;
    while (thread_seconds() - start < seconds) {
        for (std::size_t i = 0; i < calls; ++i) once();
        done += calls * events;
    }
    return static_cast<double>(done) / (thread_seconds() - start);
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// append_batch.lua's body (append.lua's when `count` is 1).
std::string batch_body(int count) {
    std::string events;
    for (int i = 0; i < count; ++i) {
        if (i > 0) events += ',';
        events += fmt::format(R"({{"type":"SessionHeld","occurred_at":"2025-03-{:02}","data":{{"kind":"job_fair",)"
                              R"("held_on":"2025-03-{:02}","university":"Universidad Complutense de Madrid",)"
                              R"("city":"Madrid","country":"ES","visitors":{}}}}})",
                              i % 28 + 1, i % 28 + 1, (i * 37) % 400);
    }
    return R"({"expected_version":"any","events":[)" + events + "]}";
}

/// As the append route parses a body: a DOM in a monotonic arena, then the append request.
store::append_request parse(std::string const& body) {
    std::array<unsigned char, 4096> arena;
    json::monotonic_resource memory(arena.data(), arena.size());
    auto const dom = json::parse(body, &memory);
    auto request = app::parse_append_body("campaign-bench-1", dom, "local");
    if (!request) throw std::runtime_error(request.error().message);
    return std::move(*request);
}

/// As the append route reads a usual body: from its tokens, without a DOM.
store::append_request parse_text(std::string const& body) {
    auto request = app::parse_append_text("campaign-bench-1", body, "local");
    if (!request) throw std::runtime_error("the token reader refused a benchmark body");
    return std::move(*request);
}

/// A campaign stream that has its CampaignPlanned, as admit sees it inside the writer.
class campaign_lookup final : public store::stream_lookup {
public:
    std::optional<std::uint64_t> last_version(std::string_view) const override { return 0; }
    std::string rule_state(std::string_view) const override {
        events::rule_state state;
        state.creation_position = 0;
        return events::encode_rule_state(state);
    }
    std::optional<recorded_event> event_at(std::uint64_t) const override { return std::nullopt; }
};

/// Whether this build's events carry their decoded form (the same file builds against `main`).
template <class Event>
constexpr bool carries_decoded = requires(Event e) { e.decoded; };

/// `events` without their decoded forms, so that admit decodes each one.
template <class Event>
std::vector<Event> without_decoded(std::vector<Event> events) {
    if constexpr (carries_decoded<Event>) {
        for (auto& event : events) event.decoded.reset();
    }
    return events;
}

double admit_rate(double seconds, store::append_request const& request) {
    app::domain_policy const policy;
    campaign_lookup const lookup;
    auto const initial = lookup.rule_state("campaign-bench-1");
    return rate(seconds, request.events.size(), [&] {
        auto state = initial;
        if (policy.admit(lookup, request.stream, 1, request.events, state)) throw std::runtime_error("refused");
    });
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 1;
    int rounds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const flag = argv[i];
        if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
        else if (flag == "--rounds") rounds = std::stoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: bench-append_parse [--seconds S] [--rounds N]\n");
            return 2;
        }
    }
    bench::note("bench-append_parse: load average %.2f", bench::load_average());
    auto const batch = batch_body(1000);
    auto const single = batch_body(1);
    auto const request = parse(batch);
    auto plain = request;
    plain.events = without_decoded(plain.events);
    std::vector<double> parse_batch, parse_single, text_batch, text_single, admit_decode, admit_decoded;
    for (int r = 0; r < rounds; ++r) {
        parse_batch.push_back(rate(seconds, 1000, [&] { parse(batch); }));
        parse_single.push_back(rate(seconds, 1, [&] { parse(single); }));
        text_batch.push_back(rate(seconds, 1000, [&] { parse_text(batch); }));
        text_single.push_back(rate(seconds, 1, [&] { parse_text(single); }));
        admit_decode.push_back(admit_rate(seconds, plain));
        if (carries_decoded<store::event_to_append>) admit_decoded.push_back(admit_rate(seconds, request));
    }
    bench::row("append_parse_batch_1000", median(parse_batch), "events/cpu-s");
    bench::row("append_parse_single", median(parse_single), "events/cpu-s");
    bench::row("append_parse_text_batch_1000", median(text_batch), "events/cpu-s", "append_parse_batch_1000",
               median(parse_batch));
    bench::row("append_parse_text_single", median(text_single), "events/cpu-s", "append_parse_single",
               median(parse_single));
    bench::row("append_admit_decode", median(admit_decode), "events/cpu-s");
    if (!admit_decoded.empty()) {
        bench::row("append_admit_decoded", median(admit_decoded), "events/cpu-s", "append_admit_decode",
                   median(admit_decode));
    }
    return 0;
}
