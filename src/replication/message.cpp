#include "detail/message.hpp"

#include "detail/nats_link.hpp"

#include "ledger/base64.hpp"

#include <charconv>

namespace ledger::replication::detail {
namespace {

std::optional<std::string> header(natsMsg* msg, char const* name) {
    char const* value = nullptr;
    if (natsMsgHeader_Get(msg, name, &value) != NATS_OK || value == nullptr) return std::nullopt;
    return std::string(value);
}

}  // namespace

natsMsg* encode_message(std::string const& subject, store::replicated_event const& event,
                        std::string const& leader) {
    natsMsg* msg = nullptr;
    check(natsMsg_Create(&msg, subject.c_str(), nullptr, event.stored.data(),
                         static_cast<int>(event.stored.size())),
          "natsMsg_Create");
    message_ptr owned(msg);
    auto const position = std::to_string(event.position);
    check(natsMsgHeader_Set(msg, "Ledger-Position", position.c_str()), "natsMsgHeader_Set");
    if (!leader.empty()) check(natsMsgHeader_Set(msg, "Ledger-Leader", leader.c_str()), "natsMsgHeader_Set");
    if (event.subject_key) {
        check(natsMsgHeader_Set(msg, "Ledger-Key-Subject", event.subject_key->first.c_str()), "natsMsgHeader_Set");
        check(natsMsgHeader_Set(msg, "Ledger-Key", base64_encode(event.subject_key->second).c_str()), "natsMsgHeader_Set");
    }
    if (event.erased_subject) {
        check(natsMsgHeader_Set(msg, "Ledger-Key-Erased", event.erased_subject->c_str()), "natsMsgHeader_Set");
    }
    owned.msg = nullptr;
    return msg;
}

std::optional<decoded_message> decode_message(natsMsg* msg, std::uint64_t seq) {
    if (seq == 0) return std::nullopt;
    decoded_message out;
    out.event.position = seq - 1;
    auto const position = header(msg, "Ledger-Position");
    std::uint64_t stated = 0;
    if (!position || std::from_chars(position->data(), position->data() + position->size(), stated).ec != std::errc{} ||
        stated != out.event.position) {
        return std::nullopt;
    }
    out.event.stored.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    out.leader = header(msg, "Ledger-Leader").value_or("");
    if (auto subject = header(msg, "Ledger-Key-Subject")) {
        auto const key = header(msg, "Ledger-Key");
        auto decoded = key ? base64_decode(*key) : std::nullopt;
        if (!decoded) return std::nullopt;
        out.event.subject_key.emplace(std::move(*subject), std::move(*decoded));
    }
    if (auto erased = header(msg, "Ledger-Key-Erased")) out.event.erased_subject = std::move(*erased);
    return out;
}

}  // namespace ledger::replication::detail
