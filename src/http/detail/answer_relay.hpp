#pragma once
// Carries the store writer's answers to the I/O threads with one post per burst of answers,
// not one per answer.
//
// The writer answers a whole group (~50 single-event appends over HTTP) right after its commit.
// Posting each answer to its session's strand from the writer thread took, per answer, an
// allocation outside Asio's per-thread recycling, the strand's and the scheduler's mutexes
// (contended with the I/O threads that were already running the first answers: futex waits
// on both sides) and at times a wake-up system call, all on the writer's critical path between
// two commits. Here the writer only links the answer into a lock-free list (one
// compare-and-swap); the first answer of a burst posts one drain to the I/O threads, and an
// I/O thread moves each answer on to its session's strand, with Asio's recycled memory and no
// contention with the writer (docs/performance.md, "HTTP appends: CPU per request on the I/O
// side").
//
// Threading: push() from any thread (the writer's); drain runs on an I/O thread. The relay
// must outlive every push (server_context does: the writer stops before it goes).

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <memory>

namespace ledger::http::detail {

class answer_relay {
public:
    /// One answer on its way. push() keeps it alive (through `self`) until deliver() ran.
    class parcel {
    public:
        virtual ~parcel() = default;

    protected:
        /// On an I/O thread, once: hand the answer to the session that waits for it (post it to
        /// its strand). `self` is this parcel's last owner but one: move it along.
        virtual void deliver(std::shared_ptr<parcel> self) = 0;

    private:
        friend class answer_relay;
        std::shared_ptr<parcel> self_;  // set by push(), moved out by the drain
        parcel* next_ = nullptr;
    };

    /// `io`: the io_context's executor (not a strand), where the drains run.
    explicit answer_relay(boost::asio::any_io_executor io) : io_(std::move(io)) {}
    /// Delivers what is still linked (answers given after the I/O threads stopped): posted to
    /// their strands, whose stopped io_context destroys them with its other handlers, as when
    /// the writer posted them itself. Call while that io_context exists, after the last push.
    ~answer_relay() { drain(); }
    answer_relay(answer_relay const&) = delete;
    answer_relay& operator=(answer_relay const&) = delete;

    /// Queues `answer` for delivery on an I/O thread. Never blocks; allocates only when it posts
    /// a drain (the first answer after the last drain took the list).
    void push(std::shared_ptr<parcel> answer);

private:
    void drain();

    boost::asio::any_io_executor io_;
    std::atomic<parcel*> head_{nullptr};  // newest first
};

}  // namespace ledger::http::detail
