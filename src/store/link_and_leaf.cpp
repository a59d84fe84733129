// An event's chain link and Merkle leaf, hashed together (detail/link_and_leaf.hpp).

#include "detail/link_and_leaf.hpp"

#include "ledger/detail/sha256_low_level.hpp"

namespace ledger::store::detail {

link_and_leaf hash_link_and_leaf(sha256_digest const& previous, std::string_view canonical) {
    link_and_leaf out;
    ledger::detail::sha256_pair(std::string_view(reinterpret_cast<char const*>(previous.data()), previous.size()),
                                canonical, std::string_view("\0", 1), canonical, out.link, out.leaf);
    return out;
}

}  // namespace ledger::store::detail
