#include "ledger/replication/replication.hpp"

#include "detail/follower.hpp"
#include "detail/leader.hpp"
#include "detail/nats_link.hpp"

#include "ledger/store/event_store.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ledger::replication {
namespace {

std::filesystem::path mark_path(std::filesystem::path const& data) { return data / "replication-follower"; }

void write_mark(std::filesystem::path const& data, replication_options const& options) {
    std::filesystem::create_directories(data);
    auto const path = mark_path(data);
    std::ofstream out(path, std::ios::trunc);
    out << options.urls << '\n' << options.stream << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::optional<std::string> follower_mark(std::filesystem::path const& data) {
    std::ifstream in(mark_path(data));
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::unique_ptr<node> start(store::event_store& store, replication_options const& options,
                            std::filesystem::path const& data) {
    switch (options.as) {
        case role::none:
            if (follower_mark(data)) {
                throw std::runtime_error("the ledger at " + data.string() + " is a replication follower's: start it "
                                         "with --follow, or make it the leader with `recruit-ledger promote --data " +
                                         data.string() + "` first");
            }
            return nullptr;
        case role::leader:
            if (follower_mark(data)) {
                throw std::runtime_error("the ledger at " + data.string() + " is a replication follower's: promote it "
                                         "first (`recruit-ledger promote --data " + data.string() + "`)");
            }
            return std::make_unique<detail::leader>(store, options);
        case role::follower:
            write_mark(data, options);
            return std::make_unique<detail::follower>(store, options, data);
    }
    return nullptr;
}

std::string promote(std::filesystem::path const& data, std::optional<std::string> urls,
                    std::optional<std::string> stream) {
    auto const mark = follower_mark(data);
    if (!mark) throw std::runtime_error(data.string() + " is not a replication follower's ledger");
    std::istringstream lines(*mark);
    std::string marked_urls;
    std::string marked_stream;
    std::getline(lines, marked_urls);
    std::getline(lines, marked_stream);
    auto const use_urls = urls.value_or(marked_urls);
    auto const use_stream = stream.value_or(marked_stream.empty() ? "recruit-ledger" : marked_stream);

    std::uint64_t local = 0;
    std::optional<std::string> head_bytes;
    {
        store::store_options open;
        open.directory = data;
        open.writer = true;  // the lock: the follower must be stopped
        try {
            store::event_store ledger(open);
            local = ledger.head().events;
            if (local > 0) head_bytes = ledger.stored_event(local - 1);
        } catch (store::directory_locked const&) {
            throw std::runtime_error("the follower is still running on " + data.string() + "; stop it first");
        }
    }
    detail::nats_link link(use_urls, use_stream);
    auto const state = link.state();
    if (!state) throw std::runtime_error("the stream " + use_stream + " does not exist on " + use_urls);
    if (state->last_seq != local) {
        throw std::runtime_error(fmt::format("not caught up: the stream holds {} events, this ledger {}; start it as "
                                             "a follower again until it holds them all", state->last_seq, local));
    }
    if (local > 0) {
        detail::message_ptr const msg(link.message(local));
        if (msg.msg == nullptr || !head_bytes ||
            std::string_view(natsMsg_GetData(msg.msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg.msg))) != *head_bytes) {
            throw std::runtime_error(fmt::format("the stream's last event (position {}) is not this ledger's head", local - 1));
        }
    }
    std::filesystem::remove(mark_path(data));
    return fmt::format("promoted {}: it holds all {} events of stream {}; start it as the leader with\n"
                       "  recruit-ledgerd --data {} --replicate {} [--replication sync|async]\n",
                       data.string(), local, use_stream, data.string(), use_urls);
}

}  // namespace ledger::replication
