#include "ledger/store/append.hpp"

namespace ledger::store {

bool expected_version::met_by(std::optional<std::uint64_t> last_version) const noexcept {
    switch (condition) {
        case kind::any: return true;
        case kind::no_stream: return !last_version.has_value();
        case kind::exists: return last_version.has_value();
        case kind::exact: return last_version == version;
    }
    return false;
}

boost::json::value expected_version::to_json() const {
    switch (condition) {
        case kind::any: return "any";
        case kind::no_stream: return "no_stream";
        case kind::exists: return "exists";
        case kind::exact: return version;
    }
    return nullptr;
}

}  // namespace ledger::store
