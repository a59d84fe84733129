#include "ledger/sha256.hpp"

#include "ledger/detail/sha256_low_level.hpp"

#include <boost/algorithm/hex.hpp>

namespace ledger {

// Stateless since issue 18: each digest runs on a SHA256_CTX on the stack
// (ledger/detail/sha256_low_level.hpp); the type stays for its callers.
sha256_digest sha256_hasher::digest(std::string_view bytes) { return chain_parts(nullptr, bytes); }

sha256_digest sha256_hasher::chain(sha256_digest const& previous, std::string_view body) {
    return chain_parts(&previous, body);
}

sha256_digest sha256_hasher::chain_parts(sha256_digest const* previous, std::string_view body) {
    std::string_view const head =
        previous != nullptr ? std::string_view(reinterpret_cast<char const*>(previous->data()), previous->size())
                            : std::string_view{};
    return detail::sha256_of_parts({head, body});
}

sha256_digest sha256(std::string_view bytes) { return sha256_hasher{}.digest(bytes); }

std::string to_hex(sha256_digest const& digest) {
    std::string hex;
    hex.reserve(64);
    boost::algorithm::hex_lower(digest.begin(), digest.end(), std::back_inserter(hex));
    return hex;
}

std::optional<sha256_digest> parse_hex_digest(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    sha256_digest out{};
    try {
        boost::algorithm::unhex(hex.begin(), hex.end(), out.begin());
    } catch (boost::algorithm::hex_decode_error const&) {
        return std::nullopt;
    }
    return out;
}

}  // namespace ledger
