// The server's own checkpoints (ledger/http/audit_witness.hpp).

#include "ledger/http/audit_witness.hpp"

#include "ledger/store/event_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

namespace ledger::http {

audit_witness::audit_witness(store::event_store const& store, store::merkle::signing_key const& key,
                             std::uint64_t every, std::chrono::seconds interval, std::filesystem::path file)
    : store_(store), key_(key), every_(std::max<std::uint64_t>(every, 1)), interval_(interval), file_(std::move(file)) {
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) {
        try {
            auto const value = boost::json::parse(line).as_object();
            entries_.push_back({static_cast<std::uint64_t>(value.at("tree_size").as_int64()),
                                std::string(value.at("note").as_string())});
        } catch (std::exception const& e) {
            spdlog::warn("skipping a line of {} that is not a checkpoint: {}", file_.string(), e.what());
        }
    }
    thread_ = std::thread([this] { run(); });
}

audit_witness::~audit_witness() {
    stopping_ = true;
    thread_.join();
}

std::vector<audit_witness::checkpoint_entry> audit_witness::after(std::uint64_t tree_size, std::size_t limit) const {
    std::lock_guard const lock(mutex_);
    auto first = std::upper_bound(entries_.begin(), entries_.end(), tree_size,
                                  [](std::uint64_t size, checkpoint_entry const& e) { return size < e.tree_size; });
    std::vector<checkpoint_entry> out;
    for (; first != entries_.end() && out.size() < limit; ++first) out.push_back(*first);
    return out;
}

void audit_witness::checkpoint_now() {
    auto const size = store_.tree_size();
    {
        std::lock_guard const lock(mutex_);
        if (size == 0 || (!entries_.empty() && entries_.back().tree_size >= size)) return;
    }
    store::merkle::checkpoint const c{key_.name, size, store_.tree_root(size)};
    checkpoint_entry entry{size, store::merkle::sign_note(store::merkle::checkpoint_body(c), key_)};
    boost::json::object line;
    line["tree_size"] = entry.tree_size;
    line["note"] = entry.note;
    std::ofstream out(file_, std::ios::app);
    out << boost::json::serialize(line) << '\n';
    out.flush();
    if (!out) spdlog::error("cannot append the checkpoint of tree size {} to {}", size, file_.string());
    std::lock_guard const lock(mutex_);
    entries_.push_back(std::move(entry));
}

void audit_witness::run() {
    constexpr auto slice = std::chrono::milliseconds(200);
    auto last = std::chrono::steady_clock::now();
    while (!stopping_) {
        std::uint64_t last_size = 0;
        {
            std::lock_guard const lock(mutex_);
            if (!entries_.empty()) last_size = entries_.back().tree_size;
        }
        bool const enough = store_.wait_for_position(last_size + every_ - 1, slice);
        bool const due = std::chrono::steady_clock::now() - last >= interval_;
        if (!enough && !due) continue;
        try {
            checkpoint_now();
        } catch (std::exception const& e) {
            spdlog::error("cannot sign a checkpoint: {}", e.what());
        }
        last = std::chrono::steady_clock::now();
    }
}

}  // namespace ledger::http
