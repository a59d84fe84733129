// An event's chain link and Merkle leaf, hashed together (detail/link_and_leaf.hpp).

#include "detail/link_and_leaf.hpp"

#include "ledger/detail/sha256_native.hpp"

namespace ledger::store::detail {

link_and_leaf hash_link_and_leaf(sha256_hasher& chain, merkle::merkle_hasher& merkle, sha256_digest const& previous,
                                 std::string_view canonical) {
    link_and_leaf out;
    if (ledger::detail::sha256_native_available()) {
        ledger::detail::sha256_native_pair(
            std::string_view(reinterpret_cast<char const*>(previous.data()), previous.size()), canonical,
            std::string_view("\0", 1), canonical, out.link, out.leaf);
        return out;
    }
    out.link = chain.chain(previous, canonical);
    out.leaf = merkle.leaf(canonical);
    return out;
}

}  // namespace ledger::store::detail
