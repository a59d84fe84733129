#pragma once
// Counters and histograms for GET /metrics, rendered in the Prometheus text format (0.0.4).
//
// Threading: every member is safe to call from any thread; recording is lock-free except for
// the first request of a new (route, status) pair (which claims a counter under a mutex).

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace ledger::http {

/// A fixed-bucket histogram; `bounds` are the upper bounds of the buckets, ascending.
template <std::size_t N>
class histogram {
public:
    explicit constexpr histogram(std::array<double, N> bounds) : bounds_(bounds) {}
    void observe(double value) noexcept;
    /// `name_bucket{le=...}`, `name_sum` and `name_count` lines.
    void render(std::string& out, std::string const& name) const;

private:
    std::array<double, N> bounds_;
    std::array<std::atomic<std::uint64_t>, N> buckets_{};  // not cumulative; summed on render
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micro_{0};  // the sum in millionths, to stay lock-free
};

class metrics {
public:
    metrics();

    /// One HTTP request answered. Lock-free and allocation-free once the pair has been seen.
    void record_request(std::string_view route, unsigned status);
    /// One append request that reached the store: its event count, latency and whether it was
    /// stored (false for a refusal such as a conflict).
    void record_append(std::size_t events, double seconds, bool stored);
    /// One durable group commit of `events` events (from the store's commit observer).
    void record_commit(std::size_t events);
    void subscriber_opened() noexcept { subscribers_.fetch_add(1); }
    void subscriber_closed() noexcept { subscribers_.fetch_sub(1); }
    void connection_opened() noexcept { connections_.fetch_add(1); }
    void connection_closed() noexcept { connections_.fetch_sub(1); }
    std::int64_t connections() const noexcept { return connections_.load(); }

    /// The text of every metric; `extra` (e.g. projection lag, events stored) is appended.
    std::string render(std::string const& extra) const;

private:
    /// One (route, status) pair's count. `route` and `status` are written once, before the
    /// slot is published by `request_counters_used_`, and never change after.
    struct request_counter {
        std::string route;
        unsigned status = 0;
        std::atomic<std::uint64_t> count{0};
    };
    /// Routes × statuses that occur stay far below this; pairs beyond it go to the map.
    static constexpr std::size_t max_request_counters = 256;

    std::atomic<std::uint64_t>* find_request_counter(std::string_view route, unsigned status,
                                                     std::size_t from, std::size_t to);

    std::array<request_counter, max_request_counters> request_counters_;
    std::atomic<std::size_t> request_counters_used_{0};
    mutable std::mutex requests_mutex_;  // claims counters; guards the overflow map
    std::map<std::pair<std::string, unsigned>, std::uint64_t> request_overflow_;
    std::atomic<std::uint64_t> appends_{0};
    std::atomic<std::uint64_t> append_refusals_{0};
    histogram<12> append_latency_;
    histogram<10> append_request_events_;
    histogram<10> commit_batch_events_;
    std::atomic<std::int64_t> subscribers_{0};
    std::atomic<std::int64_t> connections_{0};
};

}  // namespace ledger::http
