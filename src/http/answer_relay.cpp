#include "detail/answer_relay.hpp"

#include <boost/asio/post.hpp>

namespace ledger::http::detail {

void answer_relay::push(std::shared_ptr<parcel> answer) {
    auto* const p = answer.get();
    p->self_ = std::move(answer);
    auto* head = head_.load(std::memory_order_relaxed);
    do {
        p->next_ = head;
    } while (!head_.compare_exchange_weak(head, p, std::memory_order_release, std::memory_order_relaxed));
    // Whoever makes the list non-empty posts the drain that will empty it, so a non-empty list
    // always has exactly one drain on its way.
    if (head == nullptr) boost::asio::post(io_, [this] { drain(); });
}

void answer_relay::drain() {
    auto* list = head_.exchange(nullptr, std::memory_order_acquire);
    // Newest first as linked: reversed, so that answers go out in the order they were given.
    parcel* oldest_first = nullptr;
    while (list != nullptr) {
        auto* const next = list->next_;
        list->next_ = oldest_first;
        oldest_first = list;
        list = next;
    }
    while (oldest_first != nullptr) {
        auto* const p = oldest_first;
        oldest_first = p->next_;
        p->next_ = nullptr;
        auto self = std::move(p->self_);
        p->deliver(std::move(self));
    }
}

}  // namespace ledger::http::detail
