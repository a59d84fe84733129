#include "ledger/http/metrics.hpp"

#include <fmt/format.h>

namespace ledger::http {

template <std::size_t N>
void histogram<N>::observe(double value) noexcept {
    std::size_t bucket = 0;
    while (bucket < N && value > bounds_[bucket]) ++bucket;
    if (bucket < N) buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_micro_.fetch_add(static_cast<std::uint64_t>(value * 1e6), std::memory_order_relaxed);
}

template <std::size_t N>
void histogram<N>::render(std::string& out, std::string const& name) const {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < N; ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bounds_[i], cumulative);
    }
    auto const count = count_.load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, count);
    out += fmt::format("{}_sum {}\n", name,
                       static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6);
    out += fmt::format("{}_count {}\n", name, count);
}

namespace {

constexpr std::array<double, 10> event_count_bounds{1, 2, 4, 8, 16, 64, 256, 1024, 4096, 16384};

}  // namespace

metrics::metrics()
    : append_latency_({0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5}),
      append_request_events_(event_count_bounds),
      commit_batch_events_(event_count_bounds) {}

std::atomic<std::uint64_t>* metrics::find_request_counter(std::string_view route, unsigned status,
                                                          std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        auto& counter = request_counters_[i];
        if (counter.status == status && counter.route == route) return &counter.count;
    }
    return nullptr;
}

void metrics::record_request(std::string_view route, unsigned status) {
    // Every request of every thread comes here: the common case reads published slots only.
    auto const published = request_counters_used_.load(std::memory_order_acquire);
    if (auto* count = find_request_counter(route, status, 0, published)) {
        count->fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(requests_mutex_);
    auto const used = request_counters_used_.load(std::memory_order_relaxed);
    auto* count = find_request_counter(route, status, published, used);  // claimed meanwhile?
    if (count == nullptr && used < max_request_counters) {
        request_counters_[used].route = std::string(route);
        request_counters_[used].status = status;
        count = &request_counters_[used].count;
        request_counters_used_.store(used + 1, std::memory_order_release);
    }
    if (count != nullptr) {
        count->fetch_add(1, std::memory_order_relaxed);
    } else {
        ++request_overflow_[{std::string(route), status}];
    }
}

void metrics::record_append(std::size_t events, double seconds, bool stored) {
    (stored ? appends_ : append_refusals_).fetch_add(1, std::memory_order_relaxed);
    append_latency_.observe(seconds);
    append_request_events_.observe(static_cast<double>(events));
}

void metrics::record_commit(std::size_t events) {
    commit_batch_events_.observe(static_cast<double>(events));
}

std::string metrics::render(std::string const& extra) const {
    std::string out;
    out += "# HELP ledger_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE ledger_http_requests_total counter\n";
    {
        std::lock_guard lock(requests_mutex_);  // a consistent set of pairs, in a stable order
        auto counts = request_overflow_;
        auto const used = request_counters_used_.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < used; ++i) {
            auto const& counter = request_counters_[i];
            counts[{counter.route, counter.status}] += counter.count.load(std::memory_order_relaxed);
        }
        for (auto const& [key, count] : counts) {
            out += fmt::format("ledger_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                               key.first, key.second, count);
        }
    }
    out += fmt::format(
        "# HELP ledger_appends_total Append requests stored (including idempotent retries).\n"
        "# TYPE ledger_appends_total counter\nledger_appends_total {}\n"
        "# HELP ledger_append_refusals_total Append requests the store refused.\n"
        "# TYPE ledger_append_refusals_total counter\nledger_append_refusals_total {}\n",
        appends_.load(), append_refusals_.load());
    out += "# HELP ledger_append_latency_seconds Time from parsed request to durable answer.\n"
           "# TYPE ledger_append_latency_seconds histogram\n";
    append_latency_.render(out, "ledger_append_latency_seconds");
    out += "# HELP ledger_append_request_events Events per append request.\n"
           "# TYPE ledger_append_request_events histogram\n";
    append_request_events_.render(out, "ledger_append_request_events");
    out += "# HELP ledger_group_commit_events Events per durable group commit.\n"
           "# TYPE ledger_group_commit_events histogram\n";
    commit_batch_events_.render(out, "ledger_group_commit_events");
    out += fmt::format(
        "# HELP ledger_sse_subscribers Open Server-Sent Events subscriptions.\n"
        "# TYPE ledger_sse_subscribers gauge\nledger_sse_subscribers {}\n"
        "# HELP ledger_http_connections Open HTTP connections.\n"
        "# TYPE ledger_http_connections gauge\nledger_http_connections {}\n",
        subscribers_.load(), connections_.load());
    return out + extra;
}

}  // namespace ledger::http
