#pragma once
// How a recruit-ledgerd takes part in replication (SPEC §12, docs/replication.md).

#include <chrono>
#include <optional>
#include <string>

namespace ledger::replication {

enum class role { none, leader, follower };

struct replication_options {
    role as = role::none;
    /// NATS servers, comma-separated: nats://HOST:PORT[,nats://HOST:PORT…]
    std::string urls;
    /// Leader: `sync` answers an append only after JetStream stored it; `async` publishes after.
    bool sync = true;
    /// The JetStream stream of this ledger; its subject is `<stream>.events`.
    std::string stream = "recruit-ledger";
    /// Leader: the stream's replicas when the leader creates it (3 on a three-node cluster).
    int replicas = 1;
    /// Leader: the address followers name in their read_only refusals (default: its --listen).
    std::string advertise;
    /// Follower: the durable consumer's name (default: derived from the host and data dir).
    std::string consumer;
    /// Leader, sync: how long an append waits for JetStream before it is answered 503.
    std::chrono::milliseconds publish_timeout{5000};
};

}  // namespace ledger::replication
