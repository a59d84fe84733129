// What route() hands back that the session must still carry out without blocking its I/O
// thread (SPEC §6 serving rules): an append submitted to the group-commit writer, slow work run
// on the bounded worker pool, a min_position wait awaited on a timer woken by commits.

#include "detail/server_context.hpp"

#include "ledger/store/event_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>

namespace ledger::http::detail {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// `work`, with infrastructure failures logged (with the request id) and answered as 500.
template <class Work>
response guarded(Work&& work, std::string const& request_id) {
    try {
        return work();
    } catch (std::exception const& failure) {
        spdlog::error("request_id={} failed: {}", request_id, failure.what());
    } catch (...) {
        spdlog::error("request_id={} failed with an unknown exception", request_id);
    }
    return internal_error_response(request_id);
}

/// Runs `work` on the worker pool (which must have admitted it) and resumes on the session's
/// strand with its response: the I/O thread goes on serving others meanwhile.
template <class Token>
auto async_offload(worker_pool& pool, std::function<response()> work, Token&& token) {
    return asio::async_initiate<Token, void(response)>(
        [&pool](auto handler, std::function<response()> pending) {
            auto const executor = asio::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            pool.run(std::move(pending),  // guarded: never throws
                     [shared, executor](response out) {
                         asio::post(executor, [shared, out = std::move(out)]() mutable { (*shared)(std::move(out)); });
                     });
        },
        token, std::move(work));
}

/// The answer when every worker is busy and the queue is full (SPEC §6 serving rules).
response workers_saturated() {
    auto out = error_reply(error{error_code::unavailable, "the server is busy with slow reads; retry shortly", {}});
    out.headers.emplace_back("Retry-After", "1");
    return out;
}

/// wait.attempt(final), with a failure logged and answered as 500.
std::optional<response> guarded_attempt(position_wait const& wait, bool final, std::string const& request_id) {
    try {
        return wait.attempt(final);
    } catch (std::exception const& failure) {
        spdlog::error("request_id={} failed: {}", request_id, failure.what());
    } catch (...) {
        spdlog::error("request_id={} failed with an unknown exception", request_id);
    }
    return internal_error_response(request_id);
}

/// A waiter's place in the commit signal for a scope (also when an attempt throws).
class commit_registration {
public:
    commit_registration(commit_signal& commits, std::shared_ptr<commit_signal::waiter> const& waiter)
        : commits_(commits), handle_(commits.add(waiter)) {}
    ~commit_registration() { commits_.remove(handle_); }
    commit_registration(commit_registration const&) = delete;
    commit_registration& operator=(commit_registration const&) = delete;

private:
    commit_signal& commits_;
    std::uint64_t handle_;
};

/// How often a position wait looks again without news: the read models also fold while
/// catching up, which no commit announces.
constexpr auto position_poll = std::chrono::milliseconds(50);

/// Awaits `wait` without holding a thread: attempts after each commit (or poll) until it
/// answers, the timeout passes or the server drains.
asio::awaitable<response> await_position(position_wait const& wait, server_context& context,
                                         std::string const& request_id) {
    auto const deadline = std::chrono::steady_clock::now() + wait.timeout;
    auto const waiter = std::make_shared<commit_signal::waiter>(co_await asio::this_coro::executor);
    commit_registration const registration(context.commits, waiter);
    for (;;) {
        waiter->notified = false;
        auto const now = std::chrono::steady_clock::now();
        bool const final = now >= deadline || context.api.draining.load();
        auto out = guarded_attempt(wait, final, request_id);
        if (out) co_return std::move(*out);
        waiter->timer.expires_at(std::min(deadline, now + position_poll));
        if (!waiter->notified) co_await waiter->timer.async_wait(use_tuple);
    }
}

}  // namespace

/// route(), with infrastructure failures logged (with the request id) and answered as 500.
response answer(request const& http, api& api) {
    try {
        return route(http, api);
    } catch (std::exception const& failure) {
        spdlog::error("request_id={} failed: {}", http.request_id, failure.what());
    } catch (...) {
        spdlog::error("request_id={} failed with an unknown exception", http.request_id);
    }
    auto out = internal_error_response(http.request_id);
    out.route = "error";
    return out;
}

/// Submits routed's append to the group-commit writer; completes on the caller's strand with
/// the answer, so an I/O thread never blocks on a commit.
///
/// Not a coroutine, and the append request stays in `routed` until submitted: the only frame
/// is Asio's for the awaited operation, small enough for its per-thread cache (a coroutine
/// here, or the request among the operation's arguments, made a frame of over 1,020 bytes per
/// append, allocated and freed each time). The waiting handler and its executor share one
/// allocation, and the writer's callback captures only the pointer to it: small enough for
/// std::function's own storage, so no allocation for the callback and no copy of the
/// type-erased executor on the writer. A batch's decoded forms (one array shared by its
/// events, app::parse_append_body) are held here as well until the answer is back: their last
/// reference then goes on the I/O thread, not on the writer, which frees the rest of the
/// request (per event strings and structs).
asio::awaitable<response> await_append(response& routed, server_context& context, std::string const& request_id) {
    return asio::async_initiate<asio::use_awaitable_t<> const&, void(response)>(
        [&routed, &context, &request_id](auto handler) {
            auto& pending = *routed.append;
            struct waiting {
                decltype(handler) resume;
                decltype(asio::get_associated_executor(handler)) executor;
                std::shared_ptr<void const> decoded_forms;
                http::api& ledger_api;
                std::string const& request_id;
                std::size_t events;
                std::chrono::steady_clock::time_point started;
                std::string_view route;
            };
            auto executor = asio::get_associated_executor(handler);
            auto forms = pending.events.empty() ? nullptr : pending.events.front().decoded;
            auto const shared = std::make_shared<waiting>(waiting{
                std::move(handler), std::move(executor), std::move(forms), context.api, request_id,
                pending.events.size(), std::chrono::steady_clock::now(), routed.route});
            context.api.store.append_async(std::move(pending), [shared](store::append_result result) {
                asio::post(shared->executor, [shared, result = std::move(result)]() mutable {
                    auto forms = std::move(shared->decoded_forms);  // freed after the resumption's step
                    std::chrono::duration<double> const took = std::chrono::steady_clock::now() - shared->started;
                    auto out = guarded([&] { return finish_append(result, shared->events, took.count(), shared->ledger_api); },
                                       shared->request_id);
                    out.route = shared->route;
                    shared->resume(std::move(out));
                });
            });
        },
        asio::use_awaitable);
}

/// The routed response, with offloaded work or a position wait carried out (an append is
/// await_append's: the session awaits it without this coroutine's frame).
asio::awaitable<response> complete(response routed, server_context& context, std::string const& request_id) {
    if (routed.offload) {
        if (!context.workers->try_admit()) co_return workers_saturated();
        // A named std::function, not a temporary in the co_await expression: GCC 12 destroys
        // such temporaries twice.
        std::function<response()> work = [pending = std::move(routed.offload), request_id] {
            return guarded(pending, request_id);
        };
        auto out = co_await async_offload(*context.workers, std::move(work), asio::use_awaitable);
        out.route = routed.route;
        co_return out;
    }
    if (routed.wait) {
        auto out = co_await await_position(*routed.wait, context, request_id);
        out.route = routed.route;
        co_return out;
    }
    co_return routed;
}

}  // namespace ledger::http::detail
