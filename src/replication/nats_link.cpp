#include "detail/nats_link.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <thread>
#include <vector>

namespace ledger::replication::detail {

nats_failure::nats_failure(std::string const& what, natsStatus s, jsErrCode c)
    : std::runtime_error(what), status(s), code(c) {}

void check(natsStatus status, char const* what, jsErrCode code) {
    if (status == NATS_OK) return;
    std::string text = std::string(what) + ": " + natsStatus_GetText(status);
    if (char const* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') text += " (" + std::string(last) + ")";
    if (code != 0) text += " [JetStream error " + std::to_string(static_cast<int>(code)) + "]";
    throw nats_failure(text, status, code);
}

nats_link::nats_link(std::string const& urls, std::string stream, jsPubAckHandler on_ack, void* closure)
    : stream_(std::move(stream)), subject_(stream_ + ".events") {
    std::vector<std::string> servers;
    for (std::size_t start = 0; start <= urls.size();) {
        auto const comma = urls.find(',', start);
        auto const url = urls.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!url.empty()) servers.push_back(url);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::vector<char const*> pointers;
    for (auto const& s : servers) pointers.push_back(s.c_str());
    try {
        check(natsOptions_Create(&options_), "natsOptions_Create");
        check(natsOptions_SetServers(options_, pointers.data(), static_cast<int>(pointers.size())), "NATS servers");
        check(natsOptions_SetTimeout(options_, 2000), "natsOptions_SetTimeout");
        check(natsOptions_SetMaxReconnect(options_, -1), "natsOptions_SetMaxReconnect");
        check(natsOptions_SetReconnectWait(options_, 100), "natsOptions_SetReconnectWait");
        check(natsConnection_Connect(&connection_, options_), ("connecting to " + urls).c_str());
        jsOptions js_options;
        jsOptions_Init(&js_options);
        js_options.Wait = 2000;
        js_options.PublishAsync.AckHandler = on_ack;
        js_options.PublishAsync.AckHandlerClosure = closure;
        js_options.PublishAsync.MaxPending = 4096;
        check(natsConnection_JetStream(&js_, connection_, &js_options), "JetStream context");
    } catch (...) {
        if (connection_ != nullptr) natsConnection_Destroy(connection_);
        if (options_ != nullptr) natsOptions_Destroy(options_);
        throw;
    }
}

nats_link::~nats_link() {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (connection_ != nullptr) {
        natsConnection_Close(connection_);
        natsConnection_Destroy(connection_);
    }
    if (options_ != nullptr) natsOptions_Destroy(options_);
}

std::optional<stream_state> nats_link::state() const {
    jsStreamInfo* info = nullptr;
    jsErrCode code{};
    auto const status = js_GetStreamInfo(&info, js_, stream_.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr) return std::nullopt;
    check(status, "reading the stream's state", code);
    stream_state out{info->State.FirstSeq, info->State.LastSeq, info->State.Msgs};
    jsStreamInfo_Destroy(info);
    return out;
}

namespace {

/// How long a leader started beside its NATS cluster waits for the cluster to place the stream:
/// a cluster that has just elected its metadata leader answers "no suitable peers for
/// placement" until enough peers have joined JetStream (about a second on a quiet machine,
/// several at load 20). Far above that, still short enough that a cluster that lost its peers
/// stops the start with the server's own reason.
constexpr auto cluster_forming_wait = std::chrono::seconds(30);

/// True for the answers of a JetStream cluster that is still forming, which a later attempt
/// gets past. The C client (3.x) passes "no suitable peers" without its error code, hence the
/// text as well.
bool cluster_forming(nats_failure const& failure) {
    switch (failure.code) {
        case JSClusterNoPeersErr:
        case JSClusterNotAvailErr:
        case JSClusterNotLeaderErr:
        case JSInsufficientResourcesErr: return true;
        default: break;
    }
    return failure.status == NATS_TIMEOUT || failure.status == NATS_NO_RESPONDERS ||
           std::string_view(failure.what()).find("no suitable peers") != std::string_view::npos;
}

}  // namespace

void nats_link::create_stream(int replicas) const {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    char const* subjects[] = {subject_.c_str()};
    config.Name = stream_.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = replicas;
    config.DenyDelete = true;
    config.DenyPurge = true;
    jsStreamInfo* info = nullptr;
    jsErrCode code{};
    check(js_AddStream(&info, js_, &config, nullptr, &code), "creating the stream", code);
    jsStreamInfo_Destroy(info);
}

void nats_link::ensure_stream(int replicas) const {
    auto const deadline = std::chrono::steady_clock::now() + cluster_forming_wait;
    for (bool warned = false;;) {
        try {
            if (!state()) create_stream(replicas);
            return;
        } catch (nats_failure const& failure) {
            if (!cluster_forming(failure) || std::chrono::steady_clock::now() >= deadline) throw;
            if (!warned) {
                spdlog::warn("replication: the JetStream cluster cannot hold the stream yet ({}); waiting up to {} s",
                             failure.what(), cluster_forming_wait.count());
                warned = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

natsMsg* nats_link::message(std::uint64_t seq) const {
    natsMsg* msg = nullptr;
    jsErrCode code{};
    auto const status = js_GetMsg(&msg, js_, stream_.c_str(), seq, nullptr, &code);
    if (status == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return nullptr;
    check(status, "reading a message of the stream", code);
    return msg;
}

}  // namespace ledger::replication::detail
