#pragma once
// One event as a message of the ledger's JetStream stream (docs/replication.md, "The stream").
// Payload: the stored bytes (canonical ‖ 32-byte chain hash). Headers: Ledger-Position (the
// position, also the message id: stream sequence = position + 1), Ledger-Leader (the leader's
// address), and the subject key change the append made: Ledger-Key-Subject with Ledger-Key
// (base64 of the key as stored, wrapped) or Ledger-Key-Erased (the subject).
//
// Threading: pure functions. Errors: encode throws nats_failure; decode returns nullopt for a
// message that is not one of these (the caller stops).

#include "ledger/store/event_store.hpp"

#include <nats/nats.h>

#include <optional>
#include <string>

namespace ledger::replication::detail {

/// A new message for `event` on `subject` (owned by the caller).
natsMsg* encode_message(std::string const& subject, store::replicated_event const& event,
                        std::string const& leader);

struct decoded_message {
    store::replicated_event event;
    std::string leader;
};

/// The event a stream message at sequence `seq` carries; nullopt when it is malformed.
std::optional<decoded_message> decode_message(natsMsg* msg, std::uint64_t seq);

}  // namespace ledger::replication::detail
