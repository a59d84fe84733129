#pragma once
// One connection to NATS and its JetStream context, bound to the ledger's stream: RAII over
// the C client's handles (libnats 3.4).
//
// Threading: the C client is thread-safe; one nats_link may be used from several threads.
// Errors: every call that fails for NATS reasons throws nats_failure with the client's text
// (and the JetStream error code, when the server gave one).

#include <nats/nats.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace ledger::replication::detail {

class nats_failure : public std::runtime_error {
public:
    nats_failure(std::string const& what, natsStatus status, jsErrCode code);
    natsStatus status;
    jsErrCode code;
};

/// What the stream holds: sequences first_seq..last_seq (position + 1).
struct stream_state {
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t messages = 0;
};

class nats_link {
public:
    /// Connects to `urls` (comma-separated) and binds to stream `stream`. Reconnects forever
    /// after a lost connection. Throws nats_failure when no server answers.
    /// `on_ack`, when given, receives every asynchronous publish's outcome (and must destroy
    /// the message).
    nats_link(std::string const& urls, std::string stream, jsPubAckHandler on_ack = nullptr,
              void* closure = nullptr);
    ~nats_link();
    nats_link(nats_link const&) = delete;
    nats_link& operator=(nats_link const&) = delete;

    jsCtx* js() const noexcept { return js_; }
    std::string const& stream() const noexcept { return stream_; }
    std::string const& subject() const noexcept { return subject_; }

    /// The stream's state, or nullopt when there is no such stream.
    std::optional<stream_state> state() const;
    /// Creates the stream (file storage, `replicas` copies, deletes and purges denied) if
    /// it does not exist. While a JetStream cluster is still forming (no peers to place the
    /// copies on yet) it tries again for a bounded time; then, or for any other failure, throws.
    void ensure_stream(int replicas) const;
    /// The message stored at `seq` (owned by the caller: natsMsg_Destroy), or null when none.
    natsMsg* message(std::uint64_t seq) const;

private:
    void create_stream(int replicas) const;

    natsOptions* options_ = nullptr;
    natsConnection* connection_ = nullptr;
    jsCtx* js_ = nullptr;
    std::string stream_;
    std::string subject_;
};

/// RAII for a natsMsg*.
struct message_ptr {
    natsMsg* msg = nullptr;
    explicit message_ptr(natsMsg* m = nullptr) noexcept : msg(m) {}
    ~message_ptr() { if (msg != nullptr) natsMsg_Destroy(msg); }
    message_ptr(message_ptr const&) = delete;
    message_ptr& operator=(message_ptr const&) = delete;
};

/// Throws nats_failure for a status other than NATS_OK.
void check(natsStatus status, char const* what, jsErrCode code = static_cast<jsErrCode>(0));

}  // namespace ledger::replication::detail
