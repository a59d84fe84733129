#include "ledger/app/projection_snapshot.hpp"

#include "ledger/detail/memory_streambuf.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>

#include <istream>
#include <sstream>

namespace ledger::app::detail {

std::string snapshot_key(std::string_view name) { return "snapshot/" + std::string(name); }

std::string encode_snapshot(projection_snapshot const& snapshot) {
    std::ostringstream out(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive archive(out);
        archive(snapshot.code_version, snapshot.next_position, snapshot.state);
    }
    return std::move(out).str();
}

std::optional<projection_snapshot> decode_snapshot(std::string_view bytes) {
    ledger::detail::memory_streambuf buffer(bytes);
    std::istream in(&buffer);
    projection_snapshot snapshot;
    try {
        cereal::PortableBinaryInputArchive archive(in);
        archive(snapshot.code_version, snapshot.next_position, snapshot.state);
    } catch (std::exception const&) {
        return std::nullopt;  // cereal::Exception, or length_error for a corrupt size
    }
    return snapshot;
}

}  // namespace ledger::app::detail
