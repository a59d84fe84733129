#pragma once
// Replication on NATS JetStream (SPEC §12, docs/replication.md): a leader publishes every
// committed event to the ledger's stream; followers store the same bytes at the same
// positions; `promote` turns a caught-up follower into the leader.
//
// Threading: a node's member functions may be called from any thread. Errors: start() throws
// std::runtime_error (with what the operator should do) when this data directory cannot take
// the asked role; later problems are logged and shown through status() and not_ready().

#include "ledger/error.hpp"
#include "ledger/replication/options.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace ledger::store {
class event_store;
}

namespace ledger::replication {

/// A running leader or follower.
class node {
public:
    virtual ~node() = default;
    /// Why an append must be refused now (a follower: 503 read_only naming the leader; a
    /// fenced leader: read_only; a sync leader whose stream lags: unavailable), or nullopt.
    virtual std::optional<error> append_refusal() const = 0;
    /// Why the server is not ready (a follower that stopped), or nullopt.
    virtual std::optional<error> not_ready() const = 0;
    /// Role, positions and lag, for /readyz details.
    virtual boost::json::object status() const = 0;
    /// Prometheus text (HELP/TYPE lines included) for /metrics.
    virtual std::string metrics() const = 0;
};

/// Starts the role `options.as` on `store` (whose data directory is `data`); null for none.
/// A leader first checks the stream agrees with the ledger (else it starts fenced) and
/// publishes what the stream lacks; a follower marks the directory as a follower's, so it
/// is never started as a leader before `promote`.
std::unique_ptr<node> start(store::event_store& store, replication_options const& options,
                            std::filesystem::path const& data);

/// Whether `data` is a follower's directory (see start), and the NATS URLs and stream it
/// follows, one a line.
std::optional<std::string> follower_mark(std::filesystem::path const& data);

/// `recruit-ledger promote`: checks that the (stopped) follower at `data` holds every event of
/// the stream, byte for byte at its head, then removes the follower mark. `urls` and `stream`
/// default to those in the mark. Returns what happened, for the operator; throws
/// std::runtime_error when it cannot promote (not caught up, not a follower, unreachable).
std::string promote(std::filesystem::path const& data, std::optional<std::string> urls,
                    std::optional<std::string> stream);

}  // namespace ledger::replication
